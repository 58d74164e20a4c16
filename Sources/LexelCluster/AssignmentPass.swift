import CKernels
import LexelCore
import LexelKernels

/// One pass over the points: each goes to its nearest centroid (a product with the packed centroids and the best
/// column, fused in `PanelMatrix.argmax`, on all threads), and, when asked, the members of each cluster are summed
/// for the update. Sums are exact integers in fixed point (each value rounded to `1 / scale`, 24 bits below the
/// largest value), so they are the same whatever the threads and the order: the result of a seed never depends
/// on the thread count.
final class AssignmentPass: @unchecked Sendable {
    let points: PointSet
    let k: Int
    let metric: KMeansOptions.Metric
    let threads: Int
    /// 8-bit products pick the nearest centroid (then its exact f32 score is computed); else f32 products.
    let int8: Bool
    /// Fixed-point scale of the sums.
    let scale: Float
    var assignments: UnsafeMutablePointer<Int32>
    var distances: UnsafeMutablePointer<Float>
    /// Per thread, for one block: chosen centroids, scores, and (int8 while streaming, when the points' codes are
    /// not kept) the block's 8-bit codes and their row scales.
    final class Workspace: @unchecked Sendable {
        let best: UnsafeMutablePointer<Int32>, score: UnsafeMutablePointer<Float>
        let codes: UnsafeMutablePointer<UInt8>, inverse: UnsafeMutablePointer<Float>
        init(rows: Int, codeBytes: Int) {
            best = .allocate(capacity: rows)
            score = .allocate(capacity: rows)
            codes = .allocate(capacity: rows * codeBytes)
            inverse = .allocate(capacity: rows)
        }
        deinit { best.deallocate(); score.deallocate(); codes.deallocate(); inverse.deallocate() }
    }
    let workspaces: [Workspace]
    /// Yinyang bounds that skip most of the products after the first passes (f32, points in memory).
    var bounds: BoundedAssignment?
    /// The points' 8-bit codes and row scales, made in the first int8 pass and kept (points never change), unless
    /// streaming (then each pass codes its blocks again).
    var cachedCodes: UnsafeMutablePointer<UInt8>?, cachedInverse: UnsafeMutablePointer<Float>?, cacheFilled = false

    /// Per-thread sums (`k * dim` Int64) and counts (`k`), and changed-assignment counts.
    final class Accumulator: @unchecked Sendable {
        let sums: UnsafeMutablePointer<Int64>
        let counts: UnsafeMutablePointer<Int>
        var changed = 0
        let size: Int, k: Int
        init(k: Int, dim: Int) {
            (size, self.k) = (k * dim, k)
            sums = .allocate(capacity: size)
            counts = .allocate(capacity: k)
            reset()
        }
        func reset() {
            sums.initialize(repeating: 0, count: size)
            counts.initialize(repeating: 0, count: k)
            changed = 0
        }
        deinit { sums.deallocate(); counts.deallocate() }
    }
    let accumulators: [Accumulator]

    init(points: PointSet, k: Int, metric: KMeansOptions.Metric, threads: Int, maxAbs: Float, int8: Bool, bounded: Bool) {
        (self.points, self.k, self.metric, self.int8) = (points, k, metric, int8)
        self.threads = max(1, threads)
        scale = maxAbs > 0 ? Float(1 << 24) / maxAbs : 1
        assignments = .allocate(capacity: max(1, points.count))
        assignments.initialize(repeating: -1, count: max(1, points.count))
        distances = .allocate(capacity: max(1, points.count))
        distances.initialize(repeating: 0, count: max(1, points.count))
        accumulators = (0..<self.threads).map { _ in Accumulator(k: k, dim: points.dim) }
        if bounded && !int8 && !points.streaming && BoundedAssignment.applies(n: points.count, k: k) {
            bounds = BoundedAssignment(n: points.count, k: k, dim: points.dim)
        }
        let rows = points.blockRows, codeBytes = int8 && points.streaming ? (points.dim + 3) / 4 * 4 : 0
        workspaces = (0..<self.threads).map { _ in Workspace(rows: rows, codeBytes: codeBytes) }
    }

    deinit {
        cachedCodes?.deallocate()
        cachedInverse?.deallocate()
        assignments.deallocate()
        distances.deallocate()
    }

    /// Packs centroids (`k x dim`) for the product, with the Euclidean bias `-|c|^2 / 2`.
    func pack(_ centroids: Matrix) -> PanelMatrix {
        let packed = PanelMatrix(centroids.pointer, count: k, dim: centroids.cols)
        if metric == .euclidean {
            for j in 0..<k {
                let c = centroids.row(j)
                packed.setBias(j, -0.5 * Kernels.dot(c, c, centroids.cols))
            }
        }
        return packed
    }

    /// Assigns every point to `centroids`; with `accumulate`, also sums the members of each cluster. Returns the
    /// objective (see `KMeansIteration.objective`).
    func run(_ centroids: Matrix, accumulate: Bool) -> Double {
        let packed = pack(centroids)
        let dim = points.dim, metric = self.metric, scale = self.scale
        let bias = (0..<k).map { packed.bias[$0] }
        let coded = int8 ? Int8PanelMatrix(centroids.pointer, count: k, dim: dim, bias: bias) : nil
        for a in accumulators { a.reset() }
        let assign = Unchecked(assignments), dist = Unchecked(distances), cents = Unchecked(UnsafePointer(centroids.pointer))
        let accs = accumulators, spaces = workspaces
        let codeBytes = (dim + 3) / 4 * 4
        if int8 && !points.streaming && cachedCodes == nil {
            cachedCodes = .allocate(capacity: max(1, points.count * codeBytes))
            cachedInverse = .allocate(capacity: max(1, points.count))
        }
        let cache = Unchecked((cachedCodes, cachedInverse, cacheFilled))
        let record: @Sendable (Int, Int, Int32, Float, UnsafePointer<Float>) -> Void = { t, i, b, s, row in
            let acc = accs[t]
            if assign.value[i] != b { acc.changed += 1 }
            assign.value[i] = b
            dist.value[i] = metric == .cosine ? 1 - s : max(0, Kernels.dot(row, row, dim) - 2 * s)
            if accumulate {
                acc.counts[Int(b)] += 1
                lexel_f32_add_fixed(row, dim, scale, acc.sums + Int(b) * dim)
            }
        }
        if let bounds {
            bounds.run(points, packed: packed, metric: metric, threads: threads, assignments: assignments, record: record)
        } else {
            points.forEachBlock(threads: threads) { t, range, x, stride in
                let m = range.count, w = spaces[t]
                let (best, score) = (w.best, w.score)
                if let coded {
                    var (codes, inverse) = (w.codes, w.inverse)
                    if let cc = cache.value.0, let ci = cache.value.1 {
                        (codes, inverse) = (cc + range.lowerBound * codeBytes, ci + range.lowerBound)
                        if !cache.value.2 { coded.code(x, count: m, stride: stride, into: codes, inverse: inverse) }
                    } else {
                        coded.code(x, count: m, stride: stride, into: codes, inverse: inverse)
                    }
                    coded.argmax(codes, count: m, inverse: inverse, best: best)
                    for r in 0..<m {  // the exact score of the centroid chosen
                        let c = Int(best[r])
                        score[r] = Kernels.dot(x + r * stride, cents.value + c * dim, dim) + bias[c]
                    }
                } else {
                    packed.argmax(x, count: m, stride: stride, best: best, score: score)
                }
                for r in 0..<m { record(t, range.lowerBound + r, best[r], score[r], x + r * stride) }
            }
        }
        if cachedCodes != nil { cacheFilled = true }
        var total = 0.0
        for i in 0..<points.count { total += Double(distances[i]) }
        return metric == .cosine ? Double(points.count) - total : total
    }

    /// The accumulated sizes and changed count over all threads.
    func totals() -> (counts: [Int], changed: Int) {
        var counts = [Int](repeating: 0, count: k), changed = 0
        for a in accumulators {
            for c in 0..<k { counts[c] += a.counts[c] }
            changed += a.changed
        }
        return (counts, changed)
    }

    /// The mean of cluster `c`'s `count` (> 0) members into `out` (unit length for cosine).
    func mean(_ c: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        let dim = points.dim
        let denom = Double(scale) * Double(count)
        for j in 0..<dim {
            var s: Int64 = 0
            for a in accumulators { s &+= a.sums[c * dim + j] }
            out[j] = Float(Double(s) / denom)
        }
        if metric == .cosine { Kernels.normalize(out, dim) }
    }
}
