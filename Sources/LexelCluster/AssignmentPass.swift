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
    /// Fixed-point scale of the sums.
    let scale: Float
    var assignments: UnsafeMutablePointer<Int32>
    var distances: UnsafeMutablePointer<Float>
    let scratch: ThreadSlots<UnsafeMutablePointer<Float>>
    let scratchCount: Int

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

    init(points: PointSet, k: Int, metric: KMeansOptions.Metric, threads: Int, maxAbs: Float) {
        (self.points, self.k, self.metric) = (points, k, metric)
        self.threads = max(1, threads)
        scale = maxAbs > 0 ? Float(1 << 24) / maxAbs : 1
        assignments = .allocate(capacity: max(1, points.count))
        assignments.initialize(repeating: -1, count: max(1, points.count))
        distances = .allocate(capacity: max(1, points.count))
        distances.initialize(repeating: 0, count: max(1, points.count))
        scratchCount = points.inPlace ? 1 : points.scratchFloats
        let n = scratchCount
        scratch = ThreadSlots(self.threads) { UnsafeMutablePointer<Float>.allocate(capacity: n) }
        accumulators = (0..<self.threads).map { _ in Accumulator(k: k, dim: points.dim) }
    }

    deinit {
        assignments.deallocate()
        distances.deallocate()
        for p in scratch.all { p.deallocate() }
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
        for a in accumulators { a.reset() }
        let dim = points.dim, metric = self.metric, scale = self.scale
        let assign = Unchecked(assignments), dist = Unchecked(distances)
        let accs = accumulators
        points.forEachBlock(threads: threads, scratch: scratch) { t, range, x, stride in
            let m = range.count
            let best = UnsafeMutablePointer<Int32>.allocate(capacity: m), score = UnsafeMutablePointer<Float>.allocate(capacity: m)
            defer { best.deallocate(); score.deallocate() }
            packed.argmax(x, count: m, stride: stride, best: best, score: score)
            let acc = accs[t]
            for r in 0..<m {
                let i = range.lowerBound + r, c = Int(best[r]), row = x + r * stride
                if assign.value[i] != best[r] { acc.changed += 1 }
                assign.value[i] = best[r]
                if metric == .cosine {
                    dist.value[i] = 1 - score[r]
                } else {
                    dist.value[i] = max(0, Kernels.dot(row, row, dim) - 2 * score[r])
                }
                if accumulate {
                    acc.counts[c] += 1
                    lexel_f32_add_fixed(row, dim, scale, acc.sums + c * dim)
                }
            }
        }
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

    /// The mean of cluster `c`'s members into `out` (unit length for cosine); false for an empty cluster.
    func mean(_ c: Int, count: Int, into out: UnsafeMutablePointer<Float>) -> Bool {
        guard count > 0 else { return false }
        let dim = points.dim
        let denom = Double(scale) * Double(count)
        for j in 0..<dim {
            var s: Int64 = 0
            for a in accumulators { s &+= a.sums[c * dim + j] }
            out[j] = Float(Double(s) / denom)
        }
        if metric == .cosine { Kernels.normalize(out, dim) }
        return true
    }
}
