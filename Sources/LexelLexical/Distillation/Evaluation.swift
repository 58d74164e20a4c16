import LexelKernels
import LexelText

/// Held-out quality of a student against its teacher.
public struct DistillEvaluation: Sendable {
    public var documents: Int
    /// Mean Gram-KL loss over consecutive batches of the training batch size (the last, shorter batch weighted by
    /// its size; the loss depends on the batch size, so compare values taken with the same one).
    public var loss: Double
    /// Spearman rank correlation between student and teacher cosine similarities over document pairs.
    public var spearman: Double
    /// Pairs that went into `spearman`: all of them, or `maxPairs` drawn at random (seeded) when there are more.
    public var pairs: Int
}

extension Distiller {
    /// Embeds `features` with the current weights (`features.count x outputDim`, unit rows).
    public func embed(_ features: [SparseVector]) -> [Float] {
        let dout = net.outputDim, cap = min(max(1, features.count), options.batchSize)
        let ws = NetworkWorkspace(inputDim: inputDim, dims: options.dims, capacity: cap, training: false)
        var out = [Float](repeating: 0, count: features.count * dout)
        var i = 0
        while i < features.count {
            let j = min(features.count, i + cap)
            net.forward(Array(features[i..<j]), ws, threads: options.threads)
            out.withUnsafeMutableBufferPointer { ($0.baseAddress! + i * dout).update(from: ws.output, count: (j - i) * dout) }
            i = j
        }
        return out
    }

    /// Loss and Spearman correlation on held-out documents (`teacher`: `features.count x teacherDim` floats).
    public func evaluate(features: [SparseVector], teacher: UnsafePointer<Float>, teacherDim: Int,
                         maxPairs: Int = 1_000_000, seed: UInt64 = 1) throws -> DistillEvaluation {
        let n = features.count, dout = net.outputDim
        guard n >= 2 else { throw LexelError("distill: evaluation needs at least 2 documents, got \(n)") }
        try Distiller.checkInputs(features, teacher: teacher, teacherDim: teacherDim, inputDim: inputDim)
        let y = embed(features)
        var z = [Float](UnsafeBufferPointer(start: teacher, count: n * teacherDim))
        z.withUnsafeMutableBufferPointer { p in for i in 0..<n { Kernels.normalize(p.baseAddress! + i * teacherDim, teacherDim) } }

        let loss = GramKLLoss(temperature: options.temperature), ws = GramKLWorkspace()
        var total = 0.0, weight = 0.0, i = 0
        while i < n {
            let j = min(n, i + options.batchSize)
            if j - i >= 2 {
                let l = y.withUnsafeBufferPointer { yp in
                    z.withUnsafeBufferPointer { zp in
                        loss.evaluate(student: yp.baseAddress! + i * dout, studentDim: dout, teacher: zp.baseAddress! + i * teacherDim,
                                      teacherDim: teacherDim, count: j - i, gradient: nil, workspace: ws, threads: options.threads)
                    }
                }
                total += l * Double(j - i)
                weight += Double(j - i)
            }
            i = j
        }

        // Pairs: all i < j, or a seeded random sample.
        let all = n * (n - 1) / 2
        var student: [Float] = [], teacherSims: [Float] = []
        let count = min(all, max(1, maxPairs))
        student.reserveCapacity(count)
        teacherSims.reserveCapacity(count)
        y.withUnsafeBufferPointer { yp in
            z.withUnsafeBufferPointer { zp in
                func add(_ a: Int, _ b: Int) {
                    student.append(Kernels.dot(yp.baseAddress! + a * dout, yp.baseAddress! + b * dout, dout))
                    teacherSims.append(Kernels.dot(zp.baseAddress! + a * teacherDim, zp.baseAddress! + b * teacherDim, teacherDim))
                }
                if count == all {
                    for a in 0..<n { for b in (a + 1)..<n { add(a, b) } }
                } else {
                    var rng = SplitMix64(seed: seed)
                    for _ in 0..<count {
                        let a = rng.next(below: n)
                        var b = rng.next(below: n - 1)
                        if b >= a { b += 1 }
                        add(a, b)
                    }
                }
            }
        }
        return DistillEvaluation(documents: n, loss: weight > 0 ? total / weight : 0,
                                 spearman: spearmanCorrelation(student, teacherSims), pairs: count)
    }
}

/// Spearman's rank correlation: Pearson's correlation of the ranks (ties get their average rank). 0 when either
/// side is constant.
public func spearmanCorrelation(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count, "spearman: lengths differ")
    func ranks(_ x: [Float]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var r = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let avg = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = avg }
            i = j + 1
        }
        return r
    }
    let (ra, rb) = (ranks(a), ranks(b))
    let n = Double(a.count)
    guard n > 1 else { return 0 }
    let ma = ra.reduce(0, +) / n, mb = rb.reduce(0, +) / n
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for k in 0..<a.count {
        let (da, db) = (ra[k] - ma, rb[k] - mb)
        sab += da * db
        saa += da * da
        sbb += db * db
    }
    return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : 0
}
