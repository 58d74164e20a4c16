import ArgumentParser
import LexelKernels
import LexelLexical
import LexelCore
import LexelIO
import LexelText
import LexelStore

/// `lexel similar`: embeds a small collection of documents, then answers queries from standard input with the
/// most similar documents (exact cosine over all of them).
struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Find the documents most similar to each query line (lexical-dense embeddings, exact cosine).",
        discussion: """
            Embeds every document of DOCUMENTS (one per line, or JSON Lines with --field; default `text` for
            *.jsonl inputs; zstd is detected) with the model, keeps the vectors and texts in memory, then reads
            queries from standard input, one per line, and prints the -k most similar documents of each:
              cosine  line-number  the document's first characters
            Meant for collections that fit in memory (a 100k-document collection takes ~80 MB at 192 dimensions);
            for large corpora write vectors with `lexel embed` and index them.
            Example:
              echo "how do I mount a disk" | lexel similar paragraphs.jsonl.zst -k 3
            """)
    @Argument(help: "The documents to search.") var documents: String
    @Option(help: "Model file (.lxm from `lexel distill`, or a Luxical .npz); default: the shipped model.") var model: String?
    @Option(help: "JSON Lines: the string member holding the text.") var field: String?
    @Option(name: [.customShort("k"), .long], parsing: .unconditional, help: "Documents to print per query.") var k = 5
    @Option(parsing: .unconditional, help: "Characters of each document to print.") var width = 100
    @Option(help: "Worker threads for embedding the documents (default: all online CPUs).") var threads: Int = onlineCPUs

    func run() throws {
        try reportingErrors {
            guard documents != "-" else { throw LexelError("the documents must come from a file: standard input carries the queries") }
            guard width >= 0 else { throw LexelError("--width must be >= 0 (got \(width))") }
            guard k >= 1 else { throw LexelError("-k must be at least 1 (got \(k))") }
            guard threads >= 1, threads <= 1024 else { throw LexelError("--threads must be 1...1024 (got \(threads))") }
            let m = try LexicalModel.load(path: try model ?? DefaultModel.path())
            let jsonl = documents.hasSuffix(".jsonl") || documents.hasSuffix(".jsonl.zst")
            let reader = try DocumentReader(path: documents, field: field ?? (jsonl ? "text" : nil))
            var texts: [String] = []
            try reader.forEach { text, _ in texts.append(String(decoding: text, as: UTF8.self)) }
            guard !texts.isEmpty else { throw LexelError(file: documents, "no documents") }
            let dim = m.outputDim
            var rows: [Float] = []
            rows.reserveCapacity(texts.count * dim)
            let pipeline = EmbedPipeline(model: m, threads: threads)
            try pipeline.run(try DocumentReader(path: documents, field: field ?? (jsonl ? "text" : nil))) { r, n in
                rows.append(contentsOf: UnsafeBufferPointer(start: r, count: n * dim))
            }
            while let line = readLine(strippingNewline: true) {
                guard !line.isEmpty else { continue }
                let q = m.embed([line])[0]
                var scores = [(Float, Int)]()
                scores.reserveCapacity(texts.count)
                q.withUnsafeBufferPointer { qp in
                    rows.withUnsafeBufferPointer { rp in
                        for d in 0..<texts.count { scores.append((Kernels.dot(qp.baseAddress!, rp.baseAddress! + d * dim, dim), d)) }
                    }
                }
                print("query: \(line)")
                for (s, d) in scores.sorted(by: { $0.0 > $1.0 }).prefix(k) {
                    let t = texts[d]
                    let shown = t.count > width ? String(t.prefix(width)) + "..." : t
                    print("  \(formatFixed(Double(s), 4))  \(d + 1)  \(shown)")
                }
            }
        }
    }
}
