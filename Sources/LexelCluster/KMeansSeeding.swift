#if canImport(Glibc)
import Glibc
#endif
import LexelCore
import LexelKernels

/// First centroids: greedy k-means++ (as scikit-learn's: `2 + ln k` candidates drawn in proportion to the squared
/// distance to the nearest centroid so far, the one that lowers the total most kept) or `k` distinct points.
/// Everything is drawn from SplitMix64 with the run's seed and summed in a fixed order: same seed, same centroids.
enum KMeansSeeding {
    /// `m` distinct indices of `0..<n` in increasing order (all of them when `m >= n`), by selection sampling.
    static func sampleIndices(_ n: Int, _ m: Int, seed: UInt64) -> [Int] {
        guard m < n else { return Array(0..<n) }
        var rng = SplitMix64(seed: seed ^ 0x5EED_5A3F_1E5)
        var out = [Int]()
        out.reserveCapacity(m)
        for i in 0..<n where out.count < m {
            if unit(&rng) * Double(n - i) < Double(m - out.count) { out.append(i) }
        }
        return out
    }

    /// Rows `indices` of `points`, as read (unit length when the set normalises), in one matrix.
    static func gather(_ points: PointSet, _ indices: [Int]) -> Matrix {
        let out = Matrix(rows: indices.count, cols: points.dim)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: points.dim)
        defer { scratch.deallocate() }
        for (r, i) in indices.enumerated() {
            let (p, _) = points.rows(i..<(i + 1), scratch: scratch)
            out.row(r).update(from: p, count: points.dim)
        }
        return out
    }

    /// Uniform in [0, 1) with 53 bits.
    static func unit(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) * 0x1p-53 }

    /// `k` distinct rows of `sample` (k <= rows), in the order drawn.
    static func random(_ sample: Matrix, k: Int, seed: UInt64) -> Matrix {
        var rng = SplitMix64(seed: seed)
        var order = Array(0..<sample.rows)
        for i in 0..<k { order.swapAt(i, i + rng.next(below: sample.rows - i)) }
        let out = Matrix(rows: k, cols: sample.cols)
        for c in 0..<k { out.row(c).update(from: sample.row(order[c]), count: sample.cols) }
        return out
    }

    /// Greedy k-means++ over the rows of `sample` (k <= rows).
    static func plusPlus(_ sample: Matrix, k: Int, seed: UInt64, threads: Int) -> Matrix {
        let n = sample.rows, d = sample.cols
        var rng = SplitMix64(seed: seed)
        let trials = min(PanelMatrix.width, 2 + Int(log(Double(k))))
        let out = Matrix(rows: k, cols: d)
        var norms = [Float](repeating: 0, count: n)
        for i in 0..<n { norms[i] = Kernels.dot(sample.row(i), sample.row(i), d) }
        var nearest = [Float](repeating: 0, count: n)  // squared distance to the nearest centroid so far
        let candidate = UnsafeMutablePointer<Float>.allocate(capacity: n * trials)
        defer { candidate.deallocate() }

        // The squared distances of every row to `count` candidate rows, min'ed with `nearest`, into `candidate`.
        func score(_ rows: [Int]) {
            let cand = Matrix(rows: rows.count, cols: d)
            for (t, r) in rows.enumerated() { cand.row(t).update(from: sample.row(r), count: d) }
            let panel = PanelMatrix(cand.pointer, count: rows.count, dim: d)
            let cnorm = rows.map { norms[$0] }
            let nb = Unchecked(nearest.withUnsafeBufferPointer { $0.baseAddress! })
            let nm = Unchecked(norms.withUnsafeBufferPointer { $0.baseAddress! })
            let out = Unchecked(candidate), base = Unchecked(UnsafePointer(sample.pointer))
            let m = rows.count
            parallelFor(n, threads: threads, align: 64) { _, range in
                let prod = UnsafeMutablePointer<Float>.allocate(capacity: range.count * m)
                defer { prod.deallocate() }
                panel.products(base.value + range.lowerBound * d, count: range.count, stride: d, into: prod, ldc: m)
                for (r, i) in range.enumerated() {
                    for t in 0..<m {
                        let dist = max(0, nm.value[i] + cnorm[t] - 2 * prod[r * m + t])
                        out.value[i * m + t] = min(nb.value[i], dist)
                    }
                }
            }
        }

        var first = rng.next(below: n)
        out.row(0).update(from: sample.row(first), count: d)
        nearest.withUnsafeMutableBufferPointer { $0.initialize(repeating: .infinity) }
        score([first])
        for i in 0..<n { nearest[i] = candidate[i] }
        var cumulative = [Double](repeating: 0, count: n)
        for c in 1..<max(1, k) {
            var total = 0.0
            for i in 0..<n { total += Double(nearest[i]); cumulative[i] = total }
            var picks = [Int]()
            for _ in 0..<trials {
                if total <= 0 { picks.append(rng.next(below: n)); continue }
                let r = unit(&rng) * total
                var lo = 0, hi = n - 1  // first index with cumulative > r
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] > r { hi = mid } else { lo = mid + 1 } }
                picks.append(lo)
            }
            score(picks)
            var bestTrial = 0, bestTotal = Double.infinity
            for t in 0..<picks.count {
                var s = 0.0
                for i in 0..<n { s += Double(candidate[i * picks.count + t]) }
                if s < bestTotal { (bestTotal, bestTrial) = (s, t) }
            }
            first = picks[bestTrial]
            out.row(c).update(from: sample.row(first), count: d)
            for i in 0..<n { nearest[i] = candidate[i * picks.count + bestTrial] }
        }
        return out
    }
}
