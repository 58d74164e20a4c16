#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore
import LexelIO
import LexelText

/// Luxical's model format: a NumPy `.npz` holding the HF tokenizer JSON (`tokenizer`, uint8), the n-gram
/// table (`recognized_ngrams`, `ngram_hash_to_ngram_idx_keys` / `_values`), `idf_values`, `num_nn_layers` and
/// the layers `nn_layer_i` stored `out x in`. Loaded into a `LexicalModel` (W0 transposed to V x d0).
public enum LuxicalModel {
    /// Whether `path` is a ZIP (`.npz`) file.
    public static func isNPZ(path: String) -> Bool { ZipArchive.isZip(path: path) }

    /// The only `version` Luxical has written (`EMBEDDER_FORMAT_VERSION`); its loader refuses any other.
    public static let formatVersion: Int64 = 1

    /// Loads a Luxical `.npz` model. Every member's CRC-32 is checked; errors name the file, the member and, for a
    /// damaged archive or array or a bad value, the byte offset. Refused as Luxical's own loader refuses them: a
    /// `version` other than 1 (or none). Refused because they would embed wrongly: NaN or infinite IDF values or
    /// weights, `recognized_ngrams` that are not uint32 token ids, and a hash key that repeats or is not the hash of
    /// the n-gram it points to (a key of 0, for instance). The keys are not sorted in Luxical's files (they are in
    /// the order of its hash map), and need not be.
    public static func load(path: String, layers choice: LayerChoice = .f32) throws -> LexicalModel {
        try naming(path) { try loadNPZ(path: path, choice: choice) }
    }

    static func loadNPZ(path: String, choice: LayerChoice) throws -> LexicalModel {
        let archive = try ZipArchive(path: path)
        func array(_ name: String) throws -> NumpyArray {
            guard let m = archive.member(name + ".npy") else {
                throw LexelError(file: path, "Luxical model: no array `\(name)` (members: \(archive.members.map(\.name).joined(separator: ", ")))")
            }
            return try Numpy.parse(try archive.bytes(of: m), file: path, baseOffset: Int64(m.dataOffset))
        }
        func bad(_ member: String, _ a: NumpyArray? = nil, element: Int? = nil, _ why: String) -> LexelError {
            return LexelError(file: path, offset: a.map { $0.dataOffset + Int64((element ?? 0) * $0.dtype.size) },
                              "Luxical model: member \(member).npy: \(why)")
        }
        func integers(_ name: String) throws -> (NumpyArray, [Int64]) {
            let a = try array(name)
            guard a.dtype != .f16, a.dtype != .f32, a.dtype != .f64 else { throw bad(name, a, "\(a.dtype.descr) values, expected integers") }
            return (a, try a.integers())
        }
        func requireFinite(_ name: String, _ a: NumpyArray) throws {
            guard let i = firstNonFinite(a) else { return }
            let cols = a.shape.count == 2 ? a.shape[1] : 0
            let at = cols > 0 ? "row \(i / cols), column \(i % cols)" : "element \(i)"
            throw bad(name, a, element: i, "\(at) is \(a.float(i)): values must be finite numbers")
        }
        guard archive.member("version.npy") != nil else {
            throw LexelError(file: path, "Luxical model: no member version.npy (Luxical writes version \(formatVersion) and refuses files without one)")
        }
        let (versionArray, version) = try integers("version")
        guard version.count == 1, version[0] == formatVersion else {
            throw bad("version", versionArray, "format version \(version.count == 1 ? "\(version[0])" : "of shape \(versionArray.shape)") "
                      + "is not supported (Luxical's loader and Lexel read version \(formatVersion))")
        }
        let tokenizer = try tokenizerFromJSON(try array("tokenizer"), path: path)
        let (keyArray, keys) = try integers("ngram_hash_to_ngram_idx_keys")
        let (valueArray, values) = try integers("ngram_hash_to_ngram_idx_values")
        let idfArray = try array("idf_values")
        let idf = idfArray.floats()
        let ngrams = try array("recognized_ngrams")
        guard keys.count == values.count, !idf.isEmpty else {
            throw LexelError(file: path, "Luxical model: \(keys.count) n-gram hashes, \(values.count) indices, \(idf.count) IDF values")
        }
        try requireFinite("idf_values", idfArray)
        let v = idf.count
        guard ngrams.shape.count == 2, ngrams.shape[0] == v, (1...16).contains(ngrams.shape[1]) else {
            throw bad("recognized_ngrams", ngrams, "shape \(ngrams.shape), expected (\(v), n) with n (the longest n-gram) in 1...16")
        }
        guard ngrams.dtype == .u32 else {
            throw bad("recognized_ngrams", ngrams, "\(ngrams.dtype.descr) token ids; Luxical hashes n-grams of uint32 ids (<u4), "
                      + "and Lexel reads only those")
        }
        let maxN = ngrams.shape[1]
        // Features with no hash (two n-grams whose hashes collided: Luxical's map keeps one) get a hash that no
        // n-gram of ids < 2^32 - 1 produces in practice.
        var hashes = (0..<v).map { UInt64(0xFFFF_FFFF_0000_0000) | UInt64($0) }
        var seen = Set<Int64>(minimumCapacity: keys.count)
        var ids = [UInt32](repeating: 0, count: maxN)
        for (j, (k, i)) in zip(keys, values).enumerated() {
            guard i >= 0 && i < Int64(v) else {
                throw bad("ngram_hash_to_ngram_idx_values", valueArray, element: j, "n-gram index \(i) outside 0..<\(v)")
            }
            guard seen.insert(k).inserted else {
                throw bad("ngram_hash_to_ngram_idx_keys", keyArray, element: j, "hash \(k) appears twice (at most once in Luxical's map): corrupt")
            }
            for t in 0..<maxN { ids[t] = ngrams.data.loadUnaligned(fromByteOffset: 4 * (Int(i) * maxN + t), as: UInt32.self) }
            let expected = Ngrams.hash(ids, maxN: maxN)
            guard UInt64(bitPattern: k) == expected else {
                throw bad("ngram_hash_to_ngram_idx_keys", keyArray, element: j,
                          "key \(j) is \(k), not \(Int64(bitPattern: expected)), the hash of n-gram \(i) of recognized_ngrams "
                          + "(\(ids.filter { $0 != .max })): corrupt")
            }
            hashes[Int(i)] = UInt64(bitPattern: k)
        }
        let vocabulary = try NgramVocabulary(hashes: hashes, idf: idf, minN: 1, maxN: maxN)
        let layerCount = Int(try integers("num_nn_layers").1.first ?? 0)
        guard layerCount >= 2, layerCount <= 64 else { throw LexelError(file: path, "Luxical model: \(layerCount) layers (need at least 2)") }
        let first = try array("nn_layer_0")
        guard first.shape.count == 2, first.shape[1] == v else {
            throw LexelError(file: path, "Luxical model: nn_layer_0 has shape \(first.shape), expected (d0, \(v))")
        }
        try requireFinite("nn_layer_0", first)
        let d0 = first.shape[0]
        var w0 = [Float](repeating: 0, count: v * d0)
        w0.withUnsafeMutableBufferPointer { dst in  // out x in -> in x out, in blocks of 64 features
            var r0 = 0
            while r0 < v {
                let r1 = min(v, r0 + 64)
                for j in 0..<d0 { for r in r0..<r1 { dst[r * d0 + j] = first.float(j * v + r) } }
                r0 = r1
            }
        }
        var dims = [d0], layers: [[Float]] = []
        for l in 1..<layerCount {
            let a = try array("nn_layer_\(l)")
            guard a.shape.count == 2, a.shape[1] == dims.last! else {
                throw LexelError(file: path, "Luxical model: nn_layer_\(l) has shape \(a.shape), expected (out, \(dims.last!))")
            }
            try requireFinite("nn_layer_\(l)", a)
            dims.append(a.shape[0])
            layers.append(a.floats())
        }
        let network = try withExtendedLifetime(archive) {
            try LexicalNetwork(w0: w0, inputDim: v, layers: layers, dims: dims, choice: choice)
        }
        return try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary, network: network, tfidf: TFIDFOptions(),
                                info: ["source": "luxical-npz"])
    }

    /// The index of the first NaN or infinity of a float array (integers are always finite), or nil. float32
    /// arrays are scanned in blocks without a branch per value (the first layer has V x d0 of them).
    static func firstNonFinite(_ a: NumpyArray) -> Int? {
        switch a.dtype {
        case .f32:
            let n = a.count, exponent: UInt32 = 0x7F80_0000
            var i = 0
            while i < n {
                let end = min(n, i + 4096)
                var hit: UInt32 = 0
                for j in i..<end {
                    hit |= a.data.loadUnaligned(fromByteOffset: 4 * j, as: UInt32.self) & exponent == exponent ? 1 : 0
                }
                if hit != 0 { return (i..<end).first { !a.float($0).isFinite } }
                i = end
            }
            return nil
        case .f16, .f64: return (0..<a.count).first { !a.float($0).isFinite }
        default: return nil
        }
    }

    /// A WordPiece tokenizer from an HF `tokenizer.json` held as a uint8 array.
    static func tokenizerFromJSON(_ a: NumpyArray, path: String) throws -> BertTokenizer {
        let bytes = UnsafeBufferPointer(start: a.data.assumingMemoryBound(to: UInt8.self), count: a.count * a.dtype.size)
        let root = try? JSONValue.parse(bytes, file: path)
        guard let model = root?["model"], let vocabObject = model["vocab"]?.objectValue else {
            throw LexelError(file: path, "Luxical model: `tokenizer` is not an HF tokenizer JSON with a WordPiece vocab")
        }
        var vocab: [String: Int] = [:]
        for (token, id) in vocabObject {
            guard let i = id.intValue else {
                throw LexelError(file: path, "Luxical model: `tokenizer` vocab entry \(quoted(token, limit: 40)) has no integer id")
            }
            vocab[token] = i
        }
        if let type = model["type"]?.stringValue, type != "WordPiece" {
            let shown = NgramTable.printable(type.prefix(40)) + (type.count > 40 ? "..." : "")
            throw LexelError(file: path, "Luxical model: member tokenizer.npy: tokenizer type '\(shown)' is not supported (WordPiece only)")
        }
        let top = vocab.values.max() ?? -1
        guard top < BertTokenizer.maxVocabularySize, vocab.values.allSatisfy({ $0 >= 0 }) else {
            throw LexelError(file: path, "Luxical model: `tokenizer` vocab has token ids outside 0..<\(BertTokenizer.maxVocabularySize)")
        }
        var tokens = [String](repeating: "", count: top + 1)
        for (t, i) in vocab { tokens[i] = t }
        return try BertTokenizer(vocabulary: tokens, unknownToken: model["unk_token"]?.stringValue ?? "[UNK]",
                                 maxCharsPerWord: model["max_input_chars_per_word"]?.intValue ?? 100)
    }
}
