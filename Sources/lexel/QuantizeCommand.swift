import ArgumentParser
import LexelKit

/// `lexel quantize`: fastText's `quantize`, with its flags and defaults.
struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantize",
        abstract: "Shrink a classifier into a .ftz file (fastText's `quantize`: same flags and files).",
        discussion: """
            Reads PREFIX.bin (from `lexel supervised` or `fasttext supervised`) and writes PREFIX.ftz, which
            `fasttext.load_model`, `lexel predict` and `lexel test` open. Input rows are product-quantised: each part of
            -dsub values becomes one byte naming one of 256 centroids. -cutoff N keeps only the N words and n-gram
            rows of largest norm (the dictionary shrinks with them); -retrain then trains the kept rows further on
            -input (-epoch, -lr, -thread), which wins back most of what the cutoff lost. -qnorm stores each row's
            norm apart from its direction; -qout quantises the output matrix too (needs 256 labels or more).
            Examples:
              lexel quantize -output model
              lexel quantize -output model -input train.txt -qnorm -retrain -cutoff 100000
              lexel test model.ftz test.txt
            """)
    @Option(name: .customLong("output", withSingleDash: true), help: "Model prefix: reads PREFIX.bin, writes PREFIX.ftz.") var output: String
    @Option(name: .customLong("input", withSingleDash: true), help: "Training file, for -retrain.") var input: String?
    @Option(name: .customLong("cutoff", withSingleDash: true), parsing: .unconditional, help: "Keep this many words and n-gram rows (largest norms first); 0 keeps all.") var cutoff = 0
    @Flag(name: .customLong("retrain", withSingleDash: true), help: "Train the rows kept by -cutoff further on -input.") var retrain = false
    @Flag(name: .customLong("qnorm", withSingleDash: true), help: "Quantise each row's norm separately.") var qnorm = false
    @Flag(name: .customLong("qout", withSingleDash: true), help: "Quantise the output matrix too.") var qout = false
    @Option(name: .customLong("dsub", withSingleDash: true), parsing: .unconditional, help: "Values per quantiser part (one byte each).") var dsub = 2
    @Option(name: .customLong("epoch", withSingleDash: true), parsing: .unconditional, help: "Epochs of -retrain.") var epoch: Int32 = 5
    @Option(name: .customLong("lr", withSingleDash: true), parsing: .unconditional, help: "Learning rate of -retrain.") var lr = 0.05
    @Option(name: [.customLong("thread", withSingleDash: true), .customLong("threads")], parsing: .unconditional,
            help: "Threads (retraining and quantising; default: all CPUs).") var thread: Int?
    @Option(name: .customLong("seed", withSingleDash: true), parsing: .unconditional, help: "Random seed (quantisers' samples, retraining).") var seed: UInt64 = 0
    @Option(name: .customLong("verbose", withSingleDash: true), parsing: .unconditional, help: "0 silent, 1 summary, 2 progress line.") var verbose = 2

    func run() throws {
        try reportingErrors {
            var o = ClassifierQuantization.Options()
            (o.cutoff, o.retrain, o.input, o.qnorm, o.qout, o.dsub) = (cutoff, retrain, input, qnorm, qout, dsub)
            (o.epoch, o.lr, o.threads, o.seed) = (epoch, lr, thread ?? onlineCPUs, seed)
            let verbose = verbose
            if retrain && cutoff == 0 && verbose >= 1 { writeStderr("-retrain has no effect without -cutoff (as in fastText)\n") }
            let r = try ClassifierQuantization.run(prefix: output, options: o) { TrainingDisplay.show($0, verbose: verbose) }
            if verbose >= 1 {
                writeStderr("Kept \(r.keptRows) of \(r.originalRows) input rows; wrote \(r.output) (\(byteCount(Int(r.bytes))))\n")
            }
        }
    }
}
