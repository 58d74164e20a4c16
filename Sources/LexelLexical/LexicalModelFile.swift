#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelContainer
import LexelCore
import LexelIO
import LexelKernels
import LexelText

/// Lexical models in the `.lxv` container (docs/lexical-model.md): meta `kind=lexical-model`, the WordPiece
/// vocabulary, the n-gram feature hashes and IDF, W0 rows (f32, f16 or int8, mapped in place when loaded) and
/// the dense layers (`out x in`, f32 or f16, unpacked into f32 when loaded); a static model with a feature sketch
/// adds meta `sketch-dims` and `sketch-weight` (and `sketch-short-weight`, `sketch-short-length` where short texts
/// weigh the sketch more) and the sketch's IDF (one f32 per feature).
extension LexicalModel {
    /// The values of meta `requires` this build understands (a comma-separated list of features the embeddings
    /// depend on beyond the base format; a reader that finds one it does not know refuses the file).
    public static let knownRequirements: Set<String> = ["sketch-short-weight"]

    /// Writes the model atomically. `dtype` is W0's storage; `layerType` the dense layers' (f32 or f16).
    public func write(path: String, dtype: RowType? = nil, layerType: RowType = .f32) throws {
        guard layerType != .int8 else { throw LexelError(file: path, "dense layers are stored as f32 or f16, not int8") }
        let dtype = dtype ?? network.input.dtype
        let net = network
        var meta: [(String, String)] = [
            ("kind", "lexical-model"), ("input-dim", "\(net.inputDim)"), ("dims", net.dims.map(String.init).joined(separator: ",")),
            ("dtype", dtype.rawValue), ("layer-dtype", layerType.rawValue), ("minn", "\(vocabulary.minN)"),
            ("maxn", "\(vocabulary.maxN)"), ("tf", tfidf.sublinearTF ? "sublinear" : "raw"),
            ("tfidf-normalize", "\(tfidf.normalize)"), ("tokenizer", "wordpiece-bert-uncased"),
            ("unknown-token", tokenizer.vocabulary[Int(tokenizer.unknownID)]), ("max-chars-per-word", "\(tokenizer.maxCharsPerWord)"),
        ]
        if let sketch = net.sketch {
            meta += [("sketch-dims", "\(sketch.dims)"), ("sketch-weight", "\(sketch.weight)")]
            if sketch.shortWeight > 0 {
                meta += [("sketch-short-weight", "\(sketch.shortWeight)"), ("sketch-short-length", "\(sketch.shortLength)"),
                         ("requires", "sketch-short-weight")]
            }
        }
        meta += info.sorted { $0.key < $1.key }.filter { k, _ in
            !meta.contains { $0.0 == k } && !k.hasPrefix("sketch-") && k != "requires"
        }
        let w = try SectionWriter(path: path, sectionCount: net.sketch == nil ? 7 : 8)
        try w.section(.meta, compressing: Array(meta.map { "\($0)=\($1.replacingNewlines)\n" }.joined().utf8))
        try w.section(.tokenizerVocab, compressing: Array(tokenizer.vocabulary.joined(separator: "\n").utf8))
        try vocabulary.hashes.withUnsafeBytes { try w.section(.ngramHashes, raw: $0) }
        try vocabulary.idf.withUnsafeBytes { try w.section(.ngramIDF, raw: $0) }
        let (d0, src) = (net.dims[0], net.input)
        var scales: [Float] = []
        let row = [Float](unsafeUninitializedCapacity: d0) { _, n in n = d0 }
        var code = [UInt8](repeating: 0, count: d0 * dtype.size)
        try w.section(.networkInput) { emit in
            if src.dtype == dtype { return try emit(src.storedBytes) }
            var row = row
            for r in 0..<src.count {
                row = src.row(r)
                let s = row.withUnsafeBufferPointer { x in code.withUnsafeMutableBytes { RowCodec.encode(x.baseAddress!, d0, dtype, into: $0.baseAddress!) } }
                if dtype == .int8 { scales.append(s) }
                try code.withUnsafeBytes { try emit($0) }
            }
        }
        if dtype == .int8 {
            if src.dtype == .int8, let s = src.storedScales { scales = Array(s) }
            try scales.withUnsafeBytes { try w.section(.networkInputScales, raw: $0) }
        }
        try w.section(.networkLayers) { emit in
            for l in 0..<(net.dims.count - 1) {
                let m = net.layer(l)
                if layerType == .f32 {
                    try m.withUnsafeBytes { try emit($0) }
                } else {
                    try m.map { Float16($0) }.withUnsafeBytes { try emit($0) }
                }
            }
        }
        if let sketch = net.sketch { try sketch.idf.withUnsafeBytes { try w.section(.sketchIDF, raw: $0) } }
        try w.commit()
    }

    /// Opens a model: a Lexel `.lxv` lexical model (W0 mapped in place) or a Luxical `.npz`. Every section
    /// that is read in full is checksummed (meta, tokenizer, n-gram hashes and IDF, int8 scales, dense layers);
    /// W0, mapped in place and read row by row as documents need them, is not: `ContainerFile.verify()` (or
    /// `lexel embed --verify`) checks it too. Errors name the file and, where there is one, the byte offset.
    /// `layers` picks the dense layers' arithmetic (`LayerChoice`; int8 is quantised once, here).
    public static func load(path: String, layers: LayerChoice = .f32) throws -> LexicalModel {
        if LuxicalModel.isNPZ(path: path) { return try LuxicalModel.load(path: path, layers: layers) }
        let choice = layers
        if let other = ModelFileKind.foreign(path: path) {
            throw LexelError(file: path, offset: 0, "not a lexical model: this is \(other); expected a Lexel model "
                             + "(.lxm, from `lexel distill`) or a Luxical .npz")
        }
        let c = try ContainerFile(path: path, kinds: LexicalModel.sectionKinds)
        let meta = c.meta
        guard meta["kind"] == "lexical-model" else {
            throw LexelError(file: path, "not a lexical model (a Lexel \(meta["kind"] ?? "vector") file); make one with `lexel distill`")
        }
        let m = try c.require(.meta)
        // Features a reader must know to compute the embeddings the writer meant (readers older than a feature
        // would otherwise skip its keys silently); readers from before this key ignore it.
        if let required = meta["requires"] {
            let unknown = required.split(separator: ",").map(String.init).filter { !LexicalModel.knownRequirements.contains($0) }
            guard unknown.isEmpty else {
                throw c.error(Int(m.offset), "section meta: the model needs \(unknown.joined(separator: ", ")), which this build of "
                              + "Lexel does not know: use a newer Lexel")
            }
        }
        let dims = (meta["dims"] ?? "").split(separator: ",").compactMap { Int($0) }
        guard let v = Int(meta["input-dim"] ?? ""), v > 0, v < Int(UInt32.max), dims.count >= 1, dims.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }),
              let dtype = RowType(rawValue: meta["dtype"] ?? ""),
              let layerType = RowType(rawValue: meta["layer-dtype"] ?? "f32"), layerType != .int8,
              let minN = Int(meta["minn"] ?? ""), let maxN = Int(meta["maxn"] ?? ""), minN >= 1, maxN >= minN, maxN <= 16 else {
            throw c.error(Int(m.offset), "section meta: input-dim, dims, dtype, minn or maxn missing or implausible")
        }
        return try naming(path) {
            // Bounded before splitting: a few compressed bytes can hold millions of empty lines.
            let vocabText = try c.decoded(.tokenizerVocab, limit: BertTokenizer.maxVocabularyBytes)
            let lines = vocabText.withUnsafeBytes { b in  // memchr: a loop per byte is slow in debug builds
                var count = 1, at = 0
                while at < b.count, let p = memchr(b.baseAddress! + at, 0x0A, b.count - at) {
                    count += 1
                    at = b.baseAddress!.distance(to: UnsafeRawPointer(p)) + 1
                }
                return count
            }
            guard lines <= BertTokenizer.maxVocabularySize else {
                throw c.error(Int(c.entry(.tokenizerVocab)!.offset),
                              "section tokenizer-vocab: \(lines) tokens (at most \(BertTokenizer.maxVocabularySize))")
            }
            let tokens = vocabText.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            let tokenizer = try BertTokenizer(vocabulary: tokens, unknownToken: meta["unknown-token"] ?? "[UNK]",
                                              maxCharsPerWord: Int(meta["max-chars-per-word"] ?? "") ?? 100)
            let hashes = try c.raw(.ngramHashes, expect: v * 8, verify: true, "for \(v) features")
            let idf = try c.raw(.ngramIDF, expect: v * 4, verify: true, "for \(v) features")
            let rows = try c.raw(.networkInput, expect: v * dims[0] * dtype.size, "for \(v) x \(dims[0]) \(dtype.rawValue)")
            let scales = dtype == .int8
                ? try c.raw(.networkInputScales, expect: v * 4, verify: true, "for \(v) rows").bindMemory(to: Float.self).baseAddress : nil
            let input = InputRows(count: v, dim: dims[0], dtype: dtype, base: rows.baseAddress!, scales: scales, owner: c)
            let sizes = (1..<dims.count).map { dims[$0] * dims[$0 - 1] }
            let layerBytes = try c.raw(.networkLayers, expect: sizes.reduce(0, +) * layerType.size, verify: true,
                                       "for dims \(dims) \(layerType.rawValue)")
            let build = { (layers: [UnsafeBufferPointer<Float>]) throws -> LexicalNetwork in
                for (i, l) in layers.enumerated() where !l.allSatisfy({ $0.isFinite }) {
                    throw c.error(Int(c.entry(.networkLayers)!.offset), "section network-layers: layer \(i + 1) holds a non-finite weight (corrupt)")
                }
                return try LexicalNetwork(input: input, layers: layers, dims: dims, choice: choice)
            }
            // f32 layers are read in place from the mapping (64-byte aligned sections, so 4-byte aligned floats):
            // packing or quantising them is the only copy; f16 layers are widened first.
            let starts = sizes.reduce(into: [0]) { $0.append($0[$0.count - 1] + $1) }
            // The n-gram table and the dense layers are built at the same time (a 2M-feature table, and quantising
            // or packing 10M weights, are most of a large model's start-up).
            var (vocabulary, network) = try concurrently({
                try NgramVocabulary(hashes: Array(hashes.bindMemory(to: UInt64.self)),
                                    idf: Array(idf.bindMemory(to: Float.self)), minN: minN, maxN: maxN)
            }, { () throws -> LexicalNetwork in
                if layerType == .f32 {
                    let all = layerBytes.bindMemory(to: Float.self)
                    return try build(sizes.indices.map { UnsafeBufferPointer(rebasing: all[starts[$0]..<starts[$0 + 1]]) })
                }
                let halves = layerBytes.baseAddress!
                let widened = sizes.indices.map { l in
                    (starts[l]..<starts[l + 1]).map { Float(halves.loadUnaligned(fromByteOffset: 2 * $0, as: Float16.self)) }
                }
                return try withBuffers(widened, build)
            })
            if meta["sketch-dims"] != nil || meta["sketch-weight"] != nil || c.entry(.sketchIDF) != nil {
                let (k, w) = (meta["sketch-dims"] ?? "(missing)", meta["sketch-weight"] ?? "(missing)")
                guard let dims = Int(k), let weight = Float(w) else {
                    throw c.error(Int(m.offset), "section meta: sketch-dims \(k) and sketch-weight \(w) must both be numbers")
                }
                let (sw, sl) = (meta["sketch-short-weight"] ?? "0", meta["sketch-short-length"] ?? "20")
                guard let shortWeight = Float(sw), let shortLength = Float(sl) else {
                    throw c.error(Int(m.offset), "section meta: sketch-short-weight \(sw) and sketch-short-length \(sl) must be numbers")
                }
                let idf = try c.raw(.sketchIDF, expect: v * 4, verify: true, "for \(v) features")
                do {
                    network = try network.withSketch(FeatureSketch(dims: dims, weight: weight, idf: Array(idf.bindMemory(to: Float.self)),
                                                                   shortWeight: shortWeight, shortLength: shortLength))
                } catch let e as LexelError {
                    throw c.error(Int(c.entry(.sketchIDF)!.offset), e.message)
                }
            }
            var options = TFIDFOptions()
            options.sublinearTF = meta["tf"] == "sublinear"
            options.normalize = meta["tfidf-normalize"] != "false"
            return try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary, network: network, tfidf: options, info: meta)
        }
    }
}

/// Runs `body`, giving errors that name no file (from the tokenizer, vocabulary or network checks) `path`.
func naming<R>(_ path: String, _ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let e as LexelError where e.file == nil {
        throw LexelError(file: path, e.message)
    }
}

/// Recognises files that are certainly not lexical models, so that the error can say what they are.
enum ModelFileKind {
    /// What the file at `path` is, when its first bytes show it is another kind of file; nil for a Lexel
    /// container, a ZIP, an empty or unreadable file (opening it then gives the precise error).
    static func foreign(path: String) -> String? {
        guard let kind = try? FileKind.of(path: path) else { return nil }
        switch kind {
        case .container, .zip, .empty: return nil
        case .distillCheckpoint: return kind.description + " (its run writes the model with --output)"
        case .other: return "an unknown kind of file (no Lexel or ZIP magic number)"
        default: return kind.description
        }
    }
}

/// Calls `body` with buffer pointers to every array (kept alive for the call).
func withBuffers<R>(_ arrays: [[Float]], _ body: ([UnsafeBufferPointer<Float>]) throws -> R) rethrows -> R {
    var ptrs: [UnsafeBufferPointer<Float>] = []
    func go(_ i: Int) throws -> R {
        if i == arrays.count { return try body(ptrs) }
        return try arrays[i].withUnsafeBufferPointer { p in
            ptrs.append(p)
            return try go(i + 1)
        }
    }
    return try go(0)
}
