import ArgumentParser
import LexelCore
import LexelIO
import LexelText
import LexelVectors

/// Reads whitespace-separated queries from stdin, one per line.
func forEachStdinLine(_ body: ([String]) throws -> Void) throws {
    while let line = readLine(strippingNewline: true) {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if !words.isEmpty { try body(words) }
    }
}

func formatNeighbours(_ ns: [Neighbour]) -> String {
    ns.map { "\($0.word) \($0.score)" }.joined(separator: "\n")
}

struct PrintWordVectors: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "print-word-vectors",
        abstract: "Print the vector of each word read from stdin (unknown words get their subword vector).")
    @Argument(help: "A Lexel model (.bin) or text vectors (.vec).") var model: String
    func run() throws {
        try reportingErrors {
            let v = try WordVectors.load(path: model)
            try forEachStdinLine { words in
                for w in words {
                    let vec = v.vector(for: w) ?? [Float](repeating: 0, count: v.dim)
                    print(w + " " + vec.map { "\($0)" }.joined(separator: " "))
                }
            }
        }
    }
}

struct NearestNeighbours: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn", abstract: "Print the nearest neighbours of each word read from stdin.")
    @Argument(help: "A Lexel model (.bin) or text vectors (.vec).") var model: String
    @Argument(help: "Neighbours to print.") var k = 10
    func run() throws {
        try reportingErrors {
            guard k > 0 else { throw LexelError("k must be positive (got \(k))") }
            let v = try WordVectors.load(path: model)
            try forEachStdinLine { words in
                for w in words {
                    print("Query word? \(w)")
                    if let ns = v.nearest(toWord: w, k: k) { print(formatNeighbours(ns)) } else { print("(no vector for '\(w)')") }
                }
            }
        }
    }
}

struct Analogies: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analogies",
        abstract: "For each line 'A B C' on stdin, print the words nearest to A - B + C (as fastText does).",
        discussion: "Example: 'berlin germany france' -> paris.")
    @Argument(help: "A Lexel model (.bin) or text vectors (.vec).") var model: String
    @Argument(help: "Answers to print.") var k = 10
    func run() throws {
        try reportingErrors {
            guard k > 0 else { throw LexelError("k must be positive (got \(k))") }
            let v = try WordVectors.load(path: model)
            try forEachStdinLine { w in
                guard w.count == 3 else { print("(expected three words, got \(w.count))"); return }
                print("Query triplet (A - B + C)? \(w.joined(separator: " "))")
                if let ns = v.analogy(w[1], w[0], w[2], k: k) { print(formatNeighbours(ns)) } else { print("(a word has no vector)") }
            }
        }
    }
}
