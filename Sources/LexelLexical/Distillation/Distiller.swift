#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore
import LexelKernels

/// Hyper-parameters of a distillation run. Defaults are Luxical's except where measured better on 50k paragraphs with
/// a MiniLM teacher (held-out Spearman, 3 epochs; docs/lexical-model.md): batch 256 (0.46 at 1024, 0.61 at 256),
/// one hidden layer of 2048 and lr 2.5e-3 (Luxical's 3072, 3072 at 1e-2: 0.614; 1024 at 2.5e-3: 0.679).
public struct DistillOptions: Sendable, Equatable {
    /// Output sizes of W₀ and of each dense layer (Luxical: 96, 3072, 3072, 192).
    public var dims: [Int] = [96, 2048, 192]
    /// Softmax temperature τ of the Gram-KL loss, in `temperatureRange`.
    public var temperature: Float = 3
    /// The temperatures accepted. τ divides cosines in [-1, 1]: at 0.01 the softmax logits already span
    /// [-100, 100] (every row's distribution is its nearest neighbour alone; 0.1 was the lowest measured); below,
    /// float32 exponentials underflow to 0 and the loss and its gradient lose every other neighbour (1e-30 gives
    /// logits of 1e30). Above 100 every distribution is uniform to within 2% and there is nothing to learn.
    public static let temperatureRange: ClosedRange<Float> = 0.01...100
    /// Peak learning rate (Luxical: 1e-2, with batches of 12,288).
    public var learningRate: Float = 2.5e-3
    public var adam = AdamWOptions()
    /// Documents per step (Luxical: 12,288 on millions of documents).
    public var batchSize = 256
    /// Passes over the training documents (may be fractional); each epoch has ⌊N / batchSize⌋ steps.
    public var epochs: Double = 3
    public var warmupFraction = 0.05
    public var decayFraction = 0.1
    /// Lazy AdamW on W₀ (only the batch's rows; see `AdamW`). `false`: dense AdamW over all of W₀ every step.
    public var lazyW0 = true
    /// Seeds the initial weights and the batch order.
    public var seed: UInt64 = 0
    /// Worker threads (not stored in checkpoints).
    public var threads = onlineCPUs

    public init() {}

    /// Throws on values that cannot train.
    public func validate() throws {
        guard dims.count >= 2, dims.allSatisfy({ $0 > 0 && $0 <= 65_536 }) else {
            throw LexelError("distill: dims \(dims) must be at least two sizes in 1...65536")
        }
        guard temperature.isFinite, Self.temperatureRange.contains(temperature) else {
            let r = Self.temperatureRange
            throw LexelError("distill: temperature \(temperature) must be > 0, within \(r.lowerBound)...\(r.upperBound)")
        }
        guard learningRate.isFinite, learningRate > 0, learningRate <= 10 else {
            throw LexelError("distill: learning rate \(learningRate) must be in (0, 10]")
        }
        let a = adam
        guard (0..<1).contains(a.beta1), (0..<1).contains(a.beta2), a.epsilon > 0, a.weightDecay >= 0, a.weightDecay < 1e3 else {
            throw LexelError("distill: AdamW betas must be in [0, 1), epsilon > 0, weight decay >= 0")
        }
        guard batchSize >= 2, batchSize <= 1 << 16 else { throw LexelError("distill: batch size \(batchSize) must be in 2...65536") }
        guard epochs.isFinite, epochs > 0, epochs <= 1e6 else { throw LexelError("distill: epochs \(epochs) must be in (0, 1000000]") }
        guard (0...1).contains(warmupFraction), (0...1).contains(decayFraction), warmupFraction + decayFraction <= 1 else {
            throw LexelError("distill: warmup \(warmupFraction) and decay \(decayFraction) must be fractions summing to at most 1")
        }
        guard threads >= 1, threads <= 1024 else { throw LexelError("distill: threads \(threads) must be in 1...1024") }
    }
}

/// Cumulative wall-clock seconds per phase of the training steps.
public struct DistillTimings: Sendable, Equatable {
    /// Gathering the batch's features and teacher rows.
    public var batch = 0.0
    public var forward = 0.0
    /// The Gram-KL loss and ∂L/∂Y.
    public var loss = 0.0
    public var backward = 0.0
    public var optimizer = 0.0
    public var total: Double { batch + forward + loss + backward + optimizer }
}

/// What the trainer reports after each step.
public struct DistillProgress: Sendable {
    /// Steps done (1-based), of `totalSteps`.
    public var step: Int
    public var totalSteps: Int
    /// Loss of this step's batch.
    public var loss: Double
    /// Exponential moving average of the batch losses (factor 0.95, bias-corrected).
    public var smoothedLoss: Double
    public var learningRate: Float
    /// Documents per second over this run (since `train` was called).
    public var documentsPerSecond: Double
    public var timings: DistillTimings
    public var fraction: Double { totalSteps > 0 ? Double(step) / Double(totalSteps) : 1 }
}

/// Distils a teacher's embeddings into the lexical network: Gram-KL loss, AdamW, warmup-stable-decay schedule,
/// batches shuffled per epoch, every phase multi-threaded. Results do not depend on the thread count. State
/// (weights, moments, step) can be checkpointed and resumed exactly (`writeCheckpoint`, `Distiller(checkpoint:)`).
public final class Distiller: @unchecked Sendable {
    public internal(set) var options: DistillOptions
    public var inputDim: Int { net.inputDim }
    let net: TrainableNetwork
    /// AdamW moments: W₀ (`inputDim x dims[0]`), then each dense layer.
    let m0: UnsafeMutablePointer<Float>, v0: UnsafeMutablePointer<Float>
    let m: [UnsafeMutablePointer<Float>], v: [UnsafeMutablePointer<Float>]
    /// Optimiser steps done.
    public internal(set) var step = 0
    /// Training documents and teacher dimension of the run, fixed by the first `train` call (or the checkpoint).
    public internal(set) var documentCount = 0
    public internal(set) var teacherDim = 0
    var smoothed = 0.0, smoothedWeight = 0.0

    /// A fresh run: Kaiming-uniform weights (as `LexicalNetwork.random` with `options.seed`), zero moments.
    public convenience init(inputDim: Int, options: DistillOptions) throws {
        try self.init(inputDim: inputDim, options: options, randomWeights: true)
    }

    init(inputDim: Int, options: DistillOptions, randomWeights: Bool) throws {
        try options.validate()
        self.options = options
        net = try TrainableNetwork(inputDim: inputDim, dims: options.dims, seed: options.seed, random: randomWeights)
        m0 = FloatBuffer.allocate(inputDim * options.dims[0])
        v0 = FloatBuffer.allocate(inputDim * options.dims[0])
        let sizes = (0..<(options.dims.count - 1)).map { options.dims[$0] * options.dims[$0 + 1] }
        m = sizes.map { FloatBuffer.allocate($0) }
        v = sizes.map { FloatBuffer.allocate($0) }
    }

    deinit {
        for p in [m0, v0] + m + v { UnsafeMutableRawPointer(p).deallocate() }
    }

    /// The inference network with the current weights.
    public func network() throws -> LexicalNetwork { try net.network() }

    /// Steps of a run over `documents` training documents.
    public func totalSteps(documents: Int) -> Int {
        Int((options.epochs * Double(documents / options.batchSize)).rounded(.down))
    }

    /// Trains on `features` (row `i` pairs with teacher row `i`: `teacher` holds `features.count x teacherDim`
    /// floats, unit-normalised here per batch) from the current step up to the run's last step, or to step
    /// `stopAfter`. With `checkpoint`, writes the state there every `every` steps and at the end.
    public func train(features: [SparseVector], teacher: UnsafePointer<Float>, teacherDim: Int,
                      stopAfter: Int? = nil, checkpoint: (path: String, every: Int)? = nil,
                      progress: ((DistillProgress) -> Void)? = nil) throws {
        let n = features.count, b = options.batchSize, threads = options.threads
        guard teacherDim > 0 else { throw LexelError("distill: teacher dimension must be positive") }
        guard n >= b else { throw LexelError("distill: \(n) training documents are fewer than one batch of \(b)") }
        if documentCount == 0 {
            (documentCount, self.teacherDim) = (n, teacherDim)
        } else if documentCount != n || self.teacherDim != teacherDim {
            throw LexelError("distill: the run was started with \(documentCount) documents x teacher dim \(self.teacherDim), "
                             + "now given \(n) x \(teacherDim)")
        }
        try Distiller.checkInputs(features, teacher: teacher, teacherDim: teacherDim, inputDim: inputDim)
        let total = totalSteps(documents: n), perEpoch = n / b
        let last = min(total, stopAfter ?? total)
        let schedule = WarmupStableDecay(totalSteps: total, warmupFraction: options.warmupFraction,
                                         decayFraction: options.decayFraction)
        let ws = NetworkWorkspace(inputDim: inputDim, dims: options.dims, capacity: b, training: true)
        let lossWS = GramKLWorkspace(), loss = GramKLLoss(temperature: options.temperature)
        let z = FloatBuffer.allocate(b * teacherDim)
        defer { UnsafeMutableRawPointer(z).deallocate() }
        let optimizer = AdamW(options.adam)
        var order: [Int32] = [], orderEpoch = -1
        var timings = DistillTimings()
        let start = monotonicSeconds(), startStep = step
        while step < last {
            var t0 = monotonicSeconds()
            func lap(_ phase: WritableKeyPath<DistillTimings, Double>) {
                let t = monotonicSeconds()
                timings[keyPath: phase] += t - t0
                t0 = t
            }
            let epoch = step / perEpoch
            if epoch != orderEpoch { (order, orderEpoch) = (Distiller.permutation(n, seed: options.seed, epoch: epoch), epoch) }
            let first = (step % perEpoch) * b
            var batch: [SparseVector] = []
            batch.reserveCapacity(b)
            for k in 0..<b {
                let row = Int(order[first + k])
                batch.append(features[row])
                let dst = z + k * teacherDim
                dst.update(from: teacher + row * teacherDim, count: teacherDim)
                Kernels.normalize(dst, teacherDim)
            }
            lap(\.batch)
            net.forward(batch, ws, threads: threads)
            lap(\.forward)
            let value = loss.evaluate(student: ws.output, studentDim: net.outputDim, teacher: z, teacherDim: teacherDim,
                                      count: b, gradient: ws.outputGradient, workspace: lossWS, threads: threads)
            guard value.isFinite else {
                throw LexelError("distill: the loss became \(value) at step \(step + 1) (learning rate too high?)")
            }
            lap(\.loss)
            net.backward(batch, ws, threads: threads)
            lap(\.backward)
            step += 1
            let lr = options.learningRate * Float(schedule.factor(step: step))
            applyOptimizer(optimizer, ws, lr: lr, threads: threads)
            lap(\.optimizer)
            smoothed = 0.95 * smoothed + 0.05 * value
            smoothedWeight = 0.95 * smoothedWeight + 0.05
            if let checkpoint, checkpoint.every > 0, step % checkpoint.every == 0, step < last {
                try writeCheckpoint(path: checkpoint.path)
            }
            if let progress {
                let docs = Double((step - startStep) * b)
                progress(DistillProgress(step: step, totalSteps: total, loss: value, smoothedLoss: smoothed / smoothedWeight,
                                         learningRate: lr, documentsPerSecond: docs / max(1e-9, monotonicSeconds() - start),
                                         timings: timings))
            }
        }
        if let checkpoint { try writeCheckpoint(path: checkpoint.path) }
    }

    func applyOptimizer(_ opt: AdamW, _ ws: NetworkWorkspace, lr: Float, threads: Int) {
        for l in 0..<net.denseLayers {
            opt.step(weights: net.weights[l], gradient: ws.gradients[l], m: m[l], v: v[l], count: net.weightCount(l),
                     lr: lr, step: step, threads: threads)
        }
        let d0 = options.dims[0]
        if options.lazyW0 {
            opt.step(rows: ws.sparse.rows, width: d0, weights: net.w0, gradient: ws.sparse.gradient, m: m0, v: v0, lr: lr,
                     step: step, threads: threads)
        } else {
            opt.step(allRows: inputDim, touched: ws.sparse.rows, width: d0, weights: net.w0, gradient: ws.sparse.gradient,
                     m: m0, v: v0, lr: lr, step: step, threads: threads)
        }
    }

    /// The batch order of `epoch`: a Fisher-Yates shuffle seeded by the run's seed and the epoch.
    static func permutation(_ n: Int, seed: UInt64, epoch: Int) -> [Int32] {
        var rng = SplitMix64(seed: seed ^ (UInt64(epoch + 1) &* 0xD1B5_4A32_D192_ED03))
        var p = (0..<n).map { Int32($0) }
        var i = n - 1
        while i > 0 {
            p.swapAt(i, rng.next(below: i + 1))
            i -= 1
        }
        return p
    }

    /// Rejects feature indices outside the network's input and non-finite teacher values.
    static func checkInputs(_ features: [SparseVector], teacher: UnsafePointer<Float>, teacherDim: Int, inputDim: Int) throws {
        for (i, x) in features.enumerated() {
            guard x.indices.count == x.values.count else {
                throw LexelError("distill: document \(i) has \(x.indices.count) indices but \(x.values.count) values")
            }
            if let bad = x.indices.first(where: { $0 < 0 || Int($0) >= inputDim }) {
                throw LexelError("distill: document \(i) has feature \(bad), outside the network's \(inputDim) inputs")
            }
        }
        for i in 0..<(features.count * teacherDim) where !teacher[i].isFinite {
            throw LexelError("distill: teacher row \(i / teacherDim) has a non-finite value in column \(i % teacherDim)")
        }
    }
}
