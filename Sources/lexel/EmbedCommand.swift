import ArgumentParser
import LexelKernels
import LexelLexical
import LexelStore
import LexelContainer
import LexelCore
import LexelKernels
import LexelIO
import LexelText
import LexelTraining
import Synchronization

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Embed documents with a lexical-dense model (WordPiece n-gram TF-IDF -> small MLP -> unit vector).",
        discussion: """
            Reads one document per line (plain text), or JSON Lines with --field (default `text` for *.jsonl and
            *.jsonl.zst inputs); zstd input is detected. Memory stays bounded: documents stream through in chunks.
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
            renamed into place at the end).
            Examples:
              echo "cheap flights to paris" | lexel embed
              lexel embed paragraphs.jsonl.zst --output vectors.npy --threads 8
              lexel embed --model luxical-one.npz corpus.txt --output vectors.npy --int8 --profile
            """)
    @Argument(help: "Input documents (`-` or nothing for standard input).") var input: String = "-"
    @Option(help: "Model file (.lxm from `lexel distill`, or a Luxical .npz).") var model: String?
    @Option(help: "JSON Lines: the string member holding the text.") var field: String?
    @Option(help: "Output file: .npy or .jsonl.") var output: String?
    @Option(parsing: .unconditional, help: "Worker threads (default: all online CPUs).") var threads: Int = onlineCPUs
    @Flag(help: "Write int8 codes round(x * 127) instead of float32 (4x smaller; cosine error < 0.01).") var int8 = false
    @Option(parsing: .unconditional, help: "Documents per batch through the dense layers (larger batches reuse each weight more: 256 measured 1.2-1.4x faster than 32 on the 2M-96-3072-3072-192 model).") var batch = 256
    @Flag(help: "Print a per-stage time split (tokenise, n-grams, W0, dense) and throughput at the end.") var profile = false
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Check every checksum of an .lxm model, W0 included, before embedding.") var verify = false

    func run() throws {
        try reportingErrors {
            guard threads >= 1, threads <= 1024 else { throw LexelError("--threads must be 1...1024 (got \(threads))") }
            guard batch >= 1, batch <= 4096 else { throw LexelError("--batch must be 1...4096 (got \(batch))") }
            if let output, !(output.hasSuffix(".npy") || output.hasSuffix(".jsonl")) {
                throw LexelError(file: output, "output must end in .npy or .jsonl")
            }
            let modelPath = try model ?? DefaultModel.path()
            // The input is opened first: a wrong path fails at once, not after loading a large model.
            let jsonl = input.hasSuffix(".jsonl") || input.hasSuffix(".jsonl.zst") || input.hasSuffix(".json.zst")
            let reader = try DocumentReader(path: input, field: field ?? (jsonl ? "text" : nil))
            let loadStart = monotonicSeconds()
            let m = try LexicalModel.load(path: modelPath)
            if verify && !LuxicalModel.isNPZ(path: modelPath) { try ContainerFile(path: modelPath, kinds: LexicalModel.sectionKinds).verify() }
            let loadSeconds = monotonicSeconds() - loadStart
            let sink = try EmbeddingSink(path: output, dim: m.outputDim, int8: int8)
            let pipeline = EmbedPipeline(model: m, threads: threads, batch: batch, timed: profile)
            let start = monotonicSeconds()
            var last = start
            let size = reader.fileSize
            try pipeline.run(reader) { rows, count in
                try sink.append(rows, count: count)
                let now = monotonicSeconds()
                if !quiet && now - last > 0.5 {
                    last = now
                    writeStderr(progressLine(done: sink.rows, elapsed: now - start, fraction: size.map { Double(reader.bytesRead) / Double(max(1, $0)) }))
                }
            }
            try sink.commit()
            let elapsed = monotonicSeconds() - start
            if !quiet { writeStderr(progressLine(done: sink.rows, elapsed: elapsed, fraction: 1) + "\n") }
            if sink.rows == 0 {
                writeStderr("lexel: note: \(reader.displayName) holds no documents: wrote 0 rows\(output.map { " to \($0)" } ?? "")\n")
            }
            if profile {
                writeStderr(pipeline.report(docs: sink.rows, elapsed: elapsed, load: loadSeconds, model: m))
            }
        }
    }

    func progressLine(done: Int, elapsed: Double, fraction: Double?) -> String {
        var s = "\rEmbedded \(done) docs  \(Int(Double(done) / max(elapsed, 1e-9))) docs/s"
        if let f = fraction, f > 0 { s += "  \(Int(f * 100))%  ETA \(formatDuration(elapsed * (1 - f) / f))" }
        return s + "   "
    }
}

/// Where the shipped default model is found: `$LEXEL_MODEL`, then `vocab/` in the working directory, then
/// `vocab/` two levels above the executable (the repository, for `.build/release/lexel`).
enum DefaultModel {
    static let name = "lexel-minilm-distilled.lxm"

    static func path() throws -> String {
        if let env = getenvString("LEXEL_MODEL") { return env }
        var candidates = ["vocab/\(name)"]
        if let exe = executablePath() {
            let dir = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            candidates += ["\(dir)/../../vocab/\(name)", "\(dir)/../../../vocab/\(name)", "\(dir)/../share/lexel/\(name)"]
        }
        for c in candidates where access(c, R_OK) == 0 { return c }
        throw LexelError("no --model given and the default model \(name) was not found in \(candidates.joined(separator: ", ")) (or set LEXEL_MODEL)")
    }

    static func getenvString(_ k: String) -> String? { getenv(k).map { String(cString: $0) } }

    static func executablePath() -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

#if canImport(Glibc)
import Glibc
#endif
