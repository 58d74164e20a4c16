import Foundation
import LexelCore
import LexelIO
import LexelText

/// Luxical's model format: a NumPy `.npz` holding the HF tokenizer JSON (`tokenizer`, uint8), the n-gram
/// table (`recognized_ngrams`, `ngram_hash_to_ngram_idx_keys` / `_values`), `idf_values`, `num_nn_layers` and
/// the layers `nn_layer_i` stored `out x in`. Loaded into a `LexicalModel` (W0 transposed to V x d0).
public enum LuxicalModel {
    /// Whether `path` is a ZIP (`.npz`) file.
    public static func isNPZ(path: String) -> Bool { ZipArchive.isZip(path: path) }

    /// Loads a Luxical `.npz` model. Every member's CRC-32 is checked; errors name the file and, for a damaged
    /// archive or array, the byte offset.
    public static func load(path: String) throws -> LexicalModel {
        try naming(path) { try loadNPZ(path: path) }
    }

    static func loadNPZ(path: String) throws -> LexicalModel {
        let archive = try ZipArchive(path: path)
        func array(_ name: String) throws -> NumpyArray {
            guard let m = archive.member(name + ".npy") else {
                throw LexelError(file: path, "Luxical model: no array `\(name)` (members: \(archive.members.map(\.name).joined(separator: ", ")))")
            }
            return try Numpy.parse(try archive.bytes(of: m), file: path, baseOffset: Int64(m.dataOffset))
        }
        let tokenizer = try tokenizerFromJSON(try array("tokenizer"), path: path)
        let keys = try array("ngram_hash_to_ngram_idx_keys").integers()
        let values = try array("ngram_hash_to_ngram_idx_values").integers()
        let idf = try array("idf_values").floats()
        let ngrams = try array("recognized_ngrams")
        guard keys.count == values.count, !idf.isEmpty else {
            throw LexelError(file: path, "Luxical model: \(keys.count) n-gram hashes, \(values.count) indices, \(idf.count) IDF values")
        }
        let v = idf.count
        let maxN = ngrams.shape.count == 2 ? ngrams.shape[1] : 5
        guard maxN >= 1, maxN <= 16 else {
            throw LexelError(file: path, "Luxical model: recognized_ngrams has shape \(ngrams.shape): n-grams of \(maxN) tokens")
        }
        // Features with no hash (should not happen) get a hash no n-gram of ids < 2^32 - 1 produces in practice.
        var hashes = (0..<v).map { UInt64(0xFFFF_FFFF_0000_0000) | UInt64($0) }
        for (k, i) in zip(keys, values) {
            guard i >= 0 && i < Int64(v) else { throw LexelError(file: path, "Luxical model: n-gram index \(i) outside 0..<\(v)") }
            hashes[Int(i)] = UInt64(bitPattern: k)
        }
        let vocabulary = try NgramVocabulary(hashes: hashes, idf: idf, minN: 1, maxN: maxN)
        let layerCount = Int(try array("num_nn_layers").integers().first ?? 0)
        guard layerCount >= 2, layerCount <= 64 else { throw LexelError(file: path, "Luxical model: \(layerCount) layers (need at least 2)") }
        let first = try array("nn_layer_0")
        guard first.shape.count == 2, first.shape[1] == v else {
            throw LexelError(file: path, "Luxical model: nn_layer_0 has shape \(first.shape), expected (d0, \(v))")
        }
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
            dims.append(a.shape[0])
            layers.append(a.floats())
        }
        let network = try withExtendedLifetime(archive) {
            try LexicalNetwork(w0: w0, inputDim: v, layers: layers, dims: dims)
        }
        return try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary, network: network, tfidf: TFIDFOptions(),
                                info: ["source": "luxical-npz"])
    }

    /// A WordPiece tokenizer from an HF `tokenizer.json` held as a uint8 array.
    static func tokenizerFromJSON(_ a: NumpyArray, path: String) throws -> BertTokenizer {
        let data = Data(bytes: a.data, count: a.count * a.dtype.size)
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let model = root["model"] as? [String: Any], let vocab = model["vocab"] as? [String: Int] else {
            throw LexelError(file: path, "Luxical model: `tokenizer` is not an HF tokenizer JSON with a WordPiece vocab")
        }
        if let type = model["type"] as? String, type != "WordPiece" {
            throw LexelError(file: path, "Luxical model: tokenizer type \(type) is not supported (WordPiece only)")
        }
        let top = vocab.values.max() ?? -1
        guard top < 1 << 24, vocab.values.allSatisfy({ $0 >= 0 }) else {
            throw LexelError(file: path, "Luxical model: `tokenizer` vocab has token ids outside 0..<\(1 << 24)")
        }
        var tokens = [String](repeating: "", count: top + 1)
        for (t, i) in vocab { tokens[i] = t }
        return try BertTokenizer(vocabulary: tokens, unknownToken: model["unk_token"] as? String ?? "[UNK]",
                                 maxCharsPerWord: model["max_input_chars_per_word"] as? Int ?? 100)
    }
}
