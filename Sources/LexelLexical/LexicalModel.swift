import LexelCore
import LexelText

/// A complete lexical-dense embedder: text -> WordPiece ids -> n-gram TF-IDF -> network -> unit vector.
/// Immutable and thread-safe; each thread brings its own `LexicalModel.Workspace`.
public final class LexicalModel: Sendable {
    public let tokenizer: BertTokenizer
    public let vocabulary: NgramVocabulary
    public let network: LexicalNetwork
    public let tfidf: TFIDFOptions
    /// Free-form provenance (`source`, training arguments), saved in the model file's metadata.
    public let info: [String: String]

    public var outputDim: Int { network.outputDim }

    public init(tokenizer: BertTokenizer, vocabulary: NgramVocabulary, network: LexicalNetwork,
                tfidf: TFIDFOptions = TFIDFOptions(), info: [String: String] = [:]) throws {
        guard vocabulary.count == network.inputDim else {
            throw LexelError("lexical model: \(vocabulary.count) n-gram features but the network takes \(network.inputDim)")
        }
        if network.sketch != nil, tfidf.normalize || tfidf.sublinearTF || vocabulary.idf.contains(where: { $0 != 1 }) {
            throw LexelError("lexical model: a feature sketch needs raw counts as features (tf=raw, tfidf-normalize=false, every n-gram IDF 1)")
        }
        self.vocabulary = vocabulary.withDirectUnigrams(tokens: tokenizer.vocabulary.count)
        (self.tokenizer, self.network, self.tfidf, self.info) = (tokenizer, network, tfidf, info)
    }

    /// The same model with its dense layers in `choice`'s arithmetic (`LexicalNetwork.withLayers`): int8 is about
    /// 4x the f32 layers' speed on CPUs with AVX-512 VNNI, bf16 about 2x with AVX-512 BF16 (refused without it);
    /// both keep embeddings within cosine 0.999 of f32's.
    public func withLayers(_ choice: LayerChoice) throws -> LexicalModel {
        try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary, network: network.withLayers(choice), tfidf: tfidf, info: info)
    }

    /// Per-thread buffers, reused across documents.
    public final class Workspace {
        var ids: [Int32] = []
        var tokens: [UInt32] = []
        public internal(set) var features: [SparseVector] = []
        let scratch: UnsafeMutablePointer<Float>
        let capacity: Int
        /// Seconds spent per stage (tokenise, n-gram features, W0, dense layers), when `timed`.
        public var seconds: [Double] = [0, 0, 0, 0]
        /// Tokens seen.
        public var tokenCount = 0
        /// WordPiece tokens of each text of the last `embed` call (for usage counts).
        public internal(set) var tokensPerText: [Int32]
        public var timed = false

        public init(model: LexicalModel, batch: Int) {
            capacity = batch
            scratch = .allocate(capacity: model.network.scratchCount(batch: batch))
            features = [SparseVector](repeating: SparseVector(), count: batch)
            tokensPerText = [Int32](repeating: 0, count: batch)
        }

        deinit { scratch.deallocate() }
    }

    /// The sparse TF-IDF features of one UTF-8 text.
    public func features(_ text: UnsafeBufferPointer<UInt8>, _ w: Workspace, into out: inout SparseVector) {
        let t0 = w.timed ? monotonicSeconds() : 0
        w.ids.removeAll(keepingCapacity: true)
        tokenizer.encode(utf8: text, into: &w.ids)
        w.tokens.removeAll(keepingCapacity: true)
        for id in w.ids { w.tokens.append(UInt32(bitPattern: id)) }
        w.tokenCount += w.tokens.count
        let t1 = w.timed ? monotonicSeconds() : 0
        w.tokens.withUnsafeBufferPointer { vocabulary.tfidf($0, options: tfidf, into: &out) }
        if w.timed {
            w.seconds[0] += t1 - t0
            w.seconds[1] += monotonicSeconds() - t1
        }
    }

    /// Embeds up to `Workspace.capacity` texts into `out` (`texts.count x outputDim`, row-major). `text(i)`
    /// hands out document `i`'s UTF-8 bytes.
    public func embed(count: Int, _ w: Workspace, into out: UnsafeMutablePointer<Float>,
                      text: (Int) -> UnsafeBufferPointer<UInt8>) {
        precondition(count <= w.capacity)
        for i in 0..<count {
            features(text(i), w, into: &w.features[i])
            w.tokensPerText[i] = Int32(w.tokens.count)
        }
        let t0 = w.timed ? monotonicSeconds() : 0
        let width = network.width
        for i in 0..<count { network.firstLayer(w.features[i], into: w.scratch + i * width) }
        let t1 = w.timed ? monotonicSeconds() : 0
        network.dense(rows: count, scratch: w.scratch, into: out)
        if w.timed {
            w.seconds[2] += t1 - t0
            w.seconds[3] += monotonicSeconds() - t1
        }
    }

    /// The embeddings of `texts`, one row each (convenience for small inputs).
    public func embed(_ texts: [String]) -> [[Float]] {
        let batch = 32
        let w = Workspace(model: self, batch: batch)
        var result: [[Float]] = []
        var out = [Float](repeating: 0, count: batch * outputDim)
        var start = 0
        while start < texts.count {
            let n = min(batch, texts.count - start)
            var bytes: [UInt8] = [], ends: [Int] = []
            for t in texts[start..<(start + n)] {
                bytes += t.utf8
                ends.append(bytes.count)
            }
            out.withUnsafeMutableBufferPointer { o in
                bytes.withUnsafeBufferPointer { b in
                    embed(count: n, w, into: o.baseAddress!) { i in
                        UnsafeBufferPointer(rebasing: b[(i == 0 ? 0 : ends[i - 1])..<ends[i]])
                    }
                }
            }
            for i in 0..<n { result.append(Array(out[(i * outputDim)..<((i + 1) * outputDim)])) }
            start += n
        }
        return result
    }
}

/// Which arithmetic the dense layers run in. `auto` is what `lexel embed` uses: int8 for networks whose dense
/// layers hold at least `LayerChoice.int8Threshold` weights, f32 for smaller ones, where quantising the activations
/// costs about what it saves. Measured with `LexicalBench dense` (batch 256, 1 thread, AMD EPYC with AVX2 only):
/// int8 / f32 = 1.09x at 96-1024-192, 1.23x at 96-2048-192, 1.54x at 96-3072-3072-192 (8-bit weights; with the
/// 7-bit weights and 16-bit pair sums since, 2.4x at the Luxical shape, batch 64: 197-203 vs 83 GOPS); AVX-512 VNNI about 4x.
/// int8 gives the same bits on every CPU (its integer sums are exact). Static models have no dense layers.
public enum LayerChoice: String, Sendable, CaseIterable {
    /// int8 from `int8Threshold` dense weights, else f32.
    case auto
    case f32
    /// Weights and activations in 8 bits, integer sums: the fastest (AVX-512 VNNI, AVX2).
    case int8
    /// Weights and activations rounded to bfloat16, f32 sums: about twice f32's speed and nearly its precision,
    /// only on CPUs with AVX-512 BF16 (never picked by `auto`).
    case bf16

    /// Dense weights from which `auto` picks int8 (96-1024-192 holds 295k; the Luxical shape 10.3M).
    public static let int8Threshold = 1 << 18

    /// The kind `auto` (or the explicit choice) gives for `network`.
    public func resolved(for network: LexicalNetwork) -> LayerChoice { resolved(denseWeights: network.denseWeightCount) }

    /// The kind `auto` (or the explicit choice) gives for dense layers of `denseWeights` weights in all.
    public func resolved(denseWeights: Int) -> LayerChoice {
        guard self == .auto else { return self }
        return denseWeights >= LayerChoice.int8Threshold ? .int8 : .f32
    }
}
