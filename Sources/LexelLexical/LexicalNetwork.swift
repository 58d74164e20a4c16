import LexelKernels
import LexelText

/// The lexical-dense network (Luxical's shape, no biases): sparse TF-IDF x (V features) -> `W0` (stored V x d0,
/// so each nonzero adds one contiguous row) -> ReLU -> L2-normalise -> for each hidden layer: dense, ReLU,
/// L2-normalise -> last dense layer, linear -> L2-normalise. Dense layers run as batched matrix products.
public final class LexicalNetwork: @unchecked Sendable {
    /// Features (rows of W0).
    public let inputDim: Int
    /// Output sizes of W0 and of each dense layer, e.g. [96, 3072, 3072, 192].
    public let dims: [Int]
    /// W0, `inputDim x dims[0]` row-major.
    let w0: UnsafeMutablePointer<Float>
    let layers: [Gemm.PackedMatrix]

    public var outputDim: Int { dims[dims.count - 1] }

    /// A network from W0 (`inputDim x dims[0]`, row-major) and dense layers given as `out x in` matrices
    /// (PyTorch's and Luxical's layout).
    public init(w0: [Float], inputDim: Int, layers outByIn: [[Float]], dims: [Int]) throws {
        guard dims.count == outByIn.count + 1, dims.count >= 2, dims.allSatisfy({ $0 > 0 }), inputDim > 0 else {
            throw LexelError("network: \(outByIn.count) dense layers do not match dims \(dims)")
        }
        guard w0.count == inputDim * dims[0] else {
            throw LexelError("network: W0 has \(w0.count) values, expected \(inputDim) x \(dims[0])")
        }
        for (i, l) in outByIn.enumerated() where l.count != dims[i] * dims[i + 1] {
            throw LexelError("network: layer \(i + 1) has \(l.count) values, expected \(dims[i + 1]) x \(dims[i])")
        }
        self.inputDim = inputDim
        self.dims = dims
        self.w0 = .allocate(capacity: w0.count)
        self.w0.initialize(from: w0, count: w0.count)
        layers = outByIn.enumerated().map { i, l in
            l.withUnsafeBufferPointer { Gemm.PackedMatrix($0.baseAddress!, rows: dims[i], cols: dims[i + 1], transposed: true) }
        }
    }

    deinit { w0.deallocate() }

    /// A network of uniform random weights in +-sqrt(6 / fan-in) (Kaiming, as Luxical initialises), seeded.
    public static func random(inputDim: Int, dims: [Int], seed: UInt64) throws -> LexicalNetwork {
        var rng = SplitMix64(seed: seed)
        func draw(_ n: Int, fanIn: Int) -> [Float] {
            let s = (6 / Float(fanIn)).squareRoot()
            return (0..<n).map { _ in (rng.nextUnitFloat() * 2 - 1) * s }
        }
        let w0 = draw(inputDim * dims[0], fanIn: inputDim)
        let layers = (1..<dims.count).map { draw(dims[$0] * dims[$0 - 1], fanIn: dims[$0 - 1]) }
        return try LexicalNetwork(w0: w0, inputDim: inputDim, layers: layers, dims: dims)
    }

    /// Embeds a batch of sparse inputs into `out` (`inputs.count x outputDim`, row-major). `scratch` must hold
    /// `2 * inputs.count * max(dims)` floats.
    public func embed(_ inputs: [SparseVector], into out: UnsafeMutablePointer<Float>,
                      scratch: UnsafeMutablePointer<Float>) {
        let m = inputs.count
        guard m > 0 else { return }
        let width = dims.max()!
        var cur = scratch, next = scratch + m * width
        // W0: sum of weighted rows, then ReLU and L2
        let d0 = dims[0]
        for (i, x) in inputs.enumerated() {
            let h = cur + i * width
            Kernels.zero(h, d0)
            for (idx, v) in zip(x.indices, x.values) where Int(idx) < inputDim {
                Kernels.axpy(v, w0 + Int(idx) * d0, h, d0)
            }
            LexicalNetwork.reluNormalize(h, d0)
        }
        for (l, layer) in layers.enumerated() {
            let last = l == layers.count - 1
            let dst = last ? out : next
            let ld = last ? outputDim : width
            Gemm.multiply(cur, rows: m, lda: width, layer, into: dst, ldc: ld)
            for i in 0..<m {
                if last { _ = Kernels.normalize(dst + i * ld, layer.cols) } else { LexicalNetwork.reluNormalize(dst + i * ld, layer.cols) }
            }
            swap(&cur, &next)
        }
    }

    /// ReLU then L2 normalisation (a zero vector stays zero).
    @inline(__always)
    static func reluNormalize(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n where x[i] < 0 { x[i] = 0 }
        _ = Kernels.normalize(x, n)
    }
}
