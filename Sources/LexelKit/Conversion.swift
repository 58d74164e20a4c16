import LexelCore
import LexelKernels
import LexelLexical
import LexelStore
import LexelText
import LexelVectors

/// The `convert` use case: word vectors of any kind to a `.lxv` file, or exported as word2vec text (`.vec`,
/// `.txt`), word2vec binary (`.bin`) or a float32 `.npy` plus `OUT.keys.txt`; lexical models (`.lxm` output) from
/// a Luxical `.npz` or another `.lxm`. Every option given applies to the output, or is an error saying why not.
public struct Conversion {
    public var dtype = RowType.f32
    public var layerType = RowType.f32
    public var normalize = false
    public var maxWords: Int?
    public var foldCase = false
    /// Whether `dtype` / `layerType` were given (they only apply to some outputs).
    public var dtypeGiven = false, layerTypeGiven = false
    /// A static model's feature sketch, given a new short-text weight and length (`FeatureSketch`); nil: as it is.
    public var sketchShortWeight: Float?, sketchShortLength: Float?

    public init() {}

    /// What an output path asks for.
    public enum Output { case vectorFile, lexicalModel, text, word2vecBinary, npy }

    public static func output(for path: String) -> Output {
        if path.hasSuffix(".lxm") { return .lexicalModel }
        if path.hasSuffix(".vec") || path.hasSuffix(".txt") { return .text }
        if path.hasSuffix(".bin") { return .word2vecBinary }
        if path.hasSuffix(".npy") { return .npy }
        return .vectorFile
    }

    public func run(input: String, output: String) throws {
        if let m = maxWords, m <= 0 { throw LexelError("--max-words must be positive (got \(m))") }
        let out = Conversion.output(for: output)
        if layerTypeGiven && out != .lexicalModel { throw LexelError("--layer-dtype applies to lexical models (.lxm output) only") }
        if (sketchShortWeight != nil || sketchShortLength != nil) && out != .lexicalModel {
            throw LexelError("--sketch-short-weight and --sketch-short-length apply to static lexical models (.lxm output) only")
        }
        if layerType == .int8 { throw LexelError("--layer-dtype: expected f32 or f16 (got 'int8')") }
        try OutputPath.checkWritable(output)
        let kind = try ModelFiles.kind(of: input)
        switch out {
        case .lexicalModel:
            if normalize || maxWords != nil || foldCase {
                throw LexelError("--normalize, --max-words and --fold-case apply to word vectors, not to lexical models (.lxm)")
            }
            guard kind == .lexicalModel || kind == .luxicalModel else {
                throw LexelError(file: input, "this is \(kind.description); a .lxm output needs a lexical model (.lxm or Luxical .npz)")
            }
            var model = try LexicalModel.load(path: input)
            if sketchShortWeight != nil || sketchShortLength != nil {
                guard let sketch = model.network.sketch else {
                    throw LexelError(file: input, "--sketch-short-weight and --sketch-short-length apply to static models with a feature sketch; this model has none")
                }
                let changed = try FeatureSketch(dims: sketch.dims, weight: sketch.weight, idf: sketch.idf,
                                                shortWeight: sketchShortWeight ?? sketch.shortWeight,
                                                shortLength: sketchShortLength ?? sketch.shortLength)
                model = try LexicalModel(tokenizer: model.tokenizer, vocabulary: model.vocabulary,
                                         network: model.network.withSketch(changed), tfidf: model.tfidf, info: model.info)
            }
            try model.write(path: output, dtype: dtype, layerType: layerType)
        case .vectorFile:
            var o = VectorFileOptions()
            (o.dtype, o.normalize, o.maxWords, o.foldCase) = (dtype, normalize, maxWords, foldCase)
            switch kind {
            case .plainVectors:
                // word2vec / GloVe / .vec input: parsed row by row while the .lxv is written (bounded memory)
                let rows = try VectorFileRows(path: input, format: input.hasSuffix(".bin") ? .word2vecBinary : .text)
                try VectorFileWriter.write(rows: rows, to: output, options: o, source: input)
            default:
                try VectorFileWriter.write(try wordVectors(input, kind), to: output, options: o, source: input)
            }
        case .text, .word2vecBinary, .npy:
            if dtypeGiven && dtype != .f32 {
                throw LexelError(file: output, "--dtype \(dtype.rawValue): .vec, .txt, .bin and .npy outputs hold float32; "
                                 + "quantised rows need a .lxv output")
            }
            if foldCase { throw LexelError("--fold-case builds an index inside .lxv files; it does not apply to \(output)") }
            let v = Conversion.plain(try wordVectors(input, kind), maxWords: maxWords, normalize: normalize)
            switch out {
            case .text: try TextVectors.write(v, path: output)
            case .word2vecBinary: try Word2VecBinary.write(v, path: output)
            default: try Word2VecBinary.writeNpy(v, path: output)
            }
        }
    }

    /// Word vectors from any input kind; a `.lxv` input is verified section by section first, so that a damaged
    /// file is reported instead of re-checksummed into a new one.
    func wordVectors(_ input: String, _ kind: ModelFiles.Kind) throws -> WordVectors {
        if kind == .vectorFile {
            let f = try VectorFile(path: input)
            try f.verify()
            return try f.wordVectors()
        }
        return try ModelFiles.wordVectors(input, for: "convert")
    }

    /// Whole-word vectors only (subword rows folded into each word's vector, as `.vec` files hold them): the
    /// first `maxWords` words, unit length with `normalize`. Returns `v` itself when nothing changes.
    public static func plain(_ v: WordVectors, maxWords: Int?, normalize: Bool) -> WordVectors {
        let n = min(maxWords ?? v.vocabulary.count, v.vocabulary.count)
        guard n < v.vocabulary.count || normalize else { return v }
        let m = Matrix(rows: max(1, n), cols: v.dim)
        for i in 0..<n {
            v.wordVector(i, into: m.row(i))
            if normalize { _ = Kernels.normalize(m.row(i), v.dim) }
        }
        let words = (0..<n).map { Array(v.vocabulary.bytes($0)) }
        let counts = Array(v.vocabulary.counts.prefix(n))
        let vocabulary = Vocabulary(words: words, counts: counts, totalTokens: counts.reduce(0, +))
        return WordVectors(vocabulary: vocabulary, rows: UnsafePointer(m.pointer), rowCount: n, dim: v.dim, minn: 0, maxn: 0,
                           bucket: 0, usedBuckets: UnsafeBufferPointer(start: nil, count: 0), metadata: v.metadata, owners: [m])
    }
}
