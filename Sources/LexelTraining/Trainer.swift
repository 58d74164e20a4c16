#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore
import LexelKernels
import LexelText

/// What training produces: the vocabulary and the input matrix (word rows, then subword bucket rows).
public struct TrainedVectors: @unchecked Sendable {
    public let arguments: TrainingArguments
    public let vocabulary: Vocabulary
    /// Rows of each word, and the n-gram buckets that own a row.
    public let subwords: SubwordIndex
    /// Word rows, then one row per used n-gram bucket (see `SubwordIndex`).
    public let input: Matrix
    public let seconds: Double
    public let finalLoss: Double
}

/// What training reports while it runs; the front end decides what to show (the trainer prints nothing).
public enum TrainingEvent: Sendable {
    /// Counting the vocabulary: tokens read so far.
    case counting(tokens: Int64)
    /// The vocabulary is ready.
    case vocabulary(words: Int, tokens: Int64)
    /// Subword rows: buckets in use of all buckets.
    case subwordRows(used: Int, buckets: Int)
    /// Pretrained vectors were found for `words` of the `of` words (supervised training).
    case pretrained(words: Int, of: Int)
    /// About every 100 ms while training, and once at the end (`finished`).
    case progress(TrainingStatus)
}

/// A snapshot of a training run.
public struct TrainingStatus: Sendable {
    public var fraction: Double
    public var wordsPerSecondPerThread: Double
    public var learningRate: Double
    public var loss: Double
    public var elapsed: Double
    public var finished: Bool
}

/// Trains word2vec / fastText vectors on a corpus file.
public enum Trainer {
    /// Counts the vocabulary of `path`, then trains with `args.thread` hogwild threads. `events` hears about
    /// progress (from the training threads' monitor; keep it cheap).
    public static func train(path: String, arguments args: TrainingArguments,
                             events: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws -> TrainedVectors {
        try args.validate()
        let vocab = try Vocabulary.count(path: path, minCount: Int64(args.minCount), maxSize: args.maxVocab) { bytes, tokens in
            events(.counting(tokens: tokens))
        }
        events(.vocabulary(words: vocab.count, tokens: vocab.totalTokens))
        return try train(path: path, vocabulary: vocab, arguments: args, events: events)
    }

    /// Trains on `path` with a vocabulary already counted.
    public static func train(path: String, vocabulary vocab: Vocabulary, arguments args: TrainingArguments,
                             events: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws -> TrainedVectors
    {
        try args.validate()
        let bucket = args.effectiveBucket
        let subwords = SubwordIndex(vocabulary: vocab, minn: args.minn, maxn: args.maxn, bucket: bucket)
        let rows = subwords.rowCount
        let bytes = Double(rows + vocab.count) * Double(args.dim) * 4
        let physical = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        if physical > 0 && bytes > physical * 0.9 {
            throw LexelError("the model needs \(formatFixed(bytes / 1e9, 1)) GB (\(rows + vocab.count) rows x dim \(args.dim) x 4 bytes) "
                             + "but at most 90% of the machine's \(formatFixed(physical / 1e9, 1)) GB can be used; lower -dim, -bucket or -maxn")
        }
        let input = Matrix(rows: rows, cols: args.dim)
        input.fillUniform(bound: 1 / Float(args.dim), seed: args.seed)
        if args.ngramInit == .zero && rows > vocab.count {
            Kernels.zero(input.row(vocab.count), (rows - vocab.count) * args.dim)
        }
        let output = Matrix(rows: vocab.count, cols: args.dim)
        if bucket > 0 { events(.subwordRows(used: subwords.usedBuckets.count, buckets: bucket)) }
        let progress = TrainingProgress(totalTokens: Int(vocab.totalTokens) * args.epoch, threads: args.thread)
        let ctx = WorkerContext(
            args: args, path: path, vocabulary: vocab, subwords: subwords, input: input.shared, output: output.shared,
            sampler: args.loss == .ns ? NegativeSampler(counts: vocab.counts, power: args.negPower) : nil,
            tree: args.loss == .hs ? HuffmanTree(counts: vocab.counts) : nil,
            subsampler: Subsampler(counts: vocab.counts, totalTokens: vocab.totalTokens, t: args.t,
                                   formula: args.subsampling),
            progress: progress, activation: TableActivation())
        let trainStart = monotonicSeconds()
        runOnThreads(args.thread + 1) { i in
            if i == args.thread {
                monitor(progress, args: args, since: trainStart, events: events)
                return
            }
            do {
                switch args.loss {
                case .ns:
                    let loss = NegativeSamplingLoss(activation: ctx.activation, output: ctx.output, sampler: ctx.sampler!,
                                                    count: args.neg)
                    var worker = Worker(ctx, thread: i, loss: loss)
                    try worker.run()
                case .hs:
                    var worker = Worker(ctx, thread: i, loss: HierarchicalSoftmaxLoss(activation: ctx.activation,
                                                                                      output: ctx.output, tree: ctx.tree!))
                    try worker.run()
                }
            } catch let e as LexelError { progress.fail(e) } catch {
                progress.fail(LexelError(file: path, "\(error)"))
            }
            progress.finished.add(1, ordering: .relaxed)
        }
        if let e = progress.error { throw e }
        let seconds = monotonicSeconds() - trainStart
        let wps = Double(vocab.totalTokens) * Double(args.epoch) / seconds / Double(args.thread)
        events(.progress(TrainingStatus(fraction: 1, wordsPerSecondPerThread: wps, learningRate: 0, loss: progress.averageLoss,
                                        elapsed: seconds, finished: true)))
        return TrainedVectors(arguments: args, vocabulary: vocab, subwords: subwords, input: input, seconds: seconds,
                              finalLoss: progress.averageLoss)
    }

    /// Reports progress every 100 ms until all workers are done.
    static func monitor(_ p: TrainingProgress, args: TrainingArguments, since start: Double,
                        events: (TrainingEvent) -> Void) {
        while p.finished.load(ordering: .relaxed) < args.thread {
            usleep(100_000)
            let elapsed = monotonicSeconds() - start
            let f = p.fraction
            let wps = f * Double(p.totalTokens) / max(elapsed, 1e-9) / Double(args.thread)
            events(.progress(TrainingStatus(fraction: f, wordsPerSecondPerThread: wps, learningRate: args.lr * (1 - f),
                                            loss: p.averageLoss, elapsed: elapsed, finished: false)))
        }
    }
}
