import ArgumentParser
import LexelKit

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed documents with a lexical-dense model (WordPiece n-gram TF-IDF -> small MLP -> unit vector).",
        discussion: """
            Reads one document per line (plain text), or JSON Lines with --field (default `text` for *.jsonl,
            *.ndjson and *.json inputs, optionally .zst); zstd input is detected. Memory stays bounded: documents
            stream through in chunks, and a document longer than --max-document-mb is an error.
            Output: .npy (float32 rows, or int8 codes round(x * 127) with --int8), .jsonl ({"embedding": [...]}
            per line), or JSON lines on standard output when --output is not given. Row i is document i.
            MODEL is a Lexel lexical model (from `lexel distill`) or a Luxical .npz; without --model the model
            shipped in vocab/ is used. Loading checks the checksums of everything it reads in full (a Luxical
            .npz: every member's CRC-32); --verify also checks W0, which is otherwise read only where used.

            Every line is a document, empty lines included, so row i is line i + 1 (with --field, blank lines
            are skipped and row i is the i-th object). A document without any known n-gram (an empty line,
            say) gets the zero vector, as in Luxical; every other row has length 1. An empty input gives 0
            rows (a 0 x D .npy) and a note on standard error. Invalid UTF-8 is an error naming the file, the
            line and the byte offset; an --output file is then not written (it is written to a temporary file
            renamed into place at the end, and removed on errors, SIGINT and SIGTERM).
            Examples:
              echo "cheap flights to paris" | lexel embed
              lexel embed paragraphs.jsonl.zst --output vectors.npy --threads 8
              lexel embed --model luxical-one.npz corpus.txt --output vectors.npy --int8 --profile
            """)
    @Argument(help: "Input documents (`-` or nothing for standard input).") var input: String = "-"
    @Option(help: "Model file (.lxm from `lexel distill`, or a Luxical .npz); default: the shipped model.") var model: String?
    @OptionGroup var documents: DocumentOptions
    @Option(help: "Output file: .npy or .jsonl (default: JSON Lines on standard output).") var output: String?
    @OptionGroup var threads: ThreadsOption
    @Flag(help: "Write int8 codes round(x * 127) instead of float32 (4x smaller; cosine error < 0.01).") var int8 = false
    @Option(parsing: .unconditional, help: "Documents per batch through the dense layers (larger batches reuse each weight more: 256 measured 1.2-1.4x faster than 32 on the 2M-96-3072-3072-192 model).") var batch = 256
    @Option(help: "Dense-layer arithmetic: auto (int8 for networks with at least 262,144 dense weights, where it is 1.1-1.5x faster with AVX2 and about 4x with AVX-512 VNNI; f32 below), f32, int8, or bf16 (about 2x f32 with nearly its precision; CPUs with AVX-512 BF16 only). int8 embeddings stay within cosine 0.999 of f32's and are the same on every CPU; `lexel --version` names the kernels this CPU runs.")
    var layers = LayerChoice.auto
    @Flag(help: "Print a per-stage time split (tokenise, n-grams, W0, dense) and throughput at the end.") var profile = false
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Check every checksum of an .lxm model, W0 included, before embedding.") var verify = false

    func validate() throws {
        guard (1...4096).contains(batch) else { throw ValidationError("--batch must be 1...4096 (got \(batch))") }
        if let output { _ = try EmbeddingSink.format(of: output) }
    }

    func run() throws {
        try reportingErrors {
            // The input is opened first: a wrong path fails at once, not after loading a large model.
            let docs = try documents.input(input)
            _ = try docs.reader()
            if let output { try OutputPath.checkWritable(output) }
            let loadStart = monotonicSeconds()
            let m = try ModelFiles.lexicalModel(model, for: "embed", verify: verify, layers: layers)
            let loadSeconds = monotonicSeconds() - loadStart
            let sink = try EmbeddingSink(path: output, dim: m.outputDim, int8: int8)
            var job = EmbedDocuments()
            (job.threads, job.batch, job.profile) = (threads.threads, batch, profile)
            var display = ProgressDisplay("Embedded", unit: "docs", enabled: !quiet)
            let (pipeline, seconds) = try job.run(docs, model: m, into: sink) { p in
                display.update(done: p.documents, seconds: p.seconds, fraction: p.fraction)
            }
            display.finish(done: sink.rows, seconds: seconds)
            if sink.rows == 0 {
                let name = input == "-" ? "standard input" : input
                writeStderr("lexel: note: \(name) holds no documents: wrote 0 rows\(output.map { " to \($0)" } ?? "")\n")
            }
            if profile { writeStderr(pipeline.report(docs: sink.rows, elapsed: seconds, load: loadSeconds, model: m)) }
        }
    }
}
