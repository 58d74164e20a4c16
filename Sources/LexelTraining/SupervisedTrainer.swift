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
        input.fillUniformBlocks(bound: 1 / Float(dim), seed: a.seed, threads: a.threads)
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

    /// Feature and label values a worker keeps in memory after the first epoch (all workers together: 2^28, 1 GB),
    /// so that later epochs skip reading and hashing; past it, every epoch reads the file again.
    public static let cacheBudget = 1 << 28

    /// One hogwild worker: every `threads`-th line of the file, `epoch` times (from memory after the first epoch
    /// when the lines fit in its share of `cacheBudget`; the same steps in the same order either way).
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
        // the cache: per line, its token count, then its features and labels in flat arrays
        var cachedFeatures: [Int32] = [], featureEnds: [Int] = [], cachedLabels: [Int32] = [], labelEnds: [Int] = []
        var cachedTokens: [Int32] = []
        var caching = true
        let budget = cacheBudget / a.threads
        func step(_ f: UnsafeBufferPointer<Int32>, _ l: UnsafeBufferPointer<Int32>, tokens: Int) {
            progress.add(tokens: tokens)
            guard !l.isEmpty, !f.isEmpty else { return }
            let lr = Float(a.lr * (1 - progress.fraction))
            Kernels.zero(hidden, dim)
            for r in f { Kernels.add(input.row(Int(r)), hidden, dim) }
            Kernels.scale(1 / Float(f.count), hidden, dim)
            Kernels.zero(grad, dim)
            let drawn = l[rng.next(below: l.count)]
            lossSum += Double(loss.update(targets: l, drawn: drawn, hidden: hidden, grad: grad, lr: lr, &rng))
            lossCount += 1
            Kernels.scale(1 / Float(f.count), grad, dim)
            for r in f { Kernels.add(grad, input.row(Int(r)), dim) }
            progress.record(thread: thread, loss: lossSum, count: lossCount)
        }
        for epoch in 0..<Int(dict.args.epoch) {
            if epoch > 0 && caching {
                cachedFeatures.withUnsafeBufferPointer { cf in
                    cachedLabels.withUnsafeBufferPointer { cl in
                        var f0 = 0, l0 = 0
                        for i in 0..<cachedTokens.count {
                            step(UnsafeBufferPointer(rebasing: cf[f0..<featureEnds[i]]), UnsafeBufferPointer(rebasing: cl[l0..<labelEnds[i]]),
                                 tokens: Int(cachedTokens[i]))
                            (f0, l0) = (featureEnds[i], labelEnds[i])
                        }
                    }
                }
                continue
            }
            var lineIndex = 0
            try LineReader(path: path).forEachLine { line, _, _ in
                defer { lineIndex += 1 }
                guard lineIndex % a.threads == thread else { return }
                let tokens = dict.line(line, features: &features, labels: &labels, hashes: &hashes)
                if epoch == 0 && caching {
                    if cachedFeatures.count + cachedLabels.count + features.count + labels.count > budget {
                        caching = false
                        (cachedFeatures, featureEnds, cachedLabels, labelEnds, cachedTokens) = ([], [], [], [], [])
                    } else {
                        cachedFeatures += features; featureEnds.append(cachedFeatures.count)
                        cachedLabels += labels; labelEnds.append(cachedLabels.count)
                        cachedTokens.append(Int32(clamping: tokens))
                    }
                }
                features.withUnsafeBufferPointer { f in labels.withUnsafeBufferPointer { step(f, $0, tokens: tokens) } }
            }
        }
    }
}

extension Matrix {
    /// Like `fillUniform`, in blocks of 2^16 rows each seeded from (`seed`, block) and filled on `threads`
    /// threads: the values do not depend on the thread count. (Different values from `fillUniform`, which word
    /// vectors keep so that their results stay as they were.)
    func fillUniformBlocks(bound: Float, seed: UInt64, threads: Int) {
        let blockRows = 1 << 16
        let blocks = (rows + blockRows - 1) / blockRows
        let base = SharedRows(base: pointer, rows: rows, cols: cols)
        let runners = max(1, min(threads, blocks))
        runOnThreads(runners) { t in
            var b = t
            while b < blocks {
                var rng = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(b + 1))
                let lo = b * blockRows * base.cols, hi = min(base.rows, (b + 1) * blockRows) * base.cols
                for i in lo..<hi { base.base[i] = (rng.nextUnitFloat() * 2 - 1) * bound }
                b += runners
            }
        }
    }
}
