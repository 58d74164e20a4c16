import LexelCore
import LexelKernels

/// The lexical-dense network (Luxical's shape, no biases): sparse TF-IDF x (V features) -> `W0` (stored V x d0,
/// so each nonzero adds one contiguous row) -> ReLU -> L2-normalise -> for each hidden layer: dense, ReLU,
/// L2-normalise -> last dense layer, linear -> L2-normalise. Dense layers run as batched matrix products.
/// With no dense layers (`dims` has one entry: a static model, `lexel distill-static`) the output is W0's weighted
/// sum, L2-normalised, with no ReLU, followed by the feature sketch's dimensions where there is one (`FeatureSketch`).
public final class LexicalNetwork: @unchecked Sendable {
    /// Features (rows of W0).
    public var inputDim: Int { input.count }
    /// Output sizes of W0 and of each dense layer, e.g. [96, 3072, 3072, 192].
    public let dims: [Int]
    /// W0, `inputDim x dims[0]`, in f32, f16 or int8.
    public let input: InputRows
    /// Dense layers packed for `Gemm` (layer `l` maps `dims[l]` to `dims[l + 1]`), f32 or int8.
    let layers: [DenseLayer]
    /// The dense layers' arithmetic: f32, int8 or bf16 (`withLayers`; f32 for a static model, which has none).
    public var layerKind: LayerChoice {
        switch layers.first {
        case .int8: return .int8
        case .bf16: return .bf16
        default: return .f32
        }
    }
    /// The kernel the dense layers run on this CPU, for reports: `Gemm.int8Kernel`, `Gemm.bf16Kernel` or "f32".
    public var layerKernel: String {
        switch layerKind {
        case .int8: return Gemm.int8Kernel
        case .bf16: return Gemm.bf16Kernel
        default: return "f32"
        }
    }
    /// Whether the dense layers run in 8-bit integers (`withLayers(.int8)`).
    public var int8Layers: Bool { layerKind == .int8 }
    /// Weights of the dense layers (W0 not counted).
    public var denseWeightCount: Int { (1..<dims.count).reduce(0) { $0 + dims[$1 - 1] * dims[$1] } }
    /// Whether the output is W0's normalised sum (and the sketch, if any), with no dense layers (a static model).
    public var isStatic: Bool { layers.isEmpty }

    /// Exact-match dimensions appended to a static model's output (`FeatureSketch`), or nil.
    public let sketch: FeatureSketch?

    /// The last layer's size, plus the sketch's dimensions where there is one.
    public var outputDim: Int { dims[dims.count - 1] + (sketch?.dims ?? 0) }
    /// Widest activation, for scratch sizing.
    public var width: Int { max(dims.max()!, outputDim) }

    init(input: InputRows, packed: [Gemm.PackedMatrix], dims: [Int]) {
        (self.input, layers, self.dims, sketch) = (input, packed.map { .f32($0) }, dims, nil)
    }

    init(input: InputRows, layers: [DenseLayer], dims: [Int], sketch: FeatureSketch? = nil) {
        (self.input, self.layers, self.dims, self.sketch) = (input, layers, dims, sketch)
    }

    /// This static network with `sketch` appended to its output (one IDF per feature).
    public func withSketch(_ sketch: FeatureSketch) throws -> LexicalNetwork {
        guard isStatic else { throw LexelError("network: a feature sketch needs a static model (no dense layers)") }
        guard sketch.idf.count == inputDim else {
            throw LexelError("network: the sketch has \(sketch.idf.count) IDF values for \(inputDim) features")
        }
        return LexicalNetwork(input: input, layers: layers, dims: dims, sketch: sketch)
    }

    /// The same network with its dense layers in `choice`'s arithmetic (as it resolves for this network), from
    /// the current layers' values: int8 quantises weights to -63...63 (one scale per output unit; activations are
    /// quantised per row to 7 bits on the fly), bf16 rounds weights and activations. W0 is shared, not copied.
    /// bf16 on a CPU without AVX-512 BF16 is an error.
    public func withLayers(_ choice: LayerChoice) throws -> LexicalNetwork {
        let kind = choice.resolved(for: self)
        if kind == layerKind || isStatic { return self }
        let q = try withBuffers((0..<layers.count).map(layer)) { try LexicalNetwork.denseLayers($0, dims: dims, choice: kind) }
        return LexicalNetwork(input: input, layers: q, dims: dims)
    }

    static func check(input: InputRows, layerCounts: [Int], dims: [Int]) throws {
        guard dims.count == layerCounts.count + 1, dims.allSatisfy({ $0 > 0 }), input.count > 0 else {
            throw LexelError("network: \(layerCounts.count) dense layers do not match dims \(dims)")
        }
        guard input.dim == dims[0] else { throw LexelError("network: W0 rows have \(input.dim) values, expected \(dims[0])") }
        for (i, n) in layerCounts.enumerated() where n != dims[i] * dims[i + 1] {
            throw LexelError("network: layer \(i + 1) has \(n) values, expected \(dims[i + 1]) x \(dims[i])")
        }
    }

    /// A network from W0 rows and dense layers given as `out x in` row-major matrices (PyTorch's and Luxical's
    /// layout).
    /// `choice` picks the layers' arithmetic (`LayerChoice`); int8 layers are quantised straight from these weights.
    public convenience init(input: InputRows, layers outByIn: [UnsafeBufferPointer<Float>], dims: [Int],
                            choice: LayerChoice = .f32) throws {
        try LexicalNetwork.check(input: input, layerCounts: outByIn.map(\.count), dims: dims)
        self.init(input: input, layers: try LexicalNetwork.denseLayers(outByIn, dims: dims, choice: choice), dims: dims)
    }

    /// Dense layers from `out x in` matrices, packed in f32, quantised to int8 or rounded to bf16 as `choice`
    /// resolves.
    static func denseLayers(_ outByIn: [UnsafeBufferPointer<Float>], dims: [Int], choice: LayerChoice) throws -> [DenseLayer] {
        let kind = choice.resolved(denseWeights: outByIn.reduce(0) { $0 + $1.count })
        if kind == .bf16, !Gemm.bf16Available, !outByIn.isEmpty {
            throw LexelError("bf16 dense layers need a CPU with AVX-512 BF16, which this one lacks (or LEXEL_MAX_ISA "
                             + "caps): use --layers f32 or int8")
        }
        return outByIn.enumerated().map { i, l in
            let (w, k, n) = (l.baseAddress!, dims[i], dims[i + 1])
            switch kind {
            case .int8: return .int8(Gemm.Int8Matrix(w, rows: k, cols: n, transposed: true))
            case .bf16: return .bf16(Gemm.BF16Matrix(w, rows: k, cols: n, transposed: true))
            default: return .f32(Gemm.PackedMatrix(w, rows: k, cols: n, transposed: true))
            }
        }
    }

    /// A network from f32 arrays: W0 `inputDim x dims[0]` row-major and dense layers `out x in`.
    public convenience init(w0: [Float], inputDim: Int, layers outByIn: [[Float]], dims: [Int],
                            dtype: RowType = .f32, choice: LayerChoice = .f32) throws {
        guard inputDim > 0, let d0 = dims.first, d0 > 0, w0.count == inputDim * d0 else {
            throw LexelError("network: W0 has \(w0.count) values, expected \(inputDim) x \(dims.first ?? 0)")
        }
        let input = w0.withUnsafeBufferPointer { InputRows($0.baseAddress!, count: inputDim, dim: d0, dtype: dtype) }
        try LexicalNetwork.check(input: input, layerCounts: outByIn.map(\.count), dims: dims)
        self.init(input: input, layers: try withBuffers(outByIn) { try LexicalNetwork.denseLayers($0, dims: dims, choice: choice) }, dims: dims)
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
        let (k, n) = (dims[l], dims[l + 1])
        var out = [Float](repeating: 0, count: k * n)
        for j in 0..<n { for p in 0..<k { out[j * k + p] = layers[l][p, j] } }
        return out
    }

    /// Scratch floats `embed` needs for a batch of `m` inputs (two activation buffers, and room for the
    /// quantised activations and their row scales of int8 layers, or the rounded activations of bf16 layers).
    public func scratchCount(batch m: Int) -> Int {
        switch layerKind {
        case .int8: return 2 * m * width + m * (Gemm.quantizedStride(width) / 4 + 1)
        case .bf16: return 2 * m * width + m * Gemm.bf16Stride(width) / 2
        default: return 2 * m * width
        }
    }

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
        if layers.isEmpty {  // a static model: the first layer's rows are the output
            (out).update(from: scratch, count: m * width)
            return
        }
        var cur = scratch, next = scratch + m * width
        for (l, layer) in layers.enumerated() {
            let last = l == layers.count - 1
            let dst = last ? out : next
            let ld = last ? outputDim : width
            let cols = dims[l + 1]
            switch layer {
            case .f32(let w):
                Gemm.multiply(cur, rows: m, lda: width, w, into: dst, ldc: ld)
            case .int8(let w):
                // Quantised activations live past the two float buffers.
                let scales = scratch + 2 * m * width, stride = Gemm.quantizedStride(width)
                let bytes = UnsafeMutableRawPointer(scales + m).assumingMemoryBound(to: UInt8.self)
                Gemm.quantizeRows(cur, rows: m, cols: dims[l], lda: width, into: bytes, ldq: stride, scales: scales)
                Gemm.multiply(bytes, rows: m, lda: stride, rowScales: scales, w, into: dst, ldc: ld)
            case .bf16(let w):
                // Rounded activations live past the two float buffers.
                let stride = Gemm.bf16Stride(width)
                let values = UnsafeMutableRawPointer(scratch + 2 * m * width).assumingMemoryBound(to: UInt16.self)
                Gemm.roundRowsBF16(cur, rows: m, cols: dims[l], lda: width, into: values, ldq: stride)
                Gemm.multiply(values, rows: m, lda: stride, w, into: dst, ldc: ld)
            }
            for i in 0..<m {
                if last { _ = Kernels.normalize(dst + i * ld, cols) } else { LexicalNetwork.reluNormalize(dst + i * ld, cols) }
            }
            swap(&cur, &next)
        }
    }

    /// W0 for one input: the weighted sum of its rows, then ReLU (none in a static model) and L2 (`h` holds `dims[0]`
    /// floats; a static model with a sketch writes its `outputDim` floats).
    @inline(__always)
    public func firstLayer(_ x: SparseVector, into h: UnsafeMutablePointer<Float>) {
        let d0 = dims[0]
        Kernels.zero(h, d0)
        input.accumulate(x, into: h)
        guard layers.isEmpty else { return LexelNetworkMath.reluNormalize(h, d0) }
        let rows = Kernels.normalize(h, d0)
        guard let sketch else { return }
        let (norm, tokens) = sketch.write(x, into: h + d0)
        if norm > 0, rows > 0 {   // both blocks nonzero: weight them
            let w = sketch.weight(tokens: tokens)
            Kernels.scale((1 - w).squareRoot(), h, d0)
            Kernels.scale(w.squareRoot(), h + d0, sketch.dims)
        }
    }

    /// ReLU then L2 normalisation (a zero vector stays zero).
    @inline(__always)
    static func reluNormalize(_ x: UnsafeMutablePointer<Float>, _ n: Int) { LexelNetworkMath.reluNormalize(x, n) }
}

/// One dense layer's weights, `in x out`, packed for `Gemm` in f32, quantised to int8 or rounded to bf16.
enum DenseLayer: @unchecked Sendable {
    case f32(Gemm.PackedMatrix)
    case int8(Gemm.Int8Matrix)
    case bf16(Gemm.BF16Matrix)

    /// Inputs and outputs.
    var rows: Int { switch self { case .f32(let w): w.rows; case .int8(let w): w.rows; case .bf16(let w): w.rows } }
    var cols: Int { switch self { case .f32(let w): w.cols; case .int8(let w): w.cols; case .bf16(let w): w.cols } }

    /// Element `(p, j)` (input `p`, output `j`).
    subscript(p: Int, j: Int) -> Float {
        switch self {
        case .f32(let w): return w[p, j]
        case .int8(let w): return w[p, j]
        case .bf16(let w): return w[p, j]
        }
    }
}

enum LexelNetworkMath {
    /// ReLU then L2 normalisation (a zero vector stays zero).
    @inline(__always)
    static func reluNormalize(_ x: UnsafeMutablePointer<Float>, _ n: Int) {
        for i in 0..<n where x[i] < 0 { x[i] = 0 }
        _ = Kernels.normalize(x, n)
    }
}
