import LexelCore
import LexelKernels

/// k-means on all cores: spherical (cosine) or Euclidean Lloyd iterations whose assignment step is one fused
/// product-and-argmax over the packed centroids, with exact fixed-point sums for the update, so that a seed gives
/// the same centroids and assignments at any thread count (and on AVX2 and AVX-512 CPUs alike).
public enum KMeans {
    /// Clusters `points`. `onIteration` sees each iteration as it ends (for progress lines).
    public static func run(_ points: PointSet, _ options: KMeansOptions,
                           onIteration: (KMeansIteration) -> Void = { _ in }) throws -> KMeansResult {
        let k = options.k, n = points.count
        guard n > 0 else { throw LexelError("there are no points to cluster") }
        guard k >= 1 else { throw LexelError("k must be at least 1 (got \(k))") }
        guard k <= n else { throw LexelError("k = \(k) clusters need at least \(k) points, but there are \(n)") }
        guard options.iterations >= 1 else { throw LexelError("--niter must be at least 1 (got \(options.iterations))") }
        guard options.redo >= 1 else { throw LexelError("--nredo must be at least 1 (got \(options.redo))") }
        if let s = options.sample, s < k { throw LexelError("--sample \(s) is smaller than k = \(k)") }
        let maxAbs = try check(points, metric: options.metric, threads: options.threads)

        // Training points: all of them, or a seeded sample gathered into memory.
        var training = points
        if let s = options.sample, s < n {
            training = PointSet(KMeansSeeding.gather(points, KMeansSeeding.sampleIndices(n, s, seed: options.seed)))
        }
        let int8 = options.precision.resolved == .int8
        let pass = AssignmentPass(points: training, k: k, metric: options.metric, threads: options.threads, maxAbs: maxAbs,
                                  int8: int8, bounded: options.bounds)
        var best: (centroids: Matrix, log: [KMeansIteration], objective: Double, seed: UInt64)?
        for r in 0..<options.redo {
            let seed = options.seed &+ UInt64(r)
            let centroids = try initial(training, options, seed: seed)
            pass.bounds?.started = false  // new centroids: the bounds start over
            var log = [KMeansIteration]()
            for it in 0..<options.iterations {
                let t0 = monotonicSeconds()
                let objective = pass.run(centroids, accumulate: true)
                let (sizes, changed) = pass.totals()
                let before = pass.bounds.map { _ in centroids.copy() }
                let repaired = update(centroids, sizes: sizes, pass: pass, seed: seed &+ UInt64(it) &* 0x9E37)
                if let before { pass.bounds?.moved(from: before, to: centroids) }
                let step = KMeansIteration(iteration: it + 1, objective: objective, changed: Double(changed) / Double(training.count),
                                           imbalance: imbalance(sizes), repaired: repaired,
                                           computed: pass.bounds?.computedShare ?? 1, seconds: monotonicSeconds() - t0)
                log.append(step)
                onIteration(step)
                if changed == 0 && repaired == 0 { break }
            }
            let last = log.last!.objective
            if best == nil || better(last, than: best!.objective, options.metric) { best = (centroids, log, last, seed) }
        }
        let kept = best!
        // The final assignment of every point to the kept centroids.
        let final = training === points ? pass : AssignmentPass(points: points, k: k, metric: options.metric,
                                                                  threads: options.threads, maxAbs: maxAbs, int8: int8,
                                                                  bounded: false)
        let objective = final.run(kept.centroids, accumulate: false)  // sizes come from the assignments
        var sizes = [Int](repeating: 0, count: k)
        for i in 0..<n { sizes[Int(final.assignments[i])] += 1 }
        return KMeansResult(centroids: kept.centroids, metric: options.metric, iterations: kept.log,
                            assignments: Array(UnsafeBufferPointer(start: final.assignments, count: n)),
                            distances: Array(UnsafeBufferPointer(start: final.distances, count: n)),
                            objective: objective, sizes: sizes, seed: kept.seed)
    }

    /// Assigns `points` to fixed centroids (`lexel assign`): clusters and distances.
    public static func assign(_ points: PointSet, centroids: Matrix, metric: KMeansOptions.Metric,
                              precision: KMeansOptions.Precision = .f32,
                              threads: Int) throws -> (assignments: [Int32], distances: [Float]) {
        guard points.dim == centroids.cols else {
            throw LexelError("the points have dimension \(points.dim) but the centroids \(centroids.cols)")
        }
        let maxAbs = try check(points, metric: metric, threads: threads)
        let pass = AssignmentPass(points: points, k: centroids.rows, metric: metric, threads: threads, maxAbs: maxAbs,
                                  int8: precision.resolved == .int8, bounded: false)
        _ = pass.run(centroids, accumulate: false)
        return (Array(UnsafeBufferPointer(start: pass.assignments, count: points.count)),
                Array(UnsafeBufferPointer(start: pass.distances, count: points.count)))
    }

    static func better(_ a: Double, than b: Double, _ metric: KMeansOptions.Metric) -> Bool {
        metric == .cosine ? a > b : a < b
    }

    /// `k * sum(size^2) / n^2` of cluster sizes: 1 when all are equal.
    public static func imbalance(_ sizes: [Int]) -> Double {
        let n = Double(sizes.reduce(0, +))
        return n > 0 ? Double(sizes.count) * sizes.reduce(0.0) { $0 + Double($1) * Double($1) } / (n * n) : 0
    }

    /// Checks every row (finite; non-zero for cosine), turns on normalisation for cosine when rows are not unit
    /// vectors, and returns the largest absolute value as read (the fixed-point range of the sums).
    static func check(_ points: PointSet, metric: KMeansOptions.Metric, threads: Int) throws -> Float {
        let t = max(1, threads)
        final class Found: @unchecked Sendable {
            var firstBad = Int.max, badColumn = 0, zero = Int.max, notUnit = false, maxAbs: Float = 0
        }
        let found = (0..<t).map { _ in Found() }
        let dim = points.dim
        points.forEachBlock(threads: t) { th, range, x, stride in
            let f = found[th]
            for (r, i) in range.enumerated() {
                let row = x + r * stride
                var norm2: Float = 0, m: Float = 0
                for j in 0..<dim {
                    let v = row[j]
                    if !v.isFinite { if i < f.firstBad { (f.firstBad, f.badColumn) = (i, j) }; break }
                    norm2 += v * v
                    m = max(m, abs(v))
                }
                f.maxAbs = max(f.maxAbs, m)
                if norm2 == 0 && i < f.zero { f.zero = i }
                if abs(norm2 - 1) > 2e-3 { f.notUnit = true }
            }
        }
        let bad = found.min { $0.firstBad < $1.firstBad }!
        if bad.firstBad != Int.max {
            throw LexelError("row \(bad.firstBad) has a value that is not a finite number (column \(bad.badColumn))")
        }
        let zero = found.map(\.zero).min()!
        if metric == .cosine && zero != Int.max {
            throw LexelError("row \(zero) is all zeros: it has no direction for cosine k-means (use --metric euclidean, or drop it)")
        }
        if metric == .cosine && found.contains(where: \.notUnit) {
            points.normalizeRows()
            return 1
        }
        return found.map(\.maxAbs).max()!
    }

    /// The first centroids of a run.
    static func initial(_ training: PointSet, _ options: KMeansOptions, seed: UInt64) throws -> Matrix {
        let k = options.k, n = training.count
        switch options.initialisation {
        case .centroids(let values):
            guard values.count == k * training.dim else {
                throw LexelError("the initial centroids hold \(values.count) values, but k x dim = \(k) x \(training.dim)")
            }
            guard values.allSatisfy(\.isFinite) else { throw LexelError("the initial centroids hold a value that is not finite") }
            let m = Matrix(rows: k, cols: training.dim)
            values.withUnsafeBufferPointer { m.pointer.update(from: $0.baseAddress!, count: values.count) }
            if options.metric == .cosine {
                for c in 0..<k where Kernels.normalize(m.row(c), training.dim) == 0 {
                    throw LexelError("initial centroid \(c) is all zeros: it has no direction for cosine k-means")
                }
            }
            return m
        case .random:
            let sample = KMeansSeeding.gather(training, KMeansSeeding.sampleIndices(n, min(n, max(k, 256 * k)), seed: seed))
            return KMeansSeeding.random(sample, k: k, seed: seed)
        case .kmeansPlusPlus:
            let size = options.seedingSample ?? max(k, min(n, 20_000_000 / k))
            let sample = KMeansSeeding.gather(training, KMeansSeeding.sampleIndices(n, max(k, size), seed: seed))
            return KMeansSeeding.plusPlus(sample, k: k, seed: seed, threads: options.threads)
        }
    }

    /// New centroids from the pass's sums; each empty cluster takes half of a large one (drawn in proportion to
    /// size - 1, as faiss does), the two centroids pushed apart by a relative 1/1024. Returns how many were empty.
    static func update(_ centroids: Matrix, sizes: [Int], pass: AssignmentPass, seed: UInt64) -> Int {
        let k = centroids.rows, d = centroids.cols
        var sizes = sizes
        for c in 0..<k where sizes[c] > 0 { pass.mean(c, count: sizes[c], into: centroids.row(c)) }
        var rng = SplitMix64(seed: seed)
        var repaired = 0
        let n = sizes.reduce(0, +)
        for c in 0..<k where sizes[c] == 0 {
            var r = KMeansSeeding.unit(&rng) * Double(max(1, n - k))
            var j = 0
            while j < k - 1 && (sizes[j] <= 1 || r >= Double(sizes[j] - 1)) {
                if sizes[j] > 1 { r -= Double(sizes[j] - 1) }
                j += 1
            }
            guard sizes[j] > 1 else { continue }  // nothing to split (every cluster is a single point)
            let a = centroids.row(c), b = centroids.row(j)
            a.update(from: b, count: d)
            for p in 0..<d {
                let up: Float = 1 + 1 / 1024, down: Float = 1 - 1 / 1024
                if p % 2 == 0 { a[p] *= up; b[p] *= down } else { a[p] *= down; b[p] *= up }
            }
            if pass.metric == .cosine { Kernels.normalize(a, d); Kernels.normalize(b, d) }
            sizes[c] = sizes[j] / 2
            sizes[j] -= sizes[c]
            repaired += 1
        }
        return repaired
    }
}
