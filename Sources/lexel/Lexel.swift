import ArgumentParser
import LexelKit

/// The `lexel` command: argument parsing and rendering over LexelKit's use cases.
@main
struct Lexel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexel",
        abstract: "Fast text embeddings on CPUs: word vectors, vector files, and document embeddings.",
        discussion: """
            Flags follow fastText where the two overlap (single dash: -input, -dim, -epoch ...); every
            multi-threaded command takes --threads (fastText-style commands also -thread).

            Word vectors:
              lexel skipgram -input corpus.txt -output model      (writes model.bin and model.vec)
              echo king | lexel nn model.bin
              echo "berlin germany france" | lexel analogies model.bin
              lexel eval words model.bin --similarity wordsim353.tsv --analogy questions-words.txt
            Vector files (.lxv: mapped, checksummed, quantised; answers for any word):
              lexel convert model.bin vectors.lxv --dtype int8
              echo king | lexel query vectors.lxv --most-similar 10
            Documents (lexical-dense embeddings; the shipped model by default):
              echo "cheap flights to paris" | lexel embed
              lexel embed corpus.jsonl.zst --output vectors.npy
              echo "how do I mount a disk" | lexel similar paragraphs.jsonl.zst
            Serving (OpenAI's /v1/embeddings, TEI's /embed, /classify, /similar; 127.0.0.1 by default):
              lexel serve --port 8080 --classifier model.bin
            Text classification (fastText models):
              lexel predict model.bin test.txt 3
              lexel test model.bin test.txt
            Run `lexel help SUBCOMMAND` for each command's flags and examples.
            """,
        version: BuildInfo.summary,
        subcommands: [SkipGram.self, CBOW.self, PrintWordVectors.self, NearestNeighbours.self, Analogies.self,
                      Eval.self, Convert.self, Query.self, Index.self, Info.self, Embed.self, Similar.self,
                      CountNgrams.self, Distill.self, DistillStatic.self, Supervised.self, Quantize.self, Predict.self, PredictProb.self, TestClassifier.self, TestLabel.self, Filter.self,
                      Cluster.self, Assign.self, Dedup.self, Serve.self])

    /// Parses and runs; a usage error (a bad flag or value) exits with status 1 like every other error, as fastText
    /// does, instead of ArgumentParser's 64. Help and --version exit 0.
    static func main() {
        installSignalHandlers()  // first, so that every thread inherits the unblocked signals
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            let message = fullMessage(for: error)
            if !message.isEmpty { writeStderr(message + "\n") }
            exit(withError: code == .validationFailure ? ExitCode(1) : error)
        }
    }
}

/// Runs a command's body: Lexel's input errors become one line `lexel: error: ...` and exit status 1, and
/// standard output is flushed and checked at the end, so that a failed write is never an exit 0.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    installSignalHandlers()
    do {
        let result = try body()
        try StandardOutput.shared.flush()
        return result
    } catch let e as LexelError {
        try? StandardOutput.shared.flush()
        writeStderr("lexel: error: \(e)\n")
        throw ExitCode(1)
    }
}

/// Writes a line to standard output (buffered, checked at exit by `reportingErrors`).
func out(_ s: String) { StandardOutput.shared.line(s) }

/// The thread count flag of every multi-threaded command (fastText-style commands also take -thread; they check
/// it in run(), since ArgumentParser reads a failing single-dash flag holding an 'h' as a request for help).
struct ThreadsOption: ParsableArguments {
    @Option(parsing: .unconditional, help: "Worker threads (default: all online CPUs).")
    var threads: Int = onlineCPUs

    func validate() throws {
        guard (1...1024).contains(threads) else { throw ValidationError("--threads must be 1...1024 (got \(threads))") }
    }
}

/// How every document-reading command reads its documents (one rule: `DocumentInput`).
struct DocumentOptions: ParsableArguments {
    @Option(help: "JSON Lines: the top-level string member holding the text (default: text for *.jsonl, *.ndjson, *.json, optionally .zst).")
    var field: String?
    @Flag(help: "Read one document per line even when the input's name ends in .jsonl.") var plain = false
    @Option(name: .customLong("max-document-mb"), parsing: .unconditional,
            help: "Longest document accepted, in MiB: a longer line (or input without newlines) is an error.")
    var maxDocumentMB: Int = DocumentReader.defaultMaxDocumentBytes >> 20

    func validate() throws {
        guard (1...4096).contains(maxDocumentMB) else { throw ValidationError("--max-document-mb must be 1...4096 (got \(maxDocumentMB))") }
        if plain && field != nil { throw ValidationError("--plain and --field contradict each other: choose one") }
    }

    func input(_ path: String) throws -> DocumentInput {
        try DocumentInput(path: path, field: field, plain: plain, maxDocumentBytes: maxDocumentMB << 20)
    }
}

extension RowType: ExpressibleByArgument {}
extension IDFKind: ExpressibleByArgument {}
extension LayerChoice: ExpressibleByArgument {}
