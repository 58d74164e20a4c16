import ArgumentParser
import LexelKit

/// Queries are read with `QueryLines`: at most 1 MiB a line, valid UTF-8, so that `/dev/zero` on standard input
/// is an error after a bounded read.
func formatNeighbours(_ ns: [Neighbour]) -> String {
    ns.map { "\($0.word) \($0.score)" }.joined(separator: "\n")
}

struct PrintWordVectors: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print-word-vectors",
        abstract: "Print the vector of each word read from stdin (unknown words get their subword vector).",
        discussion: """
            One output line per input word: the word, then its values. A word the model does not know gets the mean
            of its character n-gram rows (subword models), or zeros.
            Example:
              echo "king wrod" | lexel print-word-vectors model.bin
            """)
    @Argument(help: "A Lexel or fastText model (.bin), word2vec .bin, or text vectors (.vec).") var model: String
    func run() throws {
        try reportingErrors {
            let v = try ModelFiles.wordVectors(model, for: "print-word-vectors")
            try QueryLines.forEachWords { words, _ in
                for w in words {
                    let vec = v.vector(for: w) ?? [Float](repeating: 0, count: v.dim)
                    out(w + " " + vec.map { "\($0)" }.joined(separator: " "))
                }
            }
        }
    }
}

struct NearestNeighbours: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn", abstract: "Print the nearest neighbours of each word read from stdin.",
        discussion: """
            Exact cosine over the model's vocabulary (as fastText's `nn`); unknown words use their subword vector.
            For large vocabularies, convert to .lxv and use `lexel query --most-similar` (multi-threaded, HNSW).
            Example:
              printf 'king\\nkernell\\n' | lexel nn model.bin 5
            """)
    @Argument(help: "A Lexel or fastText model (.bin), word2vec .bin, or text vectors (.vec).") var model: String
    @Argument(help: "Neighbours to print.") var k = 10
    func validate() throws { guard k > 0 else { throw ValidationError("k must be positive (got \(k))") } }
    func run() throws {
        try reportingErrors {
            let v = try ModelFiles.wordVectors(model, for: "nn")
            try QueryLines.forEachWords { words, _ in
                for w in words {
                    out("Query word? \(w)")
                    if let ns = v.nearest(toWord: w, k: k) { out(formatNeighbours(ns)) } else { out("(no vector for '\(w)')") }
                }
            }
        }
    }
}

struct Analogies: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analogies",
        abstract: "For each line 'A B C' on stdin, print the words nearest to A - B + C (as fastText does).",
        discussion: """
            Example: 'berlin germany france' -> paris.
              echo "berlin germany france" | lexel analogies model.bin 3
            """)
    @Argument(help: "A Lexel or fastText model (.bin), word2vec .bin, or text vectors (.vec).") var model: String
    @Argument(help: "Answers to print.") var k = 10
    func validate() throws { guard k > 0 else { throw ValidationError("k must be positive (got \(k))") } }
    func run() throws {
        try reportingErrors {
            let v = try ModelFiles.wordVectors(model, for: "analogies")
            try QueryLines.forEachWords { w, _ in
                guard w.count == 3 else { out("(expected three words, got \(w.count))"); return }
                out("Query triplet (A - B + C)? \(w.joined(separator: " "))")
                if let ns = v.analogy(w[1], w[0], w[2], k: k) { out(formatNeighbours(ns)) } else { out("(a word has no vector)") }
            }
        }
    }
}
