import LexelCore
import LexelIO
import LexelKernels
import LexelLexical

/// The `similar` use case: a collection of documents embedded once and kept in memory (vectors and texts), then
/// searched by exact cosine for each query.
public final class DocumentCollection {
    public let model: LexicalModel
    /// The documents' texts, in input order.
    public private(set) var texts: [String] = []
    /// Unit rows (or zero rows for documents without known n-grams), `texts.count x dim`.
    var rows: [Float] = []
    public var dim: Int { model.outputDim }
    public var count: Int { texts.count }

    /// Embeds every document of `input` (read once for texts and once for vectors; standard input cannot be used,
    /// since the queries come from there).
    public init(_ input: DocumentInput, model: LexicalModel, threads: Int = onlineCPUs) throws {
        guard input.path != "-" && input.path != "/dev/stdin" else {
            throw LexelError("the documents must come from a file: standard input carries the queries")
        }
        guard (1...1024).contains(threads) else { throw LexelError("--threads must be 1...1024 (got \(threads))") }
        self.model = model
        try input.reader().forEach { text, _ in texts.append(String(decoding: text, as: UTF8.self)) }
        guard !texts.isEmpty else { throw LexelError(file: input.path, "no documents") }
        rows.reserveCapacity(texts.count * model.outputDim)
        let dim = model.outputDim
        try EmbedPipeline(model: model, threads: threads).run(try input.reader()) { r, n in
            rows.append(contentsOf: UnsafeBufferPointer(start: r, count: n * dim))
        }
    }

    /// The `k` documents most similar to `query`: (index, cosine), best first (ties: the earlier document first).
    public func search(_ query: String, k: Int) -> [(document: Int, score: Float)] {
        let q = model.embed([query])[0]
        var top = TopK(k: k)
        q.withUnsafeBufferPointer { qp in
            rows.withUnsafeBufferPointer { rp in
                for d in 0..<texts.count { top.offer(d, Kernels.dot(qp.baseAddress!, rp.baseAddress! + d * dim, dim)) }
            }
        }
        return top.items.map { ($0.0, $0.1) }
    }
}
