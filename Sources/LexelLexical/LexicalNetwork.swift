import LexelKernels
import LexelStore
import LexelText

/// The lexical-dense network (Luxical's shape, no biases): sparse TF-IDF x (V features) -> `W0` (stored V x d0,
/// so each nonzero adds one contiguous row) -> ReLU -> L2-normalise -> for each hidden layer: dense, ReLU,
/// L2-normalise -> last dense layer, linear -> L2-normalise. Dense layers run as batched matrix products.
public final class LexicalNetwork: @unchecked Sendable {
    /// Features (rows of W0).
    public var inputDim: Int { input.count }
    /// Output sizes of W0 and of each dense layer, e.g. [96, 3072, 3072, 192].
    public let dims: [Int]
    /// W0, `inputDim x dims[0]`, in f32, f16 or int8.
    public let input: InputRows
    /// Dense layers packed for `Gemm` (layer `l` maps `dims[l]` to `dims[l + 1]`).
    let layers: [Gemm.PackedMatrix]

    public var outputDim: Int { dims[dims.count - 1] }
    /// Widest activation, for scratch sizing.
    public var width: Int { dims.max()! }

    init(input: InputRows, packed: [Gemm.PackedMatrix], dims: [Int]) {
        (self.input, layers, self.dims) = (input, packed, dims)
    }

    static func check(input: InputRows, layerCounts: [Int], dims: [Int]) throws {
        guard dims.count == layerCounts.count + 1, dims.count >= 2, dims.allSatisfy({ $0 > 0 }), input.count > 0 else {
            throw LexelError("network: \(layerCounts.count) dense layers do not match dims \(dims)")
        }
        guard input.dim == dims[0] else { throw LexelError("network: W0 rows have \(input.dim) values, expected \(dims[0])") }
        for (i, n) in layerCounts.enumerated() where n != dims[i] * dims[i + 1] {
            throw LexelError("network: layer \(i + 1) has \(n) values, expected \(dims[i + 1]) x \(dims[i])")
        }
    }

    /// A network from W0 rows and dense layers given as `out x in` row-major matrices (PyTorch's and Luxical's
    /// layout).
    public convenience init(input: InputRows, layers outByIn: [UnsafeBufferPointer<Float>], dims: [Int]) throws {
        try LexicalNetwork.check(input: input, layerCounts: outByIn.map(\.count), dims: dims)
        let packed = outByIn.enumerated().map { i, l in
            Gemm.PackedMatrix(l.baseAddress!, rows: dims[i], cols: dims[i + 1], transposed: true)
        }
        self.init(input: input, packed: packed, dims: dims)
    }

    /// A network from f32 arrays: W0 `inputDim x dims[0]` row-major and dense layers `out x in`.
    public convenience init(w0: [Float], inputDim: Int, layers outByIn: [[Float]], dims: [Int],
                            dtype: VectorFileFormat.DType = .f32) throws {
        guard inputDim > 0, let d0 = dims.first, d0 > 0, w0.count == inputDim * d0 else {
            throw LexelError("network: W0 has \(w0.count) values, expected \(inputDim) x \(dims.first ?? 0)")
        }
        let input = w0.withUnsafeBufferPointer { InputRows($0.baseAddress!, count: inputDim, dim: d0, dtype: dtype) }
        try LexicalNetwork.check(input: input, layerCounts: outByIn.map(\.count), dims: dims)
        let packed = outByIn.enumerated().map { i, l in
            l.withUnsafeBufferPointer { Gemm.PackedMatrix($0.baseAddress!, rows: dims[i], cols: dims[i + 1], transposed: true) }
        }
        self.init(input: input, packed: packed, dims: dims)
    }

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

    /// Dense layer `l` (0-based, after W0) as an `out x in` row-major matrix.
    public func layer(_ l: Int) -> [Float] {
        let m = layers[l]
        var out = [Float](repeating: 0, count: m.rows * m.cols)
        for j in 0..<m.cols { for p in 0..<m.rows { out[j * m.rows + p] = m[p, j] } }
        return out
    }

    /// Scratch floats `embed` needs for a batch of `m` inputs.
    public func scratchCount(batch m: Int) -> Int { 2 * m * width }

    /// Embeds a batch of sparse inputs into `out` (`inputs.count x outputDim`, row-major). `scratch` must hold
    /// `scratchCount(batch: inputs.count)` floats.
    public func embed(_ inputs: [SparseVector], into out: UnsafeMutablePointer<Float>,
                      scratch: UnsafeMutablePointer<Float>) {
        inputs.withUnsafeBufferPointer { embed($0, into: out, scratch: scratch) }
    }

    /// `embed` over a buffer of inputs.
    public func embed(_ inputs: UnsafeBufferPointer<SparseVector>, into out: UnsafeMutablePointer<Float>,
                      scratch: UnsafeMutablePointer<Float>) {
        for (i, x) in inputs.enumerated() { firstLayer(x, into: scratch + i * width) }
        dense(rows: inputs.count, scratch: scratch, into: out)
    }

    /// The dense layers for `m` rows whose first-layer activations are in `scratch` (row stride `width`);
    /// the rest of `scratch` (`scratchCount(batch: m)` floats in all) is overwritten.
    public func dense(rows m: Int, scratch: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>) {
        guard m > 0 else { return }
        var cur = scratch, next = scratch + m * width
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

    /// W0 for one input: the weighted sum of its rows, then ReLU and L2 (`h` holds `dims[0]` floats).
    @inline(__always)
    public func firstLayer(_ x: SparseVector, into h: UnsafeMutablePointer<Float>) {
        let d0 = dims[0]
        Kernels.zero(h, d0)
        x.indices.withUnsafeBufferPointer { idx in
            x.values.withUnsafeBufferPointer { val in
                for k in 0..<idx.count where Int(idx[k]) < input.count {
                    input.accumulate(row: Int(idx[k]), weight: val[k], into: h)
                }
            }
        }
        LexelNetworkMath.reluNormalize(h, d0)
    }

    /// ReLU then L2 normalisation (a zero vector stays zero).
    @inline(__always)
    static func reluNormalize(_ x: UnsafeMutablePointer<Float>, _ n: Int) { LexelNetworkMath.reluNormalize(x, n) }
}

enum LexelNetworkMath {
    /// ReLU then L2 normalisation (a zero vector stays zero).
    @inline(__always)
    static func reluNormalize(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n where x[i] < 0 { x[i] = 0 }
        _ = Kernels.normalize(x, n)
    }
}
