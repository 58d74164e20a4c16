import LexelClassifier
import LexelCore
import LexelIO
import LexelKernels
import LexelLexical
import LexelText

/// The `supervised --features lexical` use case: embeds every labelled line of a fastText-format training file
/// with a lexical model, trains a head (softmax regression or a small MLP) on the embeddings, and writes one
/// `PREFIX.lxm` that embeds and classifies (`EmbeddingClassifier`).
public enum ClassifierHeadTraining {
    public struct Options: Sendable {
        /// The lexical model that embeds (default: the shipped one).
        public var model: String?
        public var kind = EmbeddingHead.Kind.linear
        public var hidden = 256
        public var training = HeadTrainingOptions(for: .linear)
        public var threads = onlineCPUs
        public var labelPrefix = "__label__"
        public init() {}
    }

    public enum Event: Sendable {
        case embedded(lines: Int, skipped: Int, seconds: Double)
        case epoch(Int, of: Int, loss: Double)
    }

    public static func run(input: String, outputPrefix: String, options o: Options,
                           events: @escaping (Event) -> Void = { _ in }) throws -> (model: EmbeddingClassifier, path: String) {
        guard !outputPrefix.isEmpty else { throw LexelError("-output needs a prefix (PREFIX.lxm is written)") }
        guard o.training.epochs >= 1, o.training.batch >= 1, o.training.learningRate > 0, o.hidden >= 1 else {
            throw LexelError("head training: epochs, batch, hidden size and learning rate must be positive")
        }
        let out = outputPrefix + ".lxm"
        try OutputPath.checkWritable(out)
        let modelPath = try o.model ?? DefaultFiles.model()
        let lexical = try ModelFiles.lexicalModel(modelPath, for: "supervised --features lexical", verify: false)
        // labelled lines: the first label of each, the text without label tokens
        var texts: [UInt8] = [], ends: [Int] = [], firstLabels: [String] = [], skipped = 0
        var counts: [String: Int] = [:], order: [String] = []
        let prefix = Array(o.labelPrefix.utf8)
        try LineReader(path: input).forEachLine { line, _, offset in
            if let bad = firstInvalidUTF8Fast(line) { throw LexelError(file: input, offset: offset + Int64(bad), "invalid UTF-8") }
            var label: String? = nil
            let start = texts.count
            _ = EmbeddingClassifier.split(line, labelPrefix: prefix, appendingTextTo: &texts) { t in
                let name = String(decoding: t, as: UTF8.self)
                if counts[name] == nil { order.append(name) }
                counts[name, default: 0] += 1
                if label == nil { label = name }
            }
            guard let label else { texts.removeSubrange(start...); skipped += 1; return }
            ends.append(texts.count)
            firstLabels.append(label)
        }
        guard !ends.isEmpty else { throw LexelError(file: input, "no labelled lines (tokens starting with \(quoted(o.labelPrefix)))") }
        guard !texts.isEmpty else { throw LexelError(file: input, "labels only: no labelled line has any text to embed") }
        let labels = order.enumerated().sorted { counts[$0.element]! != counts[$1.element]! ? counts[$0.element]! > counts[$1.element]! : $0.offset < $1.offset }.map(\.element)
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, Int32($0)) })
        let y = firstLabels.map { index[$0]! }
        let t0 = monotonicSeconds()
        let x = embed(lexical, texts: texts, ends: ends, threads: o.threads)
        events(.embedded(lines: ends.count, skipped: skipped, seconds: monotonicSeconds() - t0))
        var head = EmbeddingHead(kind: o.kind, inputDim: lexical.outputDim, hidden: o.hidden, labels: labels, seed: o.training.seed)
        head.train(x.pointer, count: ends.count, labels: y, options: o.training) { e, loss in events(.epoch(e + 1, of: o.training.epochs, loss: loss)) }
        try EmbeddingClassifier.write(head: head, modelPath: modelPath, to: out)
        return (EmbeddingClassifier(model: lexical, head: head, labelPrefix: o.labelPrefix), out)
    }

    /// The embeddings of texts held back to back (text i ends at `ends[i]`), one row each, on `threads` threads.
    static func embed(_ model: LexicalModel, texts: [UInt8], ends: [Int], threads: Int) -> Matrix {
        let x = Matrix(rows: ends.count, cols: model.outputDim)
        texts.withUnsafeBufferPointer { b in
            let (bytes, e) = (Unchecked(b), Unchecked(ends))
            BatchEmbedding.embed(model, count: ends.count, threads: threads, into: x.pointer) { r in
                let lo = r == 0 ? 0 : e.value[r - 1]
                return UnsafeBufferPointer(rebasing: bytes.value[lo..<e.value[r]])
            }
        }
        return x
    }
}
