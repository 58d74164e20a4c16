import LexelCore
import LexelKernels

/// The lexical network (the shape of `LexicalNetwork`) in a trainable form: weights as plain row-major buffers,
/// a forward pass that keeps what the backward pass needs, and the backward pass.
///
/// Forward, per document: `h₀ = n(relu(x W₀))`, `h_l = n(relu(W_l h_{l-1}))` for the hidden dense layers,
/// `y = n(W_L h_{L-1})`, with `n(v) = v / ‖v‖` (a zero vector stays zero).
///
/// Backward through `h = n(r)`: `∂L/∂r = (g − h (h·g)) / ‖r‖` (zero when `‖r‖ = 0`: the output is the constant 0
/// there); through ReLU: multiplied by `[a > 0]`, which is `[h > 0]`; through `a = W h_prev`:
/// `∂L/∂W = ∂L/∂a · h_prevᵀ` (summed over the batch), `∂L/∂h_prev = Wᵀ ∂L/∂a`; through `a₀ = x W₀`: row `f` of
/// W₀ gets `Σ_docs x_f ∂L/∂a₀`, for the features `f` present in the batch only.
public final class TrainableNetwork: @unchecked Sendable {
    /// Features (rows of W₀).
    public let inputDim: Int
    /// Output sizes of W₀ and of each dense layer, e.g. [96, 3072, 3072, 192].
    public let dims: [Int]
    /// W₀, `inputDim x dims[0]` row-major.
    let w0: UnsafeMutablePointer<Float>
    /// Dense layer `l`: `dims[l + 1] x dims[l]` row-major (out x in).
    let weights: [UnsafeMutablePointer<Float>]

    /// Number of dense layers.
    public var denseLayers: Int { dims.count - 1 }
    public var outputDim: Int { dims[dims.count - 1] }

    /// Floats in dense layer `l`.
    func weightCount(_ l: Int) -> Int { dims[l] * dims[l + 1] }

    /// Uniform random weights in ±sqrt(6 / fan-in) (Kaiming, as Luxical), drawn in the same order as
    /// `LexicalNetwork.random`: the same seed gives the same network.
    /// (`random: false` leaves them zero, for a checkpoint to fill.)
    public init(inputDim: Int, dims: [Int], seed: UInt64, random: Bool = true) throws {
        try TrainableNetwork.validate(inputDim: inputDim, dims: dims)
        self.inputDim = inputDim
        self.dims = dims
        w0 = FloatBuffer.allocate(inputDim * dims[0])
        weights = (0..<(dims.count - 1)).map { FloatBuffer.allocate(dims[$0] * dims[$0 + 1]) }
        guard random else { return }
        var rng = SplitMix64(seed: seed)
        func fill(_ p: UnsafeMutablePointer<Float>, _ n: Int, fanIn: Int) {
            let s = (6 / Float(fanIn)).squareRoot()
            for i in 0..<n { p[i] = (rng.nextUnitFloat() * 2 - 1) * s }
        }
        fill(w0, inputDim * dims[0], fanIn: inputDim)
        for l in 0..<weights.count { fill(weights[l], weightCount(l), fanIn: dims[l]) }
    }

    deinit {
        UnsafeMutableRawPointer(w0).deallocate()
        for w in weights { UnsafeMutableRawPointer(w).deallocate() }
    }

    static func validate(inputDim: Int, dims: [Int]) throws {
        guard dims.count >= 2 else { throw LexelError("network: dims \(dims) need at least two sizes (W0 and one dense layer)") }
        guard inputDim > 0, dims.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }) else {
            throw LexelError("network: input dimension \(inputDim) and dims \(dims) must be positive (at most 65536)")
        }
        guard inputDim.multipliedReportingOverflow(by: dims[0]).partialValue < 1 << 36 else {
            throw LexelError("network: W0 of \(inputDim) x \(dims[0]) floats is too large")
        }
    }

    /// The inference network (`LexicalNetwork`) with the current weights.
    public func network() throws -> LexicalNetwork {
        let layers = (0..<weights.count).map { [Float](UnsafeBufferPointer(start: weights[$0], count: weightCount($0))) }
        return try LexicalNetwork(w0: [Float](UnsafeBufferPointer(start: w0, count: inputDim * dims[0])),
                                  inputDim: inputDim, layers: layers, dims: dims)
    }

    /// The forward pass of `inputs` (at most the workspace's capacity), keeping activations and norms in `ws`.
    /// Outputs (unit rows, `inputs.count x outputDim`) are at `ws.output`.
    func forward(_ inputs: [SparseVector], _ ws: NetworkWorkspace, threads: Int) {
        let b = inputs.count
        precondition(b <= ws.capacity, "batch larger than the workspace")
        ws.rows = b
        let d0 = dims[0], w0 = Unchecked(self.w0), h0 = Unchecked(ws.h[0]), n0 = Unchecked(ws.norms[0])
        let v = inputDim
        let docs = Unchecked(inputs)
        DenseOps.parallel(b, threads: threads) { range in
            for i in range {
                let h = h0.value + i * d0
                Kernels.zero(h, d0)
                let x = docs.value[i]
                x.indices.withUnsafeBufferPointer { idx in
                    x.values.withUnsafeBufferPointer { val in
                        for k in 0..<idx.count where Int(idx[k]) < v { Kernels.axpy(val[k], w0.value + Int(idx[k]) * d0, h, d0) }
                    }
                }
                n0.value[i] = TrainableNetwork.activate(h, d0, relu: true)
            }
        }
        for l in 0..<denseLayers {
            let (nIn, nOut) = (dims[l], dims[l + 1])
            let packed = ws.forwardPack[l]
            DenseOps.repack(packed, from: weights[l], transposed: true, threads: threads)
            let dst = ws.h[l + 1]
            DenseOps.multiply(ws.h[l], rows: b, lda: nIn, packed, into: dst, ldc: nOut, threads: threads)
            let relu = l < denseLayers - 1
            let (out, norms) = (Unchecked(dst), Unchecked(ws.norms[l + 1]))
            DenseOps.parallel(b, threads: threads) { range in
                for i in range { norms.value[i] = TrainableNetwork.activate(out.value + i * nOut, nOut, relu: relu) }
            }
        }
    }

    /// The backward pass from `∂L/∂Y` (in `ws.outputGradient`, `rows x outputDim`, clobbered) after `forward` on
    /// the same workspace: dense gradients into `ws.gradients`, W₀'s gradient for the touched rows into `ws.sparse`.
    func backward(_ inputs: [SparseVector], _ ws: NetworkWorkspace, threads: Int) {
        let b = ws.rows
        precondition(inputs.count == b, "backward needs the inputs of the forward pass")
        var g = ws.outputGradient  // ∂L/∂(layer output), becomes ∂L/∂(pre-activation) in place
        var spare = ws.spareGradient
        TrainableNetwork.activationBackward(ws.h[denseLayers], ws.norms[denseLayers], g, rows: b, dims[denseLayers],
                                            relu: false, threads: threads)
        for l in (0..<denseLayers).reversed() {
            let (nIn, nOut) = (dims[l], dims[l + 1])
            // ∂L/∂W_l (out x in) = gᵀ (out x B) · H_l (B x in)
            DenseOps.transpose(g, rows: b, cols: nOut, into: ws.transposed, threads: threads)
            let hPack = ws.activationPack(l, rows: b)
            DenseOps.repack(hPack, from: ws.h[l], transposed: false, threads: threads)
            DenseOps.multiply(ws.transposed, rows: nOut, lda: b, hPack, into: ws.gradients[l], ldc: nIn, threads: threads)
            // ∂L/∂H_l (B x in) = g (B x out) · W_l (out x in)
            let wPack = ws.backwardPack[l]
            DenseOps.repack(wPack, from: weights[l], transposed: false, threads: threads)
            DenseOps.multiply(g, rows: b, lda: nOut, wPack, into: spare, ldc: nIn, threads: threads)
            swap(&g, &spare)
            TrainableNetwork.activationBackward(ws.h[l], ws.norms[l], g, rows: b, nIn, relu: true, threads: threads)
        }
        ws.sparse.accumulate(inputs, gradient: g, width: dims[0], inputDim: inputDim, threads: threads)
    }

    /// ReLU (optional) then L2 normalisation in place; returns the norm (0 for a zero vector, left zero).
    @inline(__always)
    static func activate(_ x: UnsafeMutablePointer<Float>, _ n: Int, relu: Bool) -> Float {
        if relu { for i in 0..<n { x[i] = max(x[i], 0) } }
        return Kernels.normalize(x, n)
    }

    /// In place, row by row: `g ← [h > 0] · (g − h (h·g)) / norm` (without the mask when `relu` is false;
    /// zero where the norm is zero).
    static func activationBackward(_ h: UnsafePointer<Float>, _ norms: UnsafePointer<Float>,
                                   _ g: UnsafeMutablePointer<Float>, rows: Int, _ n: Int, relu: Bool, threads: Int) {
        let (uh, un, ug) = (Unchecked(h), Unchecked(norms), Unchecked(g))
        DenseOps.parallel(rows, threads: threads) { range in
            for i in range {
                let hi = uh.value + i * n, gi = ug.value + i * n, norm = un.value[i]
                guard norm > 0 else { Kernels.zero(gi, n); continue }
                let d = Kernels.dot(hi, gi, n), inv = 1 / norm
                for j in 0..<n {
                    let v = (gi[j] - hi[j] * d) * inv
                    gi[j] = relu && hi[j] <= 0 ? 0 : v
                }
            }
        }
    }
}
