import ArgumentParser
import LexelCore
import LexelIO
import LexelText

/// The `lexel` command: fastText-style word-vector training and querying.
@main
struct Lexel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lexel",
        abstract: "Fast text embeddings on CPUs: train word2vec/fastText vectors, query and evaluate them.",
        discussion: """
            Flags follow fastText where the two overlap (single dash: -input, -dim, -epoch ...).

            Train:     lexel skipgram -input corpus.txt -output model      (writes model.bin and model.vec)
                       lexel cbow -input corpus.txt.zst -output model -maxn 0
            Query:     echo king | lexel nn model.bin
                       echo "berlin germany france" | lexel analogies model.bin
                       echo "wrod" | lexel print-word-vectors model.bin
            Evaluate:  lexel eval words model.bin --similarity wordsim353.tsv --analogy questions-words.txt
            """,
        subcommands: [SkipGram.self, CBOW.self, PrintWordVectors.self, NearestNeighbours.self, Analogies.self,
                      Eval.self, Convert.self, Query.self, Index.self, Info.self, Embed.self, Similar.self, CountNgrams.self, Distill.self])
}

/// Runs `body`, turning Lexel's input errors into a one-line message and exit status 1.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as LexelError {
        writeError("lexel: error: \(e)")
        throw ExitCode(1)
    }
}

func writeError(_ s: String) {
    var line = s + "\n"
    line.withUTF8 { b in _ = fwriteStderr(b) }
}

#if canImport(Glibc)
import Glibc
func fwriteStderr(_ b: UnsafeBufferPointer<UInt8>) -> Int { write(2, b.baseAddress, b.count) }
#endif
