import LexelCore
import LexelKernels

/// Buffers of one training (or evaluation) batch: activations and norms of every layer, gradients, packed
/// operands. Allocated once for a batch capacity and reused every step.
final class NetworkWorkspace: @unchecked Sendable {
    let capacity: Int
    let dims: [Int]
    /// Rows of the last forward pass.
    var rows = 0
    /// `h[l]` (`capacity x dims[l]`): the output of W₀ (l = 0) and of each dense layer; the last one is the
    /// network output Y.
    let h: [UnsafeMutablePointer<Float>]
    /// The norm of each row before its normalisation, per layer.
    let norms: [UnsafeMutablePointer<Float>]
    /// `∂L/∂Y` goes here (`capacity x max(dims)`, so that the backward pass can work in it).
    let outputGradient: UnsafeMutablePointer<Float>
    let spareGradient: UnsafeMutablePointer<Float>
    /// `max(dims) x capacity`, for `gᵀ`.
    let transposed: UnsafeMutablePointer<Float>
    /// `∂L/∂W_l`, `dims[l + 1] x dims[l]`.
    let gradients: [UnsafeMutablePointer<Float>]
    /// `W_lᵀ` packed (`dims[l] x dims[l + 1]`) and `W_l` packed (`dims[l + 1] x dims[l]`).
    let forwardPack: [Gemm.PackedMatrix]
    let backwardPack: [Gemm.PackedMatrix]
    private var activationPacks: [Gemm.PackedMatrix?]
    /// W₀'s gradient, for the rows present in the batch.
    let sparse: SparseGradient
    private var owned: [UnsafeMutablePointer<Float>] = []

    /// Buffers for batches of up to `capacity` documents; `training: false` leaves out what only the backward
    /// pass needs.
    init(inputDim: Int, dims: [Int], capacity: Int, training: Bool) {
        self.capacity = capacity
        self.dims = dims
        let widest = dims.max()!
        var owned: [UnsafeMutablePointer<Float>] = []
        func alloc(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = FloatBuffer.allocate(max(1, n))
            owned.append(p)
            return p
        }
        h = dims.map { alloc(capacity * $0) }
        norms = dims.map { _ in alloc(capacity) }
        let layers = dims.count - 1
        forwardPack = (0..<layers).map { DenseOps.packedMatrix(rows: dims[$0], cols: dims[$0 + 1]) }
        if training {
            outputGradient = alloc(capacity * widest)
            spareGradient = alloc(capacity * widest)
            transposed = alloc(capacity * widest)
            gradients = (0..<layers).map { alloc(dims[$0] * dims[$0 + 1]) }
            backwardPack = (0..<layers).map { DenseOps.packedMatrix(rows: dims[$0 + 1], cols: dims[$0]) }
        } else {
            outputGradient = alloc(capacity * dims[layers])
            spareGradient = alloc(1)
            transposed = alloc(1)
            gradients = []
            backwardPack = []
        }
        activationPacks = Array(repeating: nil, count: layers)
        sparse = SparseGradient(inputDim: training ? inputDim : 0, width: dims[0])
        self.owned = owned
    }

    deinit { for p in owned { UnsafeMutableRawPointer(p).deallocate() } }

    /// The network output of the last forward pass, `rows x dims.last`.
    var output: UnsafeMutablePointer<Float> { h[dims.count - 1] }

    /// The packed `rows x dims[l]` activations of layer `l`, reused while the row count stays the same.
    func activationPack(_ l: Int, rows: Int) -> Gemm.PackedMatrix {
        if let p = activationPacks[l], p.rows == rows { return p }
        let p = DenseOps.packedMatrix(rows: rows, cols: dims[l])
        activationPacks[l] = p
        return p
    }
}

/// W₀'s gradient restricted to the rows (features) that occur in a batch: `rows` ascending, and one
/// `width`-float gradient row each. Row `f` gets `Σ_docs x_f · ∂L/∂a₀(doc)`, summed in document order.
final class SparseGradient: @unchecked Sendable {
    let inputDim: Int
    let width: Int
    /// Feature -> position in `rows` during `accumulate`; -1 otherwise.
    private let slot: UnsafeMutablePointer<Int32>
    /// The features present in the last batch, ascending.
    private(set) var rows: [Int32] = []
    private let values = FloatBuffer()

    init(inputDim: Int, width: Int) {
        self.inputDim = inputDim
        self.width = width
        slot = .allocate(capacity: max(1, inputDim))
        slot.initialize(repeating: -1, count: max(1, inputDim))
    }

    deinit { slot.deallocate() }

    /// Gradient row `k` belongs to feature `rows[k]`.
    var gradient: UnsafeMutablePointer<Float> { values.pointer }

    /// Gathers the features of `inputs` and their gradient rows from `g` (`inputs.count x width`, ∂L/∂a₀).
    /// Features at or past `inputDim` are ignored (the forward pass skips them too).
    func accumulate(_ inputs: [SparseVector], gradient g: UnsafePointer<Float>, width: Int, inputDim: Int, threads: Int) {
        precondition(width == self.width && inputDim == self.inputDim, "sparse gradient shape mismatch")
        var touched: [Int32] = []
        var nnz = 0
        for x in inputs {
            for f in x.indices where f >= 0 && Int(f) < inputDim {
                nnz += 1
                if slot[Int(f)] < 0 {
                    slot[Int(f)] = 0
                    touched.append(f)
                }
            }
        }
        touched.sort()
        for (k, f) in touched.enumerated() { slot[Int(f)] = Int32(k) }
        let r = touched.count
        // Entries grouped by row (counting sort), in document order within a row.
        var start = [Int](repeating: 0, count: r + 1)
        for x in inputs { for f in x.indices where f >= 0 && Int(f) < inputDim { start[Int(slot[Int(f)]) + 1] += 1 } }
        for k in 0..<r { start[k + 1] += start[k] }
        var cursor = start
        var doc = [Int32](repeating: 0, count: nnz), value = [Float](repeating: 0, count: nnz)
        for (i, x) in inputs.enumerated() {
            for (f, v) in zip(x.indices, x.values) where f >= 0 && Int(f) < inputDim {
                let k = Int(slot[Int(f)])
                doc[cursor[k]] = Int32(i)
                value[cursor[k]] = v
                cursor[k] += 1
            }
        }
        let out = Unchecked(values.reserve(max(1, r * width)))
        let (ug, w) = (Unchecked(g), width)
        start.withUnsafeBufferPointer { startP in
            doc.withUnsafeBufferPointer { docP in
                value.withUnsafeBufferPointer { valP in
                    let (s, d, v) = (Unchecked(startP), Unchecked(docP), Unchecked(valP))
                    DenseOps.parallel(r, threads: threads) { range in
                        for k in range {
                            let row = out.value + k * w
                            Kernels.zero(row, w)
                            for e in s.value[k]..<s.value[k + 1] {
                                Kernels.axpy(v.value[e], ug.value + Int(d.value[e]) * w, row, w)
                            }
                        }
                    }
                }
            }
        }
        for f in touched { slot[Int(f)] = -1 }
        rows = touched
    }
}
