import LexelCore
import LexelKernels

/// Settings of `StaticDistiller`.
public struct StaticDistillOptions: Sendable, Equatable {
    public var epochs = 10
    /// Peak learning rate (Adam); the schedule warms up over the first 5% of the steps and decays to 0 over the
    /// last 10% (`WarmupStableDecay`).
    public var learningRate: Float = 0.001
    public var batchSize = 256
    public var seed: UInt64 = 0
    public var threads = 1
    /// Adam with PyTorch's default betas (0.9, 0.999), no weight decay.
    public var adam = AdamWOptions(beta1: 0.9, beta2: 0.999)
    /// Pull of each touched row back toward its initial value, decoupled as AdamW's weight decay is:
    /// `w ← w − lr · anchor · (w − w₀)` after each step (0: none). Keeps the token vectors' own meaning
    /// (the teacher's vector of each token alone) while the rows fit the documents.
    public var anchor: Float = 0
    /// Weight of a second loss term on the batch's similarity structure (`GramKLLoss` between the students' and
    /// the teachers' unit vectors; 0: none), so that neighbours, not only directions, follow the teacher.
    public var gramWeight: Float = 0
    /// The Gram-KL term's softmax temperature.
    public var gramTemperature: Float = 3

    public init() {}
}

/// Trains the rows of a static model (W0 with no dense layers: a text's vector is the normalised weighted sum of
/// its features' rows) so that every training document's vector points where its teacher vector does: loss
/// `1 − cos(student, teacher)` per document, averaged over the batch; Adam on the rows a batch touches (lazy rows).
/// Teacher and student share one dimension. Results do not depend on the thread count: documents are split
/// over threads in the forward pass and columns in the backward pass, so every sum runs in one fixed order.
public final class StaticDistiller {
    public let options: StaticDistillOptions
    public let count: Int
    public let dim: Int
    /// The rows, `count x dim`, row-major.
    public private(set) var rows: [Float]
    let initial: [Float]
    var m: [Float], v: [Float]
    public private(set) var step = 0
    let gramWorkspace = GramKLWorkspace()

    public init(rows: [Float], count: Int, dim: Int, options: StaticDistillOptions) throws {
        guard count > 0, dim > 0, rows.count == count * dim else {
            throw LexelError("distill-static: \(rows.count) initial values for \(count) rows of \(dim)")
        }
        guard options.epochs >= 0, options.batchSize >= 1, options.learningRate > 0, options.threads >= 1 else {
            throw LexelError("distill-static: epochs >= 0, batch >= 1, lr > 0 and threads >= 1 are required")
        }
        guard options.gramWeight >= 0, options.gramWeight.isFinite, options.gramTemperature > 0, options.gramTemperature.isFinite else {
            throw LexelError("distill-static: the Gram-KL weight must be >= 0 and its temperature > 0")
        }
        (self.rows, self.initial, self.count, self.dim, self.options) = (rows, rows, count, dim, options)
        m = [Float](repeating: 0, count: rows.count)
        v = [Float](repeating: 0, count: rows.count)
    }

    /// Progress after each step: step, total steps, mean training loss of the step.
    public typealias Progress = (_ step: Int, _ total: Int, _ loss: Double) -> Void

    /// Trains on `features` with `teacher` (`features.count x dim` floats, any norm) for `options.epochs` passes.
    public func train(features: [SparseVector], teacher: UnsafePointer<Float>, progress: Progress = { _, _, _ in }) {
        let n = features.count, b = min(options.batchSize, n)
        guard n > 0 else { return }
        let z = unitRows(teacher, count: n, dim: dim)
        let stepsPerEpoch = (n + b - 1) / b, total = stepsPerEpoch * options.epochs
        let schedule = WarmupStableDecay(totalSteps: total)
        let opt = AdamW(options.adam)
        let y = UnsafeMutablePointer<Float>.allocate(capacity: b * dim), g = UnsafeMutablePointer<Float>.allocate(capacity: b * dim)
        var grad = UnsafeMutablePointer<Float>.allocate(capacity: 1), gradCapacity = 1
        defer { y.deallocate(); g.deallocate(); grad.deallocate() }
        var slot = [Int32](repeating: -1, count: count)
        for epoch in 0..<options.epochs {
            let order = Self.permutation(n, seed: options.seed, epoch: epoch)
            var start = 0
            while start < n {
                let batch = Array(order[start..<min(n, start + b)])
                start += batch.count
                step += 1
                // touched rows, ascending, and each one's slot in the gradient
                var touched: [Int32] = []
                for d in batch { for r in features[Int(d)].indices where r < count && slot[Int(r)] < 0 { slot[Int(r)] = 0; touched.append(r) } }
                touched.sort()
                for (k, r) in touched.enumerated() { slot[Int(r)] = Int32(k) }
                if gradCapacity < touched.count * dim {
                    grad.deallocate()
                    gradCapacity = touched.count * dim
                    grad = .allocate(capacity: gradCapacity)
                }
                let loss = forwardLoss(batch, features, z, y, g)
                backward(batch, features, slot, g, grad, touched.count)
                let lr = options.learningRate * Float(schedule.factor(step: step))
                rows.withUnsafeMutableBufferPointer { w in
                    m.withUnsafeMutableBufferPointer { mp in
                        v.withUnsafeMutableBufferPointer { vp in
                            opt.step(rows: touched, width: dim, weights: w.baseAddress!, gradient: grad, m: mp.baseAddress!,
                                     v: vp.baseAddress!, lr: lr, step: step, threads: options.threads)
                        }
                    }
                }
                if options.anchor > 0 { pullTowardInitial(touched, rate: lr * options.anchor) }
                for r in touched { slot[Int(r)] = -1 }
                progress(step, total, loss)
            }
        }
    }

    /// `w ← w − rate · (w − w₀)` on the rows `touched`.
    func pullTowardInitial(_ touched: [Int32], rate: Float) {
        let d = dim
        rows.withUnsafeMutableBufferPointer { w in
            initial.withUnsafeBufferPointer { w0 in
                for r in touched {
                    let o = Int(r) * d
                    for j in o..<(o + d) { w[j] -= rate * (w[j] - w0[j]) }
                }
            }
        }
    }

    /// Student vectors of `batch` into `y`, and into `g` the loss gradient with respect to each (unnormalised)
    /// student vector: `−(t − c·ŷ) / (|y| · B)` with `c = ŷ·t`. Returns the batch's mean loss.
    func forwardLoss(_ batch: [Int32], _ features: [SparseVector], _ z: [Float], _ y: UnsafeMutablePointer<Float>,
                     _ g: UnsafeMutablePointer<Float>) -> Double {
        let d = dim, scale = 1 / Float(batch.count), rowCount = count
        let losses = UnsafeMutablePointer<Double>.allocate(capacity: batch.count)
        defer { losses.deallocate() }
        let (yp, gp, lp) = (Unchecked(y), Unchecked(g), Unchecked(losses))
        rows.withUnsafeBufferPointer { w in
            z.withUnsafeBufferPointer { zp in
                let (wp, tp) = (Unchecked(w.baseAddress!), Unchecked(zp.baseAddress!))
                features.withUnsafeBufferPointer { fp in
                    let f = Unchecked(fp)
                    parallelFor(batch.count, threads: options.threads) { _, range in
                        for i in range {
                            let doc = Int(batch[i]), yi = yp.value + i * d, gi = gp.value + i * d, t = tp.value + doc * d
                            StaticDistiller.rowSum(f.value[doc], wp.value, rowCount, d, into: yi)
                            let norm = Kernels.dot(yi, yi, d).squareRoot()
                            guard norm > 0 else { Kernels.zero(gi, d); lp.value[i] = 1; continue }
                            var c: Float = 0
                            for j in 0..<d { c += yi[j] * t[j] }
                            c /= norm
                            lp.value[i] = Double(1 - c)
                            let s = scale / norm
                            for j in 0..<d { gi[j] = -s * (t[j] - c * yi[j] / norm) }
                        }
                    }
                }
            }
        }
        let cosine = (0..<batch.count).reduce(0.0) { $0 + losses[$1] } / Double(batch.count)
        guard options.gramWeight > 0, batch.count >= 2 else { return cosine }
        return cosine + Double(options.gramWeight) * gramTerm(batch, z, y, g)
    }

    /// Adds `gramWeight ·` the Gram-KL gradient to `g` (through each student vector's normalisation:
    /// `∂/∂y = (u' − (u'·ŷ) ŷ) / |y|` for the gradient `u'` on the unit vector `ŷ`) and returns the Gram-KL loss.
    func gramTerm(_ batch: [Int32], _ z: [Float], _ y: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>) -> Double {
        let b = batch.count, d = dim, w = options.gramWeight
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 3 * b * d)
        defer { buffer.deallocate() }
        let (u, t, gu) = (buffer, buffer + b * d, buffer + 2 * b * d)
        var norms = [Float](repeating: 0, count: b)
        z.withUnsafeBufferPointer { zp in
            for (i, doc) in batch.enumerated() {
                (u + i * d).update(from: y + i * d, count: d)
                norms[i] = Kernels.normalize(u + i * d, d)
                (t + i * d).update(from: zp.baseAddress! + Int(doc) * d, count: d)
            }
        }
        let loss = GramKLLoss(temperature: options.gramTemperature).evaluate(
            student: u, studentDim: d, teacher: t, teacherDim: d, count: b, gradient: gu, workspace: gramWorkspace,
            threads: options.threads)
        for i in 0..<b where norms[i] > 0 {
            let ui = u + i * d, gi = gu + i * d, c = Kernels.dot(gi, ui, d), s = w / norms[i]
            for j in 0..<d { g[i * d + j] += s * (gi[j] - c * ui[j]) }
        }
        return loss
    }

    /// The gradient of the touched rows: `grad[slot(r)] = Σ_docs x_r · g_doc`, summed in batch order; threads take
    /// column slices.
    func backward(_ batch: [Int32], _ features: [SparseVector], _ slot: [Int32], _ g: UnsafeMutablePointer<Float>,
                  _ grad: UnsafeMutablePointer<Float>, _ touched: Int) {
        let d = dim, rowCount = count
        let gr = Unchecked(grad)
        Kernels.zero(grad, touched * d)
        slot.withUnsafeBufferPointer { sp in
            features.withUnsafeBufferPointer { fp in
                let (gs, ss, f) = (Unchecked(g), Unchecked(sp.baseAddress!), Unchecked(fp))
                parallelFor(d, threads: options.threads, align: 16) { _, cols in
                    for (i, doc) in batch.enumerated() {
                        let x = f.value[Int(doc)], gi = gs.value + i * d + cols.lowerBound
                        for k in 0..<x.indices.count where Int(x.indices[k]) < rowCount {
                            let dst = gr.value + Int(ss.value[Int(x.indices[k])]) * d + cols.lowerBound
                            Kernels.axpy(x.values[k], gi, dst, cols.count)
                        }
                    }
                }
            }
        }
    }

    /// `y = Σ x.values[k] · row x.indices[k]` over the rows `w` (`count x d`; indices past them are skipped).
    @inline(__always)
    static func rowSum(_ x: SparseVector, _ w: UnsafePointer<Float>, _ count: Int, _ d: Int, into y: UnsafeMutablePointer<Float>) {
        Kernels.zero(y, d)
        for k in 0..<x.indices.count where Int(x.indices[k]) < count {
            Kernels.axpy(x.values[k], w + Int(x.indices[k]) * d, y, d)
        }
    }

    /// The current student vectors of `features` (`features.count x dim`, unit rows).
    public func embed(_ features: [SparseVector]) -> [Float] {
        var out = [Float](repeating: 0, count: features.count * dim)
        rows.withUnsafeBufferPointer { w in
            for (i, x) in features.enumerated() {
                out.withUnsafeMutableBufferPointer { o in
                    let yi = o.baseAddress! + i * dim
                    StaticDistiller.rowSum(x, w.baseAddress!, count, dim, into: yi)
                    _ = Kernels.normalize(yi, dim)
                }
            }
        }
        return out
    }

    /// The trained rows as a static network (no dense layers), stored as f32 rows (the file writer encodes them).
    public func network() throws -> LexicalNetwork {
        try rows.withUnsafeBufferPointer { w in
            try LexicalNetwork(input: InputRows(w.baseAddress!, count: count, dim: dim), layers: [UnsafeBufferPointer<Float>](), dims: [dim])
        }
    }

    /// The batch order of `epoch`: a seeded Fisher-Yates shuffle.
    static func permutation(_ n: Int, seed: UInt64, epoch: Int) -> [Int32] {
        var rng = SplitMix64(seed: seed &+ UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15)
        var p = (0..<n).map { Int32($0) }
        for i in stride(from: n - 1, to: 0, by: -1) { p.swapAt(i, rng.next(below: i + 1)) }
        return p
    }
}
