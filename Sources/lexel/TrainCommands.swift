import ArgumentParser
import LexelKit

extension LossKind: ExpressibleByArgument {}
extension Subsampler.Formula: ExpressibleByArgument {}
extension NgramInit: ExpressibleByArgument {}

/// Flags shared by `skipgram` and `cbow`, named and defaulted as in fastText.
struct TrainingOptions: ParsableArguments {
    @Option(name: .customLong("input", withSingleDash: true), help: "Training corpus: plain UTF-8 text or .zst, tokens separated by whitespace.")
    var input: String
    @Option(name: .customLong("output", withSingleDash: true), help: "Output prefix: writes PREFIX.bin (model) and PREFIX.vec (text vectors), both or neither.")
    var output: String
    @Option(name: .customLong("dim", withSingleDash: true), parsing: .unconditional, help: "Size of word vectors.")
    var dim = 100
    @Option(name: .customLong("ws", withSingleDash: true), parsing: .unconditional, help: "Size of the context window (the window actually used is drawn in 1...ws).")
    var ws = 5
    @Option(name: .customLong("epoch", withSingleDash: true), parsing: .unconditional, help: "Number of passes over the corpus.")
    var epoch = 5
    @Option(name: .customLong("minCount", withSingleDash: true), parsing: .unconditional, help: "Minimal number of word occurrences.")
    var minCount = 5
    @Option(name: .customLong("neg", withSingleDash: true), parsing: .unconditional, help: "Number of negatives sampled (with -loss ns).")
    var neg = 5
    @Option(name: .customLong("loss", withSingleDash: true), help: "Loss function: ns (negative sampling) or hs (hierarchical softmax).")
    var loss = LossKind.ns
    @Option(name: .customLong("minn", withSingleDash: true), parsing: .unconditional, help: "Min length of char n-grams.")
    var minn = 3
    @Option(name: .customLong("maxn", withSingleDash: true), parsing: .unconditional, help: "Max length of char n-grams (0 = no subwords, plain word2vec).")
    var maxn = 6
    @Option(name: .customLong("bucket", withSingleDash: true), parsing: .unconditional, help: "Number of hash buckets for char n-grams.")
    var bucket = 2_000_000
    @Option(name: [.customLong("thread", withSingleDash: true), .customLong("threads")], parsing: .unconditional,
            help: "Number of training threads (hogwild). 1 with a fixed -seed is deterministic.")
    var thread = 12
    @Option(name: .customLong("lr", withSingleDash: true), parsing: .unconditional, help: "Initial learning rate; decays linearly to 0.")
    var lr = 0.05
    @Option(name: .customShort("t"), parsing: .unconditional, help: "Subsampling threshold (0 turns subsampling off).")
    var t = 1e-4
    @Option(name: .customLong("subsampling", withSingleDash: true), help: "Keep-probability formula: fasttext = sqrt(t/f) + t/f (fastText and word2vec code), paper = sqrt(t/f).")
    var subsampling = Subsampler.Formula.fastText
    @Option(name: .customLong("negPower", withSingleDash: true), parsing: .unconditional, help: "Negatives are drawn with probability count^negPower (fastText: 0.5, word2vec and gensim: 0.75).")
    var negPower = 0.5
    @Option(name: .customLong("ngramInit", withSingleDash: true), help: "Initial n-gram rows: uniform (like word rows) or zero.")
    var ngramInit = NgramInit.uniform
    @Option(name: .customLong("maxVocab", withSingleDash: true), parsing: .unconditional, help: "Distinct words kept while counting; rare words are pruned past it.")
    var maxVocab = 30_000_000
    @Option(name: .customLong("seed", withSingleDash: true), parsing: .unconditional, help: "Random seed.")
    var seed: UInt64 = 1
    @Option(name: .customLong("verbose", withSingleDash: true), parsing: .unconditional, help: "0 silent, 1 summary, 2 progress line.")
    var verbose = 2

    // No validate(): ArgumentParser reads a single-dash flag holding an 'h' (-thread, -epoch) as a request for help
    // when validation fails, so these checks run in run() (TrainingArguments.validate, exit status 1).

    func arguments(model: ModelKind) throws -> TrainingArguments {
        var a = TrainingArguments()
        a.model = model
        (a.loss, a.subsampling, a.ngramInit) = (loss, subsampling, ngramInit)
        (a.dim, a.ws, a.epoch, a.minCount, a.neg) = (dim, ws, epoch, minCount, neg)
        (a.minn, a.maxn, a.bucket, a.thread, a.lr, a.t) = (minn, maxn, bucket, thread, lr, t)
        (a.negPower, a.maxVocab, a.seed, a.verbose) = (negPower, maxVocab, seed, verbose)
        try a.validate()
        return a
    }

    func run(_ model: ModelKind) throws {
        try reportingErrors {
            let args = try arguments(model: model)
            let verbose = verbose
            try WordVectorTraining.run(input: input, outputPrefix: output, arguments: args) { event in
                TrainingDisplay.show(event, verbose: verbose)
            }
            if verbose >= 1 { writeStderr("Wrote \(output).bin and \(output).vec\n") }
        }
    }
}

/// fastText's progress display for training events.
enum TrainingDisplay {
    static func show(_ event: TrainingEvent, verbose: Int) {
        switch event {
        case .counting(let tokens):
            if verbose >= 2 { writeStderr("\rRead \(tokens / 1_000_000)M words") }
        case .vocabulary(let words, let tokens):
            if verbose >= 1 { writeStderr("\rRead \(tokens / 1_000_000)M words\nNumber of words:  \(words)\n") }
        case .pretrained(let words, let of):
            if verbose >= 1 { writeStderr("Pretrained vectors for \(words) of \(of) words\n") }
        case .subwordRows(let used, let buckets):
            if verbose >= 1 { writeStderr("Number of n-gram rows: \(used) of \(buckets) buckets in use\n") }
        case .progress(let s):
            guard verbose >= 2 || (s.finished && verbose >= 1) else { return }
            writeStderr(ProgressLine.render(fraction: s.fraction, wordsPerSecPerThread: s.wordsPerSecondPerThread,
                                            lr: s.learningRate, loss: s.loss, elapsed: s.elapsed) + (s.finished ? "\n" : ""))
        }
    }
}

struct SkipGram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skipgram", abstract: "Train skip-gram word vectors (with fastText subwords unless -maxn 0).",
        discussion: """
            Writes PREFIX.bin (a Lexel model: words, counts and subword rows; `lexel nn` and `lexel convert` read it)
            and PREFIX.vec (word2vec text). Both are written to temporary files and renamed together at the end, so
            an interrupted or failed run leaves any earlier PREFIX.bin/.vec untouched.
            Examples:
              lexel skipgram -input corpus.txt -output model
              lexel skipgram -input corpus.txt.zst -output model -dim 300 -epoch 10 -thread 8
              lexel skipgram -input corpus.txt -output plain -maxn 0      (word2vec, no subwords)
            """)
    @OptionGroup var options: TrainingOptions
    func run() throws { try options.run(.skipgram) }
}

struct CBOW: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cbow", abstract: "Train CBOW word vectors (with fastText subwords unless -maxn 0).",
        discussion: """
            Same outputs and flags as `lexel skipgram`. CBOW predicts each word from the mean of its context: faster
            per epoch, better on syntactic analogies, weaker on rare words.
            Example:
              lexel cbow -input corpus.txt.zst -output model -maxn 0
            """)
    @OptionGroup var options: TrainingOptions
    func run() throws { try options.run(.cbow) }
}
