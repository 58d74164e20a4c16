import ArgumentParser
import Foundation
import LexelKit

/// fastText's `predict`, `predict-prob` and `test`, with the same arguments: MODEL FILE|- [k] [threshold].
struct ClassifierArguments: ParsableArguments {
    @Argument(help: "A classifier: fastText .bin or .ftz, or a Lexel .lxm with a classifier head (`supervised --features lexical`).") var model: String
    @Argument(help: "Lines to classify (`-` for standard input); with `test`, lines with __label__ tokens.") var input: String
    /// `[k] [threshold]`, read by hand so that fastText's `-1` (every label) is not taken for a flag.
    @Argument(parsing: .allUnrecognized, help: "[k] [threshold]: labels per line (default 1; -1: all) and the lowest probability shown (default 0).")
    var rest: [String] = []

    var k: Int { rest.first.flatMap { Int($0) } ?? 1 }
    var threshold: Float { rest.count > 1 ? Float(rest[1]) ?? 0 : 0 }

    func validate() throws {
        guard rest.count <= 2 else { throw ValidationError("expected at most k and a threshold after FILE (got \(rest.count) values)") }
        if let first = rest.first {
            guard let k = Int(first), k == -1 || k >= 1 else { throw ValidationError("k must be positive, or -1 for every label (got \(first))") }
        }
        if rest.count == 2 {
            guard let t = Float(rest[1]), t >= 0, t <= 1 else { throw ValidationError("threshold must be in [0, 1] (got \(rest[1]))") }
        }
    }
}

/// Options of `predict` and `predict-prob` beyond fastText's.
struct PredictThreads: ParsableArguments {
    @Option(parsing: .unconditional, help: "Threads predicting batches of lines (default 1, as fastText; output stays in input order).")
    var threads = 1
    @Flag(help: "One JSON object per document: {\"index\", \"labels\", \"probabilities\"}.") var json = false
    @Option(help: "JSON Lines input: the string member holding the text (default: text for *.jsonl, *.ndjson, *.json inputs).")
    var field: String?
    func validate() throws { guard (1...1024).contains(threads) else { throw ValidationError("--threads must be 1...1024 (got \(threads))") } }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Print the most likely labels of each line (fastText's `predict`).",
        discussion: """
            Reads fastText supervised models (.bin) and gives the same labels as fastText, in the same order.
            One output line per input line. Reads .bin and quantised .ftz models (lid.176.ftz among them).
            JSON Lines input (*.jsonl or --field) takes the text from its field; --json writes one object per document
            with its labels and probabilities; --threads predicts batches of lines in parallel.
            Examples:
              lexel predict model.bin test.txt
              echo "which baking dish is best" | lexel predict model.bin - 3
            """)
    @OptionGroup var arguments: ClassifierArguments
    @OptionGroup var threads: PredictThreads
    func run() throws { try predict(arguments, probabilities: false, options: threads) }
}

struct PredictProb: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict-prob", abstract: "Print the most likely labels of each line with their probabilities.",
        discussion: """
            Like `lexel predict`, each label followed by its probability. Probabilities are never above 1
            (fastText prints p + 0.00001).
            Example:
              lexel predict-prob model.bin test.txt -1 0.1
            """)
    @OptionGroup var arguments: ClassifierArguments
    @OptionGroup var threads: PredictThreads
    func run() throws { try predict(arguments, probabilities: true, options: threads) }
}

func predict(_ a: ClassifierArguments, probabilities: Bool, options o: PredictThreads) throws {
    try reportingErrors {
        let documents = try DocumentInput(path: a.input, field: o.field)
        _ = try documents.reader()
        let m = try ModelFiles.lineClassifier(a.model, for: probabilities ? "predict-prob" : "predict")
        try ClassifierPredictions.run(m, documents: documents, k: a.k, threshold: a.threshold, probabilities: probabilities,
                                      threads: o.threads, json: o.json)
    }
}

struct TestClassifier: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Precision and recall at k of a classifier on labelled lines (fastText's `test`).",
        discussion: """
            Prints, as fastText does, the number of labelled lines (N), precision at k (correct labels among those
            predicted) and recall at k (correct labels among the true ones).
            Example:
              lexel test model.bin test.txt 1
            """)
    @OptionGroup var arguments: ClassifierArguments
    func run() throws {
        try reportingErrors {
            let m = try ModelFiles.lineClassifier(arguments.model, for: "test")
            let r = try ClassifierEvaluation.test(m, path: arguments.input, k: arguments.k, threshold: arguments.threshold)
            printSummary(r, k: arguments.k)
        }
    }
}

/// fastText's summary lines of `test` and `test-label`: N, P@k and R@k.
func printSummary(_ r: ClassifierEvaluation.Metrics, k: Int) {
    out("N\t\(r.examples)")
    out("P@\(k)\t\(String(format: "%.3g", r.precision))")
    out("R@\(k)\t\(String(format: "%.3g", r.recall))")
}

struct TestLabel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-label", abstract: "Per-label F1, precision and recall (fastText's `test-label`), and a confusion matrix.",
        discussion: """
            Prints fastText's lines (F1-Score, Precision, Recall and the label; `--------` where undefined), then N,
            P@k and R@k. With --json, one object instead: per label its precision, recall, F1 and support (lines
            holding it), and the confusion matrix (rows: true labels, columns: the most probable label).
            Example:
              lexel test-label model.bin test.txt
              lexel test-label model.bin test.txt 1 --json > report.json
            """)
    @OptionGroup var arguments: ClassifierArguments
    @Flag(help: "One JSON object with per-label metrics, support and the confusion matrix.") var json = false

    struct Report: Encodable {
        struct Label: Encodable { let label: String, precision: Double?, recall: Double?, f1: Double?, support: Int }
        let examples: Int, k: Int, precision: Double, recall: Double
        let labels: [Label]
        let confusion: [[Int]]
    }

    func run() throws {
        try reportingErrors {
            let m = try ModelFiles.lineClassifier(arguments.model, for: "test-label")
            let r = try ClassifierEvaluation.test(m, path: arguments.input, k: arguments.k, threshold: arguments.threshold)
            let names = m.labelNames
            if json {
                let report = Report(examples: r.examples, k: arguments.k, precision: r.precision, recall: r.recall,
                                    labels: names.indices.map { .init(label: names[$0], precision: r.precision(label: $0),
                                                                      recall: r.recall(label: $0), f1: r.f1(label: $0),
                                                                      support: r.labelGold[$0]) },
                                    confusion: r.confusion)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                out(String(decoding: try encoder.encode(report), as: UTF8.self))
                return
            }
            func metric(_ name: String, _ v: Double?) -> String { "\(name) : \(v.map { String(format: "%.6f", $0) } ?? "--------")  " }
            for i in names.indices {
                out(metric("F1-Score", r.f1(label: i)) + metric("Precision", r.precision(label: i)) + metric("Recall", r.recall(label: i))
                    + " " + names[i])
            }
            printSummary(r, k: arguments.k)
        }
    }
}

struct Filter: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter", abstract: "Keep the documents of a corpus that a classifier scores high enough (quality filtering).",
        discussion: """
            Streams DOCUMENTS (JSON Lines with the text in --field, default `text`, or one document per line; zstd is
            detected), scores each with the model on all threads (the probability of the --keep label, the largest
            when several are given; newlines inside a text count as spaces), and writes the documents scoring at
            least --min-score unchanged, in input order: the whole JSON object for JSON Lines. --scores also writes
            every document's score as JSON Lines. --keep-fraction F keeps the share F of documents that score
            highest instead (a first pass scores the corpus to find the threshold, so the corpus must be a file).
            Outputs are written atomically.
            Examples:
              lexel filter corpus.jsonl.zst --model quality.bin --keep __label__hq --min-score 0.5 --output kept.jsonl
              lexel filter corpus.jsonl.zst --model quality.bin --keep __label__hq --keep-fraction 0.1 --output top10.jsonl
              lexel filter web.jsonl --model lid.176.ftz --keep __label__en --min-score 0.65 --scores scores.jsonl > en.jsonl
            """)
    @Argument(help: "The corpus: JSON Lines (see --field) or one document per line; plain or .zst.") var documents: String
    @OptionGroup var documentOptions: DocumentOptions
    @Option(help: "A fastText classifier (.bin or .ftz).") var model: String
    @Option(help: "A label whose probability is the score (repeat for several).") var keep: [String]
    @Option(name: .customLong("min-score"), parsing: .unconditional, help: "Keep documents scoring at least this.") var minScore: Float = 0.5
    @Option(name: .customLong("keep-fraction"), parsing: .unconditional,
            help: "Keep this share of the documents, those scoring highest (instead of --min-score; reads the corpus twice).")
    var keepFraction: Double?
    @Option(help: "Kept documents (JSON Lines or lines); default: standard output.") var output: String?
    @Option(help: "Every document's score, as JSON Lines with index, score and kept.") var scores: String?
    @OptionGroup var threads: ThreadsOption
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        guard !keep.isEmpty else { throw ValidationError("give --keep LABEL") }
        guard minScore >= 0, minScore <= 1 else { throw ValidationError("--min-score must be in [0, 1] (got \(minScore))") }
        if let f = keepFraction { guard f > 0, f <= 1 else { throw ValidationError("--keep-fraction must be in (0, 1] (got \(f))") } }
    }

    func run() throws {
        try reportingErrors {
            let input = try documentOptions.input(documents)
            _ = try input.reader()
            for p in [output, scores].compactMap({ $0 }) { try OutputPath.checkWritable(p) }
            let m = try ModelFiles.lineClassifier(model, for: "filter")
            var f = CorpusFilter(keep: keep)
            (f.minScore, f.threads) = (minScore, threads.threads)
            if let fraction = keepFraction {
                var pass = ProgressDisplay("Scored (pass 1 of 2)", unit: "docs", enabled: !quiet)
                let t0 = monotonicSeconds()
                var scored = 0
                f.minScore = try f.threshold(keeping: fraction, input, model: m) { p in
                    scored = p.documents
                    pass.update(done: p.documents, seconds: p.seconds, fraction: p.fraction)
                }
                pass.finish(done: scored, seconds: monotonicSeconds() - t0)
            }
            var display = ProgressDisplay("Filtered", unit: "docs", enabled: !quiet)
            let start = monotonicSeconds()
            let s = try f.run(input, model: m, output: output, scores: scores) { p in
                display.update(done: p.documents, seconds: p.seconds, fraction: p.fraction)
            }
            display.finish(done: s.documents, seconds: monotonicSeconds() - start)
            if !quiet { writeStderr("kept \(s.kept) of \(s.documents) documents (score >= \(f.minScore))\n") }
        }
    }
}
