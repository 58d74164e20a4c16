import LexelIO
import LexelKernels
import LexelText

/// Everything a training thread reads. Matrices are shared and written without locks (hogwild).
struct WorkerContext: @unchecked Sendable {
    let args: TrainingArguments
    let path: String
    let vocabulary: Vocabulary
    let subwords: SubwordIndex
    let input: SharedRows
    let output: SharedRows
    let sampler: NegativeSampler?
    let tree: HuffmanTree?
    let subsampler: Subsampler
    let progress: TrainingProgress
    let activation: TableActivation
}

/// One hogwild worker: streams the corpus `epoch` times, training on the lines whose index is
/// `thread (mod threads)`, so every thread sees whole lines and real epochs. Generic over its `Loss`, so that each
/// loss gets its own specialised loop.
struct Worker<L: Loss> {
    let ctx: WorkerContext
    // Unretained views of what `ctx` keeps alive: no reference counting (shared between threads) in hot loops.
    unowned(unsafe) let vocabulary: Vocabulary
    unowned(unsafe) let subwords: SubwordIndex
    var loss: L
    let keepThresholds: UnsafeMutablePointer<UInt32>
    let input: SharedRows
    let output: SharedRows
    let activation: TableActivation
    let thread: Int
    var rng: SplitMix64
    let dim: Int
    let hidden: UnsafeMutablePointer<Float>
    let grad: UnsafeMutablePointer<Float>
    /// Skip-gram: the center word's mean at the start of its window.
    let hidden0: UnsafeMutablePointer<Float>
    var ids: [Int32] = []
    var bag: [Int32] = []
    var lossSum = 0.0
    var lossCount = 0.0

    init(_ ctx: WorkerContext, thread: Int, loss: L) {
        self.ctx = ctx
        vocabulary = ctx.vocabulary
        subwords = ctx.subwords
        self.loss = loss
        keepThresholds = ctx.subsampler.thresholdPointer
        input = ctx.input
        output = ctx.output
        activation = ctx.activation
        self.thread = thread
        rng = SplitMix64(seed: ctx.args.seed &* 0x9E37_79B9 &+ UInt64(thread) &+ 1)
        dim = ctx.args.dim
        hidden = .allocate(capacity: dim)
        grad = .allocate(capacity: dim)
        hidden0 = .allocate(capacity: dim)
        ids.reserveCapacity(4096)
        bag.reserveCapacity(4096)
    }

    mutating func run() throws {
        defer {
            hidden.deallocate(); grad.deallocate(); hidden0.deallocate()
            loss.release()
        }
        let threads = ctx.args.thread
        let lr0 = ctx.args.lr
        let eos = vocabulary.endOfLineID
        for _ in 0..<ctx.args.epoch {
            let reader = try LineReader(path: ctx.path)
            var lineIndex = 0
            try reader.forEachLine { line, endsLine, _ in
                defer { lineIndex += 1 }
                guard lineIndex % threads == thread else { return }
                ids.removeAll(keepingCapacity: true)
                var tokens = 0
                forEachToken(in: line) { tok, _ in
                    tokens += 1
                    let id = vocabulary.id(of: tok)
                    if id >= 0 && Subsampler.keep(keepThresholds[Int(id)], &rng) { ids.append(id) }
                }
                if endsLine {
                    tokens += 1
                    if eos >= 0 && Subsampler.keep(keepThresholds[Int(eos)], &rng) { ids.append(eos) }
                }
                let lr = Float(lr0 * (1 - ctx.progress.fraction))
                if ids.count > 1 {
                    if ctx.args.model == .skipgram { skipgram(lr: lr) } else { cbow(lr: lr) }
                }
                ctx.progress.add(tokens: tokens)
                ctx.progress.record(thread: thread, loss: lossSum, count: lossCount)
            }
        }
    }

    /// Mean of the given input rows into `hidden`.
    @inline(__always)
    func average(_ rows: UnsafeBufferPointer<Int32>) {
        Kernels.sumRows(rows, of: input.base, into: hidden, dim)
        Kernels.scale(1 / Float(rows.count), hidden, dim)
    }

    /// Adds `g` to each of the given input rows.
    @inline(__always)
    func applyGradient(_ g: UnsafeMutablePointer<Float>, to rows: UnsafeBufferPointer<Int32>) {
        for r in rows { Kernels.add(g, input.row(Int(r)), dim) }
    }

    /// Loss step for predicting `target` from `hidden` (announced earlier with `loss.prepare`).
    @inline(__always)
    mutating func predict(_ target: Int32, lr: Float) {
        lossSum += Double(loss.update(target, hidden: hidden, grad: grad, lr: lr))
        lossCount += 1
    }

    /// Skip-gram: each kept word's vector (the mean of its row and n-gram rows) predicts every word of a window
    /// drawn uniformly in 1...ws. fastText re-reads and re-averages the ~20 rows for every context pair and adds the
    /// pair's gradient to each; since adding g to every row moves their mean by exactly g, Lexel averages once per
    /// center word, moves the mean by each pair's gradient (the same updates, in the same order, within one
    /// thread), and writes the summed gradient to the rows once. Each pair's negatives are drawn (and their rows
    /// prefetched, by `loss.prepare`) while the previous pair trains.
    mutating func skipgram(lr: Float) {
        let n = ids.count
        for i in 0..<n {
            let b = 1 + rng.next(below: ctx.args.ws)
            let rows = subwords.rows(of: Int(ids[i]))
            average(rows)
            hidden0.update(from: hidden, count: dim)
            Kernels.zero(grad, dim)
            let hi = min(n - 1, i + b)
            var j = max(0, i - b)
            if j == i { j += 1 }
            loss.prepare(ids[j], &rng)
            while j <= hi {
                var next = j + 1
                if next == i { next += 1 }
                if next <= hi { loss.prepare(ids[next], &rng) }
                predict(ids[j], lr: lr)
                Kernels.sum(hidden0, grad, into: hidden, dim)  // the mean after this pair's update
                j = next
            }
            applyGradient(grad, to: rows)
        }
    }

    /// CBOW: the mean of all context words' rows (with their n-grams) predicts the center word.
    mutating func cbow(lr: Float) {
        let n = ids.count
        for i in 0..<n {
            let b = 1 + rng.next(below: ctx.args.ws)
            bag.removeAll(keepingCapacity: true)
            for j in max(0, i - b)...min(n - 1, i + b) where j != i {
                bag.append(contentsOf: subwords.rows(of: Int(ids[j])))
            }
            if bag.isEmpty { continue }
            bag.withUnsafeBufferPointer { average($0) }
            Kernels.zero(grad, dim)
            loss.prepare(ids[i], &rng)
            predict(ids[i], lr: lr)
            bag.withUnsafeBufferPointer { applyGradient(grad, to: $0) }
        }
    }
}
