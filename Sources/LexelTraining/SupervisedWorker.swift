import LexelCore
import LexelIO
import LexelKernels
import LexelText

/// Every line of a training file as input rows and labels, in flat arrays, read once (when they fit `budget`
/// values), so that training skips reading and hashing after that.
final class SupervisedLines: @unchecked Sendable {
    /// 2^28 values (1 GB).
    static let budget = 1 << 28
    var features: [Int32] = [], featureEnds: [Int] = []
    var labels: [Int32] = [], labelEnds: [Int] = []
    var tokens: [Int32] = []
    var count: Int { tokens.count }

    /// The lines of `path`, or nil when they hold more than `budget` values.
    static func read(path: String, dictionary: SupervisedDictionary, budget: Int) throws -> SupervisedLines? {
        let c = SupervisedLines()
        var f: [Int32] = [], l: [Int32] = [], h: [Int32] = []
        struct TooLarge: Error {}
        do {
            try LineReader(path: path).forEachLine { line, _, _ in
                let n = dictionary.line(line, features: &f, labels: &l, hashes: &h)
                guard c.features.count + c.labels.count + f.count + l.count <= budget else { throw TooLarge() }
                c.features += f; c.featureEnds.append(c.features.count)
                c.labels += l; c.labelEnds.append(c.labels.count)
                c.tokens.append(Int32(clamping: n))
            }
        } catch is TooLarge {
            return nil
        }
        return c
    }
}

/// One hogwild worker of supervised training. As fastText's threads, worker t of T goes through the whole file
/// starting at its t/T point and wrapping around, until all workers together have processed epoch x tokens:
/// the model then sees every part of the file early on (the result depends on the thread count, as fastText's;
/// `-thread 1 -seed S` is reproducible). Lines come from memory (`SupervisedLines`) or, for files past its
/// budget, from the file: each worker every T-th line, epoch times.
struct SupervisedWorker<L: Loss> {
    var loss: L
    let thread: Int
    let rows: Rows
    let a: SupervisedArguments
    let progress: TrainingProgress
    var rng: SplitMix64
    var lossSum = 0.0, lossCount = 0.0
    let hidden: UnsafeMutablePointer<Float>, grad: UnsafeMutablePointer<Float>

    init(loss: L, thread: Int, rows: Rows, arguments: SupervisedArguments, progress: TrainingProgress) {
        (self.loss, self.thread, self.rows, a, self.progress) = (loss, thread, rows, arguments, progress)
        rng = SplitMix64(seed: arguments.seed &* 0x9E37_79B9 &+ UInt64(thread) &+ 1)
        hidden = .allocate(capacity: rows.shared.cols)
        grad = .allocate(capacity: rows.shared.cols)
    }

    mutating func run(_ path: String, _ dict: SupervisedDictionary, _ lines: SupervisedLines?) throws {
        defer { loss.release(); hidden.deallocate(); grad.deallocate() }
        if let lines, lines.count > 0 {
            let n = lines.count
            var i = thread * n / a.threads
            let total = progress.totalTokens
            lines.features.withUnsafeBufferPointer { f in
                lines.labels.withUnsafeBufferPointer { l in
                    while progress.processed.load(ordering: .relaxed) < total {
                        let f0 = i == 0 ? 0 : lines.featureEnds[i - 1], l0 = i == 0 ? 0 : lines.labelEnds[i - 1]
                        step(UnsafeBufferPointer(rebasing: f[f0..<lines.featureEnds[i]]),
                             UnsafeBufferPointer(rebasing: l[l0..<lines.labelEnds[i]]), tokens: Int(lines.tokens[i]))
                        i = i + 1 == n ? 0 : i + 1
                    }
                }
            }
            return
        }
        var features: [Int32] = [], labels: [Int32] = [], hashes: [Int32] = []
        for _ in 0..<Int(a.model.epoch) {
            var lineIndex = 0
            try LineReader(path: path).forEachLine { line, _, _ in
                defer { lineIndex += 1 }
                guard lineIndex % a.threads == thread else { return }
                let tokens = dict.line(line, features: &features, labels: &labels, hashes: &hashes)
                features.withUnsafeBufferPointer { f in labels.withUnsafeBufferPointer { step(f, $0, tokens: tokens) } }
            }
        }
    }

    /// One example: the mean of its input rows predicts its labels; the gradient, divided by the number of rows,
    /// is added to each.
    @inline(__always)
    mutating func step(_ f: UnsafeBufferPointer<Int32>, _ l: UnsafeBufferPointer<Int32>, tokens: Int) {
        progress.add(tokens: tokens)
        guard !l.isEmpty, !f.isEmpty else { return }
        let input = rows.shared, dim = input.cols
        Kernels.zero(hidden, dim)
        // rows are drawn at random from a large matrix: start loading a few rows ahead (they are written back below)
        let ahead = 4
        for i in 0..<f.count {
            if i + ahead < f.count { Kernels.prefetch(input.row(Int(f[i + ahead])), dim) }
            let r = Int(f[i])
            rows.touch(r)
            Kernels.add(input.row(r), hidden, dim)
        }
        Kernels.scale(1 / Float(f.count), hidden, dim)
        Kernels.zero(grad, dim)
        let drawn = l[rng.next(below: l.count)]
        var lr = Float(a.lr * (1 - progress.fraction))
        if let w = rows.labelWeights { lr *= w[Int(drawn)] }
        lossSum += Double(loss.update(targets: l, drawn: drawn, hidden: hidden, grad: grad, lr: lr, &rng))
        lossCount += 1
        Kernels.scale(1 / Float(f.count), grad, dim)
        for r in f { Kernels.add(grad, input.row(Int(r)), dim) }
        progress.record(thread: thread, loss: lossSum, count: lossCount)
    }
}
