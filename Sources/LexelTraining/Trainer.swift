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

/// Trains word2vec / fastText vectors on a corpus file.
public enum Trainer {
    /// Counts the vocabulary of `path`, then trains with `args.thread` hogwild threads.
    public static func train(path: String, arguments args: TrainingArguments) throws -> TrainedVectors {
        try args.validate()
        let vocab = try Vocabulary.count(path: path, minCount: Int64(args.minCount), maxSize: args.maxVocab) { bytes, tokens in
            if args.verbose >= 2 { writeStderr("\rRead \(tokens / 1_000_000)M words") }
        }
        if args.verbose >= 1 {
            writeStderr("\rRead \(vocab.totalTokens / 1_000_000)M words\nNumber of words:  \(vocab.count)\n")
        }
        return try train(path: path, vocabulary: vocab, arguments: args)
    }

    /// Trains on `path` with a vocabulary already counted.
    public static func train(path: String, vocabulary vocab: Vocabulary, arguments args: TrainingArguments)
        throws -> TrainedVectors
    {
        try args.validate()
        let bucket = args.effectiveBucket
        let subwords = SubwordIndex(vocabulary: vocab, minn: args.minn, maxn: args.maxn, bucket: bucket)
        let rows = subwords.rowCount
        let bytes = Double(rows + vocab.count) * Double(args.dim) * 4
        let physical = Double(sysconf(Int32(_SC_PHYS_PAGES))) * Double(sysconf(Int32(_SC_PAGESIZE)))
        if physical > 0 && bytes > physical * 0.9 {
            throw LexelError("the model needs \(Int(bytes / 1e9)) GB (rows \(rows) x dim \(args.dim)) but the machine has \(Int(physical / 1e9)) GB; lower -dim or -maxn")
        }
        let input = Matrix(rows: rows, cols: args.dim)
        input.fillUniform(bound: 1 / Float(args.dim), seed: args.seed)
        if args.ngramInit == .zero && rows > vocab.count {
            Kernels.zero(input.row(vocab.count), (rows - vocab.count) * args.dim)
        }
        let output = Matrix(rows: vocab.count, cols: args.dim)
        if args.verbose >= 1 && bucket > 0 {
            writeStderr("Number of n-gram rows: \(subwords.usedBuckets.count) of \(bucket) buckets in use\n")
        }
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
                monitor(progress, args: args, since: trainStart)
                return
            }
            var worker = Worker(ctx, thread: i)
            do { try worker.run() } catch let e as LexelError { progress.fail(e) } catch {
                progress.fail(LexelError(file: path, "\(error)"))
            }
            progress.finished.add(1, ordering: .relaxed)
        }
        if let e = progress.error { throw e }
        let seconds = monotonicSeconds() - trainStart
        if args.verbose >= 1 {
            let wps = Double(vocab.totalTokens) * Double(args.epoch) / seconds / Double(args.thread)
            writeStderr(ProgressLine.render(fraction: 1, wordsPerSecPerThread: wps, lr: 0, loss: progress.averageLoss,
                                            elapsed: seconds) + "\n")
        }
        return TrainedVectors(arguments: args, vocabulary: vocab, subwords: subwords, input: input, seconds: seconds,
                              finalLoss: progress.averageLoss)
    }

    /// Prints the progress line every 100 ms until all workers are done.
    static func monitor(_ p: TrainingProgress, args: TrainingArguments, since start: Double) {
        while p.finished.load(ordering: .relaxed) < args.thread {
            usleep(100_000)
            guard args.verbose >= 2 else { continue }
            let elapsed = monotonicSeconds() - start
            let f = p.fraction
            let wps = f * Double(p.totalTokens) / max(elapsed, 1e-9) / Double(args.thread)
            writeStderr(ProgressLine.render(fraction: f, wordsPerSecPerThread: wps, lr: args.lr * (1 - f),
                                            loss: p.averageLoss, elapsed: elapsed))
        }
    }
}
