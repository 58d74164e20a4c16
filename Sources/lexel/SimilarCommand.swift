import ArgumentParser
import LexelKit

/// `lexel similar`: embeds a small collection of documents, then answers queries from standard input with the
/// most similar documents (exact cosine over all of them).
struct Similar: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "Find the documents most similar to each query line (lexical-dense embeddings, exact cosine).",
        discussion: """
            Embeds every document of DOCUMENTS (one per line, or JSON Lines with --field; default `text` for
            *.jsonl inputs; zstd is detected) with the model, keeps the vectors and texts in memory, then reads
            queries from standard input, one per line (at most 1 MiB each), and prints the -k most similar
            documents of each:
              cosine  line-number  the document's first characters
            Meant for collections that fit in memory (a 100k-document collection takes ~80 MB at 192 dimensions);
            for large corpora write vectors with `lexel embed` and index them.
            Example:
              echo "how do I mount a disk" | lexel similar paragraphs.jsonl.zst -k 3
            """)
    @Argument(help: "The documents to search (a file: standard input carries the queries).") var documents: String
    @Option(help: "Model file (.lxm from `lexel distill`, or a Luxical .npz); default: the shipped model.") var model: String?
    @OptionGroup var documentOptions: DocumentOptions
    @Option(name: [.customShort("k"), .long], parsing: .unconditional, help: "Documents to print per query.") var k = 5
    @Option(parsing: .unconditional, help: "Characters of each document to print.") var width = 100
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard width >= 0 else { throw ValidationError("--width must be >= 0 (got \(width))") }
        guard k >= 1 else { throw ValidationError("-k must be at least 1 (got \(k))") }
    }

    func run() throws {
        try reportingErrors {
            guard documents != "-" else { throw LexelError("the documents must come from a file: standard input carries the queries") }
            let m = try ModelFiles.lexicalModel(model, for: "similar")
            let collection = try DocumentCollection(try documentOptions.input(documents), model: m, threads: threads.threads)
            try QueryLines.forEach { line, _ in
                guard !line.isEmpty else { return }
                out("query: \(line)")
                for (d, s) in collection.search(line, k: k) {
                    let t = collection.texts[d]
                    let shown = t.count > width ? String(t.prefix(width)) + "..." : t
                    out("  \(formatFixed(Double(s), 4))  \(d + 1)  \(shown)")
                }
            }
        }
    }
}
