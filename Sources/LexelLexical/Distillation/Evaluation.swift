import LexelCore
import LexelKernels

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
        let z = unitRows(teacher, count: n, dim: teacherDim)

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

        let (spearman, count) = y.withUnsafeBufferPointer { yp in
            z.withUnsafeBufferPointer { zp in
                pairSpearman(yp.baseAddress!, dim: dout, zp.baseAddress!, dim: teacherDim, count: n, maxPairs: maxPairs, seed: seed)
            }
        }
        return DistillEvaluation(documents: n, loss: weight > 0 ? total / weight : 0,
                                 spearman: spearman, pairs: count)
    }
}

/// Spearman correlation between the dot products of pairs of rows of `a` (`count x dimA`) and the same pairs of
/// `b` (`count x dimB`): all pairs i < j, or `maxPairs` pairs drawn at random (seeded) when there are more.
/// Returns the correlation and the number of pairs. Rows should be unit vectors (dot = cosine).
public func pairSpearman(_ a: UnsafePointer<Float>, dim dimA: Int, _ b: UnsafePointer<Float>, dim dimB: Int, count n: Int,
                         maxPairs: Int = 1_000_000, seed: UInt64 = 1) -> (spearman: Double, pairs: Int) {
    let all = n * (n - 1) / 2
    let count = min(all, max(1, maxPairs))
    var sa: [Float] = [], sb: [Float] = []
    sa.reserveCapacity(count)
    sb.reserveCapacity(count)
    func add(_ i: Int, _ j: Int) {
        sa.append(Kernels.dot(a + i * dimA, a + j * dimA, dimA))
        sb.append(Kernels.dot(b + i * dimB, b + j * dimB, dimB))
    }
    if count == all {
        for i in 0..<n { for j in (i + 1)..<n { add(i, j) } }
    } else {
        var rng = SplitMix64(seed: seed)
        for _ in 0..<count {
            let i = rng.next(below: n)
            var j = rng.next(below: n - 1)
            if j >= i { j += 1 }
            add(i, j)
        }
    }
    return (spearmanCorrelation(sa, sb), count)
}

/// Row-wise cosine between two embeddings of the same `count` documents (`count x dim` each): mean and minimum.
public func rowCosines(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, dim: Int, count: Int) -> (mean: Double, min: Double) {
    var total = 0.0, low = Double.infinity
    for i in 0..<count {
        let (x, y) = (a + i * dim, b + i * dim)
        let d = Double(Kernels.dot(x, y, dim))
        let nx = Double(Kernels.dot(x, x, dim)).squareRoot(), ny = Double(Kernels.dot(y, y, dim)).squareRoot()
        let c = nx > 0 && ny > 0 ? d / (nx * ny) : (nx == ny ? 1 : 0)
        total += c
        low = min(low, c)
    }
    return (count > 0 ? total / Double(count) : 1, count > 0 ? low : 1)
}
