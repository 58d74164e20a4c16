import ArgumentParser
import LexelKit
import Foundation

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
            --json prints one object: {"similarity": [{"file", "spearman", "pairs", "oov_pairs", "skipped"}...],
            "analogy": {"file", "accuracy", "correct", "answered", "questions", "sections": [...]}}.
            Example:
              lexel eval words model.bin --similarity wordsim353.tsv --analogy questions-words.txt
            """)
    @Argument(help: "A Lexel or fastText model (.bin), word2vec .bin, or text vectors (.vec).") var model: String
    @Option(help: "Word-similarity file (repeat for several).") var similarity: [String] = []
    @Option(help: "Analogy questions file.") var analogy: String?
    @Option(parsing: .unconditional, help: "Answer analogies among this many most frequent words.") var restrict = 30_000
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func validate() throws {
        guard !similarity.isEmpty || analogy != nil else { throw ValidationError("give --similarity FILE and/or --analogy FILE") }
        guard restrict > 0 else { throw ValidationError("--restrict must be positive (got \(restrict))") }
    }

    struct Report: Encodable {
        struct Similarity: Encodable {
            let file: String, spearman: Double, pairs: Int, oov_pairs: Int, skipped: Int
        }
        struct Section: Encodable { let name: String, correct: Int, answered: Int, questions: Int }
        struct Analogy: Encodable {
            let file: String, accuracy: Double, correct: Int, answered: Int, questions: Int, sections: [Section]
        }
        var similarity: [Similarity] = []
        var analogy: Analogy?
    }

    func run() throws {
        try reportingErrors {
            let v = try ModelFiles.wordVectors(model, for: "eval words")
            var report = Report()
            for s in similarity {
                let r = try Evaluation.similarity(v, path: s)
                report.similarity.append(.init(file: s, spearman: r.spearman, pairs: r.pairs, oov_pairs: r.oovPairs, skipped: r.skipped))
                if !json {
                    out("\(s): Spearman rho \(formatFixed(r.spearman, 4)) over \(r.pairs) pairs (\(r.oovPairs) with an OOV word, \(r.skipped) skipped)")
                }
            }
            if let a = analogy {
                let r = try Evaluation.analogies(v, path: a, restrict: restrict)
                report.analogy = .init(file: a, accuracy: r.accuracy, correct: r.correct, answered: r.answered, questions: r.questions,
                                       sections: r.sections.map { .init(name: $0.name, correct: $0.correct, answered: $0.answered, questions: $0.questions) })
                if !json {
                    for s in r.sections {
                        out("  \(s.name.rightPadded(30)) \(formatFixed(s.accuracy * 100, 1))%  (\(s.correct)/\(s.answered), \(s.questions) questions)")
                    }
                    out("\(a): accuracy \(formatFixed(r.accuracy * 100, 2))% (\(r.correct)/\(r.answered) answered of \(r.questions) questions)")
                }
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                out(String(decoding: try encoder.encode(report), as: UTF8.self))
            }
        }
    }
}
