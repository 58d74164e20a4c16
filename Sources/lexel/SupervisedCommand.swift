import ArgumentParser
import LexelKit

extension FastTextArgs.Loss: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument {
        case "softmax": self = .softmax
        case "ns": self = .ns
        case "hs": self = .hs
        case "ova": self = .ova
        default: return nil
        }
    }
    public static var allValueStrings: [String] { ["softmax", "ns", "hs", "ova"] }
}

/// `lexel supervised`: fastText's supervised training, with its flags and defaults.
struct Supervised: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supervised",
        abstract: "Train a text classifier (fastText's `supervised`: same flags, defaults and model files).",
        discussion: """
            Each line of -input holds one example: its labels (tokens starting with -label, anywhere in the line) and
            its text. Writes PREFIX.bin, a fastText model that `fasttext.load_model`, `lexel predict` and
            `lexel test` open. Every matrix row is initialised, and -thread 1 -seed S is reproducible.
            Losses: softmax (default), ns, hs (hierarchical softmax over label counts), ova (one-vs-all: independent
            sigmoids, for several labels per line). -classWeights balanced (or a file of 'LABEL WEIGHT' lines) scales
            each example's step by its label's weight, for imbalanced data (not in fastText).
            -autotune-validation VALID searches the arguments instead (reproducibly with -autotune-trials N).
            --features lexical trains a head (--head linear or mlp) on document embeddings and writes PREFIX.lxm.
            Examples:
              lexel supervised -input train.txt -output model
              lexel supervised -input train.txt -output model -epoch 25 -wordNgrams 2 -loss ova
              lexel supervised -input train.txt -output tuned -autotune-validation valid.txt -autotune-duration 120
              lexel supervised -input train.txt -output head --features lexical --head mlp
              lexel test model.bin test.txt
            """)
    @Option(name: .customLong("input", withSingleDash: true), help: "Training file (plain UTF-8 or .zst), one labelled example a line.")
    var input: String
    @Option(name: .customLong("output", withSingleDash: true), help: "Output prefix: writes PREFIX.bin.") var output: String
    @Option(name: .customLong("lr", withSingleDash: true), parsing: .unconditional, help: "Learning rate.") var lr = 0.1
    @Option(name: .customLong("dim", withSingleDash: true), parsing: .unconditional, help: "Size of word vectors.") var dim: Int32 = 100
    @Option(name: .customLong("ws", withSingleDash: true), parsing: .unconditional, help: "Context window (stored, unused by supervised training).") var ws: Int32 = 5
    @Option(name: .customLong("epoch", withSingleDash: true), parsing: .unconditional, help: "Number of epochs.") var epoch: Int32 = 5
    @Option(name: .customLong("minCount", withSingleDash: true), parsing: .unconditional, help: "Minimal number of word occurrences.") var minCount: Int32 = 1
    @Option(name: .customLong("minCountLabel", withSingleDash: true), parsing: .unconditional, help: "Minimal number of label occurrences.") var minCountLabel: Int64 = 0
    @Option(name: .customLong("neg", withSingleDash: true), parsing: .unconditional, help: "Negatives sampled (with -loss ns).") var neg: Int32 = 5
    @Option(name: .customLong("wordNgrams", withSingleDash: true), parsing: .unconditional, help: "Max length of word n-grams.") var wordNgrams: Int32 = 1
    @Option(name: .customLong("loss", withSingleDash: true), help: "Loss function: softmax, ns, hs or ova.") var loss = FastTextArgs.Loss.softmax
    @Option(name: .customLong("bucket", withSingleDash: true), parsing: .unconditional, help: "Hash buckets for word and character n-grams (0 when -wordNgrams 1 without character n-grams).") var bucket: Int32 = 2_000_000
    @Option(name: .customLong("minn", withSingleDash: true), parsing: .unconditional, help: "Min length of char n-grams.") var minn: Int32 = 0
    @Option(name: .customLong("maxn", withSingleDash: true), parsing: .unconditional, help: "Max length of char n-grams.") var maxn: Int32 = 0
    @Option(name: [.customLong("thread", withSingleDash: true), .customLong("threads")], parsing: .unconditional, help: "Training threads (hogwild).") var thread = 12
    @Option(name: .customLong("lrUpdateRate", withSingleDash: true), parsing: .unconditional, help: "Rate of learning-rate updates (stored).") var lrUpdateRate: Int32 = 100
    @Option(name: .customShort("t"), parsing: .unconditional, help: "Sampling threshold (stored).") var t = 1e-4
    @Option(name: .customLong("label", withSingleDash: true), help: "Label prefix.") var label = "__label__"
    @Option(name: .customLong("seed", withSingleDash: true), parsing: .unconditional, help: "Random seed.") var seed: UInt64 = 0
    @Option(name: .customLong("verbose", withSingleDash: true), parsing: .unconditional, help: "0 silent, 1 summary, 2 progress line.") var verbose = 2
    @Option(name: .customLong("classWeights", withSingleDash: true),
            help: "Weights of the labels in the loss, for imbalanced data: balanced (examples / (labels x label count)), or a file of 'LABEL WEIGHT' lines (unnamed labels weigh 1).")
    var classWeights: String?
    @Option(name: .customLong("pretrainedVectors", withSingleDash: true),
            help: "Word vectors to start from (.vec, a Lexel or fastText .bin, or .lxv; their dimension must equal -dim).")
    var pretrainedVectors: String?
    @Option(name: [.long, .customLong("features", withSingleDash: true)], help: "Classify document embeddings instead: lexical (the shipped model) or lexical=MODEL.lxm; writes PREFIX.lxm.")
    var features: String?
    @Option(help: "With --features: the head, linear (softmax regression) or mlp (one hidden ReLU layer).") var head = "linear"
    @Option(help: "With --head mlp: hidden units.") var hidden = 256
    @Option(name: .customLong("head-epochs"), help: "With --features: epochs over the embeddings (default: 30 linear, 10 mlp).") var headEpochs: Int?
    @Option(name: .customLong("head-lr"), help: "With --features: Adam's learning rate (default: 0.03 linear, 0.01 mlp).") var headLR: Float?
    @Option(name: .customLong("head-c"), help: "With --features: inverse L2 strength, as scikit-learn's C (0: none).") var headC: Float = 1
    @Flag(name: .customLong("head-standardize"), help: "With --features: train on standardised embeddings.") var headStandardize = false
    @Option(name: .customLong("autotune-validation", withSingleDash: true),
            help: "Search for the best arguments, scored on this labelled file (fastText's autotune; reproducible with -autotune-trials).")
    var autotuneValidation: String?
    @Option(name: .customLong("autotune-metric", withSingleDash: true),
            help: "What to maximise: f1, f1:LABEL, precisionAtRecall:P[:LABEL], recallAtPrecision:P[:LABEL] (P in percent).")
    var autotuneMetric = "f1"
    @Option(name: .customLong("autotune-predictions", withSingleDash: true), parsing: .unconditional, help: "Labels predicted a line for the F1 metrics.")
    var autotunePredictions = 1
    @Option(name: .customLong("autotune-duration", withSingleDash: true), parsing: .unconditional, help: "Seconds to search (default 300).")
    var autotuneDuration = 300.0
    @Option(name: .customLong("autotune-trials", withSingleDash: true), parsing: .unconditional,
            help: "Run exactly this many trials instead of a time budget: the same seed then gives the same model.")
    var autotuneTrials: Int?
    @Option(name: .customLong("autotune-modelsize", withSingleDash: true),
            help: "Largest model file, e.g. 2M: every trial is quantised to fit and PREFIX.ftz is written.")
    var autotuneModelsize: String?

    /// The -classWeights value: `balanced`, or a file of `LABEL WEIGHT` lines.
    func weights() throws -> ClassWeights {
        guard let classWeights else { return .none }
        if classWeights == "balanced" { return .balanced }
        var table: [String: Float] = [:]
        try QueryLines.forEachWords(path: classWeights) { words, number in
            guard words.count == 2, let w = Float(words[1]), w.isFinite, w >= 0 else {
                throw LexelError(file: classWeights, "line \(number): expected 'LABEL WEIGHT' with a weight >= 0")
            }
            table[words[0]] = w
        }
        return .table(table)
    }

    func run() throws {
        try reportingErrors {
            var a = SupervisedArguments()
            (a.model.dim, a.model.ws, a.model.epoch, a.model.minCount, a.model.neg) = (dim, ws, epoch, minCount, neg)
            (a.model.wordNgrams, a.model.loss, a.model.bucket, a.model.minn, a.model.maxn) = (wordNgrams, loss, bucket, minn, maxn)
            (a.model.lrUpdateRate, a.model.t, a.model.label) = (lrUpdateRate, t, label)
            (a.lr, a.threads, a.seed, a.minCountLabel) = (lr, thread, seed, minCountLabel)
            a.classWeights = try weights()
            a.pretrained = try pretrainedVectors.map { try ClassifierTraining.pretrained($0) }
            let verbose = verbose
            if let validation = autotuneValidation { return try autotune(a, validation: validation) }
            if let features { return try trainHead(features) }
            let model = try ClassifierTraining.run(input: input, outputPrefix: output, arguments: a) { TrainingDisplay.show($0, verbose: verbose) }
            if verbose >= 1 { writeStderr("Number of labels: \(model.labelCount)\nWrote \(output).bin\n") }
        }
    }

    func trainHead(_ features: String) throws {
        guard features == "lexical" || features.hasPrefix("lexical=") else {
            throw LexelError("--features: expected lexical or lexical=MODEL.lxm (got \(quoted(features)))")
        }
        var o = ClassifierHeadTraining.Options()
        o.model = features.hasPrefix("lexical=") ? String(features.dropFirst(8)) : nil
        guard let kind = EmbeddingHead.Kind(rawValue: head) else { throw LexelError("--head: expected linear or mlp (got \(quoted(head)))") }
        (o.kind, o.hidden, o.threads, o.labelPrefix) = (kind, hidden, thread, label)
        o.training = HeadTrainingOptions(for: kind)
        (o.training.epochs, o.training.learningRate) = (headEpochs ?? o.training.epochs, headLR ?? o.training.learningRate)
        o.training.seed = seed
        (o.training.inverseC, o.training.standardize) = (headC > 0 ? 1 / headC : 0, headStandardize)
        let verbose = verbose
        let r = try ClassifierHeadTraining.run(input: input, outputPrefix: output, options: o) { e in
            guard verbose >= 1 else { return }
            switch e {
            case .embedded(let lines, let skipped, let s):
                writeStderr("Embedded \(lines) labelled lines in \(formatFixed(s, 1)) s" + (skipped > 0 ? " (\(skipped) without a label skipped)" : "") + "\n")
            case .epoch(let e, let of, let loss):
                if verbose >= 2 || e == of { writeStderr("Epoch \(e)/\(of)  avg.loss: \(formatFixed(loss, 6))\n") }
            }
        }
        if verbose >= 1 { writeStderr("Number of labels: \(r.model.labelNames.count)\nWrote \(r.path)\n") }
    }

    func autotune(_ base: SupervisedArguments, validation: String) throws {
        var o = ClassifierAutotune.Options(validation: validation)
        (o.metric, o.predictions, o.duration, o.trials) = (try AutotuneMetric(parsing: autotuneMetric), autotunePredictions, autotuneDuration, autotuneTrials)
        o.threads = thread
        o.modelSize = try autotuneModelsize.map { try parseByteCount($0, flag: "-autotune-modelsize") }
        let verbose = verbose, metric = o.metric
        let r = try ClassifierAutotune.run(input: input, outputPrefix: output, base: base, options: o) { t, best in
            guard verbose >= 1 else { return }
            let score = t.score.map { formatFixed($0, 4) } ?? "failed (\(t.failure ?? ""))"
            writeStderr("Trial \(t.index + 1): \(metric) \(score) in \(formatFixed(t.seconds, 1)) s  best \(best?.score.map { formatFixed($0, 4) } ?? "-")  \(t.flags)\n")
        }
        out("Best \(metric): \(formatFixed(r.best.score ?? 0, 4)) after \(r.trials) trials (-autotune-trials \(r.trials) repeats this search)")
        out("Best arguments: \(r.best.flags)")
        if verbose >= 1 { writeStderr("Wrote \(r.output)\n") }
    }
}

/// `2M`, `500K`, `1G` or a plain byte count.
func parseByteCount(_ s: String, flag: String) throws -> Int64 {
    let units: [Character: Int64] = ["K": 1_000, "k": 1_000, "M": 1_000_000, "m": 1_000_000, "G": 1_000_000_000, "g": 1_000_000_000]
    let (digits, unit) = s.last.flatMap { units[$0] }.map { (String(s.dropLast()), $0) } ?? (s, 1)
    guard let v = Double(digits), v > 0, v * Double(unit) < 1e15 else { throw LexelError("\(flag): \(quoted(s)) is not a size such as 2M, 500K or 1000000") }
    return Int64(v * Double(unit))
}
