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
        let input = Matrix(rows: rows, cols: dim), output = Matrix(rows: dict.labelCount, cols: dim)
        input.fillUniform(bound: 1 / Float(dim), seed: a.seed)
        let labelCounts = Array(dict.counts[dict.wordCount...])
        let progress = TrainingProgress(totalTokens: Int(dict.tokenCount) * Int(args.epoch), threads: a.threads)
        let sampler = args.loss == .ns ? NegativeSampler(counts: labelCounts, power: 0.5) : nil
        let tree = args.loss == .hs ? HuffmanTree(counts: labelCounts) : nil
        let shared = (input.shared, output.shared)
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
                switch args.loss {
                case .softmax: try run(SoftmaxLoss(output: shared.1), t, path, dict, shared.0, a, progress)
                case .ova: try run(OneVsAllLoss(activation: act, output: shared.1), t, path, dict, shared.0, a, progress)
                case .ns: try run(NegativeSamplingLoss(activation: act, output: shared.1, sampler: sampler!, count: Int(args.neg)),
                                  t, path, dict, shared.0, a, progress)
                case .hs: try run(HierarchicalSoftmaxLoss(activation: act, output: shared.1, tree: tree!), t, path, dict, shared.0, a, progress)
                }
            } catch let e as LexelError { progress.fail(e) } catch { progress.fail(LexelError(file: path, "\(error)")) }
            progress.finished.add(1, ordering: .relaxed)
        }
        if let e = progress.error { throw e }
        let seconds = monotonicSeconds() - start
        events(.progress(TrainingStatus(fraction: 1, wordsPerSecondPerThread: Double(progress.totalTokens) / seconds / Double(a.threads),
                                        learningRate: 0, loss: progress.averageLoss, elapsed: seconds, finished: true)))
        withExtendedLifetime((sampler, tree)) {}
        return TrainedClassifier(dictionary: dict, input: input, output: output, seconds: seconds, loss: progress.averageLoss)
    }

    /// One hogwild worker: every `threads`-th line of the file, `epoch` times.
    static func run<L: Loss>(_ loss: L, _ thread: Int, _ path: String, _ dict: SupervisedDictionary, _ input: SharedRows,
                             _ a: SupervisedArguments, _ progress: TrainingProgress) throws {
        var loss = loss
        defer { loss.release() }
        let dim = input.cols
        let hidden = UnsafeMutablePointer<Float>.allocate(capacity: dim), grad = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { hidden.deallocate(); grad.deallocate() }
        var rng = SplitMix64(seed: a.seed &* 0x9E37_79B9 &+ UInt64(thread) &+ 1)
        var features: [Int32] = [], labels: [Int32] = [], hashes: [Int32] = []
        var lossSum = 0.0, lossCount = 0.0
        for _ in 0..<Int(dict.args.epoch) {
            var lineIndex = 0
            try LineReader(path: path).forEachLine { line, _, _ in
                defer { lineIndex += 1 }
                guard lineIndex % a.threads == thread else { return }
                dict.line(line, features: &features, labels: &labels, hashes: &hashes)
                var tokens = 1
                forEachToken(in: line) { _, _ in tokens += 1 }
                progress.add(tokens: tokens)
                guard !labels.isEmpty, !features.isEmpty else { return }
                let lr = Float(a.lr * (1 - progress.fraction))
                Kernels.zero(hidden, dim)
                for r in features { Kernels.add(input.row(Int(r)), hidden, dim) }
                Kernels.scale(1 / Float(features.count), hidden, dim)
                Kernels.zero(grad, dim)
                let drawn = labels[rng.next(below: labels.count)]
                let l = labels.withUnsafeBufferPointer {
                    loss.update(targets: $0, drawn: drawn, hidden: hidden, grad: grad, lr: lr, &rng)
                }
                lossSum += Double(l)
                lossCount += 1
                Kernels.scale(1 / Float(features.count), grad, dim)
                for r in features { Kernels.add(grad, input.row(Int(r)), dim) }
                progress.record(thread: thread, loss: lossSum, count: lossCount)
            }
        }
    }
}
