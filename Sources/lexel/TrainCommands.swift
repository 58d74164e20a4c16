import ArgumentParser
import LexelCore
import LexelIO
import LexelText
import LexelTraining
import LexelVectors

/// Flags shared by `skipgram` and `cbow`, named and defaulted as in fastText.
struct TrainingOptions: ParsableArguments {
    @Option(name: .customLong("input", withSingleDash: true), help: "Training corpus: plain UTF-8 text or .zst, tokens separated by whitespace.")
    var input: String
    @Option(name: .customLong("output", withSingleDash: true), help: "Output prefix: writes PREFIX.bin (model) and PREFIX.vec (text vectors).")
    var output: String
    @Option(name: .customLong("dim", withSingleDash: true), help: "Size of word vectors.")
    var dim = 100
    @Option(name: .customLong("ws", withSingleDash: true), help: "Size of the context window (the window actually used is drawn in 1...ws).")
    var ws = 5
    @Option(name: .customLong("epoch", withSingleDash: true), help: "Number of passes over the corpus.")
    var epoch = 5
    @Option(name: .customLong("minCount", withSingleDash: true), help: "Minimal number of word occurrences.")
    var minCount = 5
    @Option(name: .customLong("neg", withSingleDash: true), help: "Number of negatives sampled (with -loss ns).")
    var neg = 5
    @Option(name: .customLong("loss", withSingleDash: true), help: "Loss function: ns (negative sampling) or hs (hierarchical softmax).")
    var loss = "ns"
    @Option(name: .customLong("minn", withSingleDash: true), help: "Min length of char n-grams.")
    var minn = 3
    @Option(name: .customLong("maxn", withSingleDash: true), help: "Max length of char n-grams (0 = no subwords, plain word2vec).")
    var maxn = 6
    @Option(name: .customLong("bucket", withSingleDash: true), help: "Number of hash buckets for char n-grams.")
    var bucket = 2_000_000
    @Option(name: .customLong("thread", withSingleDash: true), help: "Number of training threads (hogwild). 1 with a fixed -seed is deterministic.")
    var thread = 12
    @Option(name: .customLong("lr", withSingleDash: true), help: "Initial learning rate; decays linearly to 0.")
    var lr = 0.05
    @Option(name: .customShort("t"), help: "Subsampling threshold (0 turns subsampling off).")
    var t = 1e-4
    @Option(name: .customLong("subsampling", withSingleDash: true), help: "Keep-probability formula: fasttext = sqrt(t/f) + t/f (fastText and word2vec code), paper = sqrt(t/f).")
    var subsampling = "fasttext"
    @Option(name: .customLong("negPower", withSingleDash: true), help: "Negatives are drawn with probability count^negPower (fastText: 0.5, word2vec and gensim: 0.75).")
    var negPower = 0.5
    @Option(name: .customLong("ngramInit", withSingleDash: true), help: "Initial n-gram rows: uniform (like word rows) or zero.")
    var ngramInit = "uniform"
    @Option(name: .customLong("maxVocab", withSingleDash: true), help: "Distinct words kept while counting; rare words are pruned past it.")
    var maxVocab = 30_000_000
    @Option(name: .customLong("seed", withSingleDash: true), help: "Random seed.")
    var seed: UInt64 = 1
    @Option(name: .customLong("verbose", withSingleDash: true), help: "0 silent, 1 summary, 2 progress line.")
    var verbose = 2

    func arguments(model: ModelKind) throws -> TrainingArguments {
        var a = TrainingArguments()
        a.model = model
        guard let l = LossKind(rawValue: loss) else { throw LexelError("-loss: expected ns or hs (got '\(loss)')") }
        guard let s = Subsampler.Formula(rawValue: subsampling) else {
            throw LexelError("-subsampling: expected fasttext or paper (got '\(subsampling)')")
        }
        guard let ni = NgramInit(rawValue: ngramInit) else {
            throw LexelError("-ngramInit: expected uniform or zero (got '\(ngramInit)')")
        }
        a.loss = l
        a.subsampling = s
        a.ngramInit = ni
        (a.dim, a.ws, a.epoch, a.minCount, a.neg) = (dim, ws, epoch, minCount, neg)
        (a.minn, a.maxn, a.bucket, a.thread, a.lr, a.t) = (minn, maxn, bucket, thread, lr, t)
        (a.negPower, a.maxVocab, a.seed, a.verbose) = (negPower, maxVocab, seed, verbose)
        try a.validate()
        return a
    }

    func run(_ model: ModelKind) throws {
        try reportingErrors {
            let args = try arguments(model: model)
            let trained = try Trainer.train(path: input, arguments: args)
            let vectors = WordVectors(
                vocabulary: trained.vocabulary, rows: UnsafePointer(trained.input.pointer), rowCount: trained.input.rows,
                dim: args.dim, minn: args.minn, maxn: args.maxn, bucket: args.effectiveBucket,
                usedBuckets: UnsafeBufferPointer(start: trained.subwords.usedBuckets.base,
                                                 count: trained.subwords.usedBuckets.count),
                metadata: args.asPairs + [("input", input)], owners: [trained.input, trained.subwords])
            try ModelFile.write(path: output + ".bin", vectors: vectors)
            try TextVectors.write(vectors, path: output + ".vec")
            if args.verbose >= 1 { writeStderr("Wrote \(output).bin and \(output).vec\n") }
        }
    }
}

struct SkipGram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skipgram", abstract: "Train skip-gram word vectors (with fastText subwords unless -maxn 0).")
    @OptionGroup var options: TrainingOptions
    func run() throws { try options.run(.skipgram) }
}

struct CBOW: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cbow", abstract: "Train CBOW word vectors (with fastText subwords unless -maxn 0).")
    @OptionGroup var options: TrainingOptions
    func run() throws { try options.run(.cbow) }
}
