import ArgumentParser
import LexelCore
import LexelIO
import LexelText
import LexelVectors

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate vectors on standard benchmarks.", subcommands: [EvalWords.self])
}

struct EvalWords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "words",
        abstract: "Word similarity (Spearman rho) and analogies (3CosAdd accuracy) of word vectors.",
        discussion: """
            Similarity files hold 'word1<TAB>word2<TAB>score' lines (WordSim353); '#' lines are comments.
            With a subword model, out-of-vocabulary words are scored with their n-gram vectors (counted as OOV).
            Analogies use word2vec's questions-words.txt; as in word2vec's compute-accuracy, only questions whose
            four words are among the --restrict most frequent are answered, and the question words are excluded.
            """)
    @Argument(help: "A Lexel model (.bin) or text vectors (.vec).") var model: String
    @Option(help: "Word-similarity file(s).") var similarity: [String] = []
    @Option(help: "Analogy questions file.") var analogy: String?
    @Option(help: "Answer analogies among this many most frequent words.") var restrict = 30_000
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        try reportingErrors {
            guard !similarity.isEmpty || analogy != nil else { throw LexelError("give --similarity FILE and/or --analogy FILE") }
            guard restrict > 0 else { throw LexelError("--restrict must be positive") }
            let v = try WordVectors.load(path: model)
            var fields: [String] = []
            for s in similarity {
                let r = try Evaluation.similarity(v, path: s)
                if json {
                    fields.append("\"similarity\": {\"file\": \"\(s)\", \"spearman\": \(r.spearman), \"pairs\": \(r.pairs), \"oov_pairs\": \(r.oovPairs), \"skipped\": \(r.skipped)}")
                } else {
                    print("\(s): Spearman rho \(formatFixed(r.spearman, 4)) over \(r.pairs) pairs (\(r.oovPairs) with an OOV word, \(r.skipped) skipped)")
                }
            }
            if let a = analogy {
                let r = try Evaluation.analogies(v, path: a, restrict: restrict)
                if json {
                    let secs = r.sections.map { "{\"name\": \"\($0.name)\", \"correct\": \($0.correct), \"answered\": \($0.answered), \"questions\": \($0.questions)}" }
                    fields.append("\"analogy\": {\"file\": \"\(a)\", \"accuracy\": \(r.accuracy), \"correct\": \(r.correct), \"answered\": \(r.answered), \"questions\": \(r.questions), \"sections\": [\(secs.joined(separator: ", "))]}")
                } else {
                    for s in r.sections {
                        print("  \(s.name.padding(30)) \(formatFixed(s.accuracy * 100, 1))%  (\(s.correct)/\(s.answered), \(s.questions) questions)")
                    }
                    print("\(a): accuracy \(formatFixed(r.accuracy * 100, 2))% (\(r.correct)/\(r.answered) answered of \(r.questions) questions)")
                }
            }
            if json { print("{" + fields.joined(separator: ", ") + "}") }
        }
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
