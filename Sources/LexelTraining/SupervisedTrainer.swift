import LexelCore
import LexelIO
import LexelKernels
import LexelText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `lexel supervised` trains with: fastText's arguments (stored in the model), plus what fastText does not
/// store.
public struct SupervisedArguments: Sendable {
    public var model = FastTextArgs()
    public var lr = 0.1
    public var threads = 12
    public var seed: UInt64 = 0
    public var minCountLabel: Int64 = 0
    /// Per-label weights of the loss (fastText has none): each example's step is scaled by its drawn label's weight.
    public var classWeights = ClassWeights.none
    /// Vectors to start word rows from (fastText's -pretrainedVectors): words found there start from their vector,
    /// the others from random values.
    public var pretrained: PretrainedVectors?

    public init() {}

    /// Throws on values that cannot train, naming fastText's flag.
    public func validate() throws {
        func bad(_ flag: String, _ why: String) -> LexelError { LexelError("-\(flag): \(why)") }
        guard (1...100_000).contains(model.dim) else { throw bad("dim", "must be between 1 and 100000 (got \(model.dim))") }
        guard (1...100_000).contains(model.epoch) else { throw bad("epoch", "must be between 1 and 100000 (got \(model.epoch))") }
        guard lr.isFinite, lr > 0, lr <= 10 else { throw bad("lr", "must be in (0, 10] (got \(lr))") }
        guard (1...1024).contains(threads) else { throw bad("thread", "must be between 1 and 1024 (got \(threads))") }
        guard (1...100).contains(model.wordNgrams) else { throw bad("wordNgrams", "must be between 1 and 100 (got \(model.wordNgrams))") }
        guard model.minn <= model.maxn || model.maxn == 0 else { throw bad("minn", "must not exceed -maxn") }
        guard model.maxn <= 32, model.bucket >= 0 else { throw bad("maxn", "must be at most 32 (and -bucket >= 0)") }
        guard (1...10_000).contains(model.neg) else { throw bad("neg", "must be between 1 and 10000 (got \(model.neg))") }
        guard model.lrUpdateRate >= 1 else { throw bad("lrUpdateRate", "must be positive") }
        guard !model.label.isEmpty, !model.label.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw bad("label", "must be a non-empty prefix without spaces")
        }
    }
}

/// Word vectors to start from: their dimension and the vector of a word they hold (nil otherwise).
public struct PretrainedVectors: Sendable {
    public let dim: Int
    public let source: String
    public let vector: @Sendable (String) -> [Float]?
    public init(dim: Int, source: String, vector: @escaping @Sendable (String) -> [Float]?) {
        (self.dim, self.source, self.vector) = (dim, source, vector)
    }
}

/// How labels weigh in the loss, for imbalanced data.
public enum ClassWeights: Sendable, Equatable {
    case none
    /// `examples / (labels x count of the label)`: every label weighs as much in total (scikit-learn's "balanced").
    case balanced
    /// Given weights by label name; labels not named weigh 1.
    case table([String: Float])

    /// The weight of each of `dictionary`'s labels.
    func weights(_ dictionary: SupervisedDictionary) throws -> [Float]? {
        let counts = dictionary.counts[dictionary.wordCount...].map { Double($0) }
        switch self {
        case .none: return nil
        case .balanced:
            let total = counts.reduce(0, +)
            return counts.map { Float(total / (Double(counts.count) * max($0, 1))) }
        case .table(let t):
            let names = dictionary.labels
            for k in t.keys where !names.contains(k) { throw LexelError("-classWeights: \(quoted(k)) is not a label of the training file") }
            return names.map { t[$0] ?? 1 }
        }
    }
}

/// A trained classifier's parts: the dictionary and the input and output matrices (fastText's layout).
public struct TrainedClassifier: @unchecked Sendable {
    public let dictionary: SupervisedDictionary
    public let input: Matrix
    public let output: Matrix
    public let seconds: Double
    public let loss: Double
}

/// fastText's supervised training (`fasttext supervised`): the mean of a line's input rows predicts a label drawn
/// among its labels (all of them with ova), through the loss's output layer; the gradient, divided by the
/// number of input rows, is added to each. Hogwild threads share the matrices; every row is initialised (unlike
/// fastText with fewer than 10 threads), and `-thread 1 -seed S` is reproducible bit for bit.
public enum SupervisedTrainer {
    public static func train(path: String, arguments a: SupervisedArguments,
                             events: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws -> TrainedClassifier {
        try a.validate()
        var modelArgs = a.model
        if modelArgs.wordNgrams <= 1 && modelArgs.maxn == 0 { modelArgs.bucket = 0 }  // as fastText: no hashed rows to learn
        let args = modelArgs
        let dict = try SupervisedDictionary.count(path: path, args: args, minCountLabel: a.minCountLabel) { events(.counting(tokens: $0)) }
        events(.vocabulary(words: dict.wordCount, tokens: dict.tokenCount))
        let dim = Int(args.dim), rows = dict.wordCount + Int(args.bucket)
        // Rows get their uniform initial values from their own seeded streams the first time training touches them
        // (whichever thread, whatever the order); rows no line ever uses (most hash buckets) stay zero and cost no
        // memory. fastText initialises only some rows and leaves the others as uninitialised memory.
        let input = Matrix(rows: rows, cols: dim, lazilyZeroed: true), output = Matrix(rows: dict.labelCount, cols: dim)
        let initialised = RowFlags(count: rows)
        if let p = a.pretrained {
            guard p.dim == dim else {
                throw LexelError(file: p.source, "-pretrainedVectors: vectors of dimension \(p.dim), but -dim is \(dim) (give -dim \(p.dim))")
            }
            var found = 0
            for w in 0..<dict.wordCount {
                guard let v = p.vector(String(decoding: dict.entries[w], as: UTF8.self)) else { continue }
                for k in 0..<dim { input.row(w)[k] = v[k] }
                initialised.flags[w] = 1
                found += 1
            }
            events(.pretrained(words: found, of: dict.wordCount))
        }
        return try run(path: path, dictionary: dict, input: input, output: output, initialised: initialised, arguments: a, events: events)
    }

    /// Trains `input` and `output` further on `path`, every row as it is (fastText's `quantize -retrain`, on the
    /// rows a cutoff kept); `dictionary` and its arguments decide the features and the loss, `arguments` the
    /// learning rate, epochs and threads.
    public static func retrain(path: String, dictionary dict: SupervisedDictionary, input: Matrix, output: Matrix,
                               arguments a: SupervisedArguments,
                               events: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws -> TrainedClassifier {
        try a.validate()
        precondition(input.rows >= dict.wordCount && output.rows == dict.labelCount && input.cols == output.cols)
        let initialised = RowFlags(count: input.rows)
        initialised.flags.update(repeating: 1, count: input.rows)
        return try run(path: path, dictionary: dict, input: input, output: output, initialised: initialised, arguments: a, events: events)
    }

    static func run(path: String, dictionary dict: SupervisedDictionary, input: Matrix, output: Matrix, initialised: RowFlags,
                    arguments a: SupervisedArguments, events: @escaping @Sendable (TrainingEvent) -> Void) throws -> TrainedClassifier {
        let args = dict.args
        let labelCounts = Array(dict.counts[dict.wordCount...])
        let progress = TrainingProgress(totalTokens: Int(dict.tokenCount) * Int(a.model.epoch), threads: a.threads)
        let sampler = args.loss == .ns ? NegativeSampler(counts: labelCounts, power: 0.5) : nil
        let tree = args.loss == .hs ? HuffmanTree(counts: labelCounts) : nil
        let shared = (input.shared, output.shared)
        let cache = try SupervisedLines.read(path: path, dictionary: dict, budget: SupervisedLines.budget)
        let weights = try a.classWeights.weights(dict)
        let start = monotonicSeconds()
        runOnThreads(a.threads + 1) { t in
            if t == a.threads {
                while progress.finished.load(ordering: .relaxed) < a.threads {
                    usleep(100_000)
                    let f = progress.fraction, el = monotonicSeconds() - start
                    events(.progress(TrainingStatus(fraction: f, wordsPerSecondPerThread: f * Double(progress.totalTokens) / max(el, 1e-9) / Double(a.threads),
                                                    learningRate: a.lr * (1 - f), loss: progress.averageLoss, elapsed: el, finished: false)))
                }
                return
            }
            let act = TableActivation()
            do {
                let rows = Rows(shared: shared.0, initialised: initialised, seed: a.seed, labelWeights: weights)
                switch args.loss {
                case .softmax: try work(SupervisedWorker(loss: SoftmaxLoss(output: shared.1), thread: t, rows: rows, arguments: a, progress: progress), path, dict, cache)
                case .ova: try work(SupervisedWorker(loss: OneVsAllLoss(activation: act, output: shared.1), thread: t, rows: rows, arguments: a, progress: progress), path, dict, cache)
                case .ns: try work(SupervisedWorker(loss: NegativeSamplingLoss(activation: act, output: shared.1, sampler: sampler!, count: Int(args.neg)),
                                                       thread: t, rows: rows, arguments: a, progress: progress), path, dict, cache)
                case .hs: try work(SupervisedWorker(loss: HierarchicalSoftmaxLoss(activation: act, output: shared.1, tree: tree!),
                                                       thread: t, rows: rows, arguments: a, progress: progress), path, dict, cache)
                }
            } catch let e as LexelError { progress.fail(e) } catch { progress.fail(LexelError(file: path, "\(error)")) }
            progress.finished.add(1, ordering: .relaxed)
        }
        if let e = progress.error { throw e }
        let seconds = monotonicSeconds() - start
        events(.progress(TrainingStatus(fraction: 1, wordsPerSecondPerThread: Double(progress.totalTokens) / seconds / Double(a.threads),
                                        learningRate: 0, loss: progress.averageLoss, elapsed: seconds, finished: true)))
        withExtendedLifetime((sampler, tree, initialised)) {}
        return TrainedClassifier(dictionary: dict, input: input, output: output, seconds: seconds, loss: progress.averageLoss)
    }
}

extension SupervisedTrainer {
    static func work<L: Loss>(_ worker: SupervisedWorker<L>, _ path: String, _ dict: SupervisedDictionary,
                              _ lines: SupervisedLines?) throws {
        var w = worker
        try w.run(path, dict, lines)
    }
}

/// Which input rows have their initial values (one byte a row; hogwild: two threads may both initialise a row,
/// with the same values).
final class RowFlags: @unchecked Sendable {
    let flags: UnsafeMutablePointer<UInt8>
    init(count: Int) {
        flags = .allocate(capacity: max(1, count))
        flags.initialize(repeating: 0, count: max(1, count))
    }
    deinit { flags.deallocate() }
}

/// The input rows of supervised training, initialised on first touch from a per-row stream.
struct Rows: @unchecked Sendable {
    let shared: SharedRows
    let initialised: RowFlags
    let seed: UInt64
    /// Per-label loss weights, or nil.
    let labelWeights: [Float]?

    @inline(__always) func touch(_ r: Int) {
        guard initialised.flags[r] == 0 else { return }
        var rng = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(r + 1))
        let row = shared.row(r), bound = 1 / Float(shared.cols)
        for k in 0..<shared.cols { row[k] = (rng.nextUnitFloat() * 2 - 1) * bound }
        initialised.flags[r] = 1
    }
}
