import LexelCore
import LexelKernels

/// Training fastText's product quantiser: for each part of the rows, k-means with 256 centroids (25 iterations,
/// on at most 256 x 256 rows drawn at random), started from distinct rows; an empty cluster takes half of a
/// large one. Every part draws from its own seeded stream, so the result does not depend on the thread count.
extension ProductQuantizer {
    static let centroidCount = 256
    static let maxPointsPerCentroid = 256
    static let iterations = 25
    static let splitEpsilon: Float = 1e-7

    /// The quantiser of `n` rows of `dim` values at `x`, parts of `dsub` values (the last one shorter when `dsub`
    /// does not divide `dim`). Throws when there are fewer than 256 rows (as fastText).
    static func train(_ x: UnsafePointer<Float>, rows n: Int, dim: Int, dsub: Int, seed: UInt64, threads: Int,
                      what: String) throws -> ProductQuantizer {
        guard dsub >= 1, dsub <= dim else { throw LexelError("-dsub: must be between 1 and the dimension \(dim) (got \(dsub))") }
        guard n >= centroidCount else {
            throw LexelError("\(what): \(n) rows are too few to quantise (at least \(centroidCount): one per centroid)")
        }
        let parts = (dim + dsub - 1) / dsub, last = dim - (parts - 1) * dsub
        let centroids = Matrix(rows: centroidCount, cols: dim)  // part m's centroids packed at offset m * 256 * dsub
        let out = Unchecked(centroids.pointer), input = Unchecked(x)
        parallelFor(parts, threads: threads) { _, range in
            for m in range {
                let d = m == parts - 1 ? last : dsub
                var rng = SplitMix64(seed: seed &+ 0xD1B5_4A32_D192_ED03 &* UInt64(m + 1))
                let sample = sampleRows(n, &rng)
                var slice = [Float](repeating: 0, count: sample.count * d)
                for (j, r) in sample.enumerated() {
                    for k in 0..<d { slice[j * d + k] = input.value[r * dim + m * dsub + k] }
                }
                let c = kmeans(slice, count: sample.count, d: d, &rng)
                for i in 0..<c.count { out.value[m * centroidCount * dsub + i] = c[i] }
            }
        }
        return ProductQuantizer(dim: dim, subquantizers: parts, dsub: dsub, lastDsub: last,
                                centroids: Array(UnsafeBufferPointer(start: centroids.pointer, count: centroidCount * dim)))
    }

    /// All rows in order when there are at most 256 x 256, else that many distinct rows drawn at random.
    static func sampleRows(_ n: Int, _ rng: inout SplitMix64) -> [Int] {
        let limit = centroidCount * maxPointsPerCentroid
        var rows = Array(0..<n)
        guard n > limit else { return rows }
        for i in 0..<limit { rows.swapAt(i, i + rng.next(below: n - i)) }
        return Array(rows[..<limit])
    }

    /// k-means of `count` points of dimension `d` into 256 centroids (row-major, 256 x d).
    static func kmeans(_ x: [Float], count n: Int, d: Int, _ rng: inout SplitMix64, iterations: Int = iterations) -> [Float] {
        let k = centroidCount
        var order = Array(0..<n)
        for i in 0..<k { order.swapAt(i, i + rng.next(below: n - i)) }
        var c = [Float](repeating: 0, count: k * d)
        for i in 0..<k { for j in 0..<d { c[i * d + j] = x[order[i] * d + j] } }
        var codes = [Int](repeating: 0, count: n), transposed = [Float](repeating: 0, count: k * d)
        var sizes = [Int](repeating: 0, count: k)
        for _ in 0..<iterations {
            for i in 0..<k { for j in 0..<d { transposed[j * k + i] = c[i * d + j] } }
            x.withUnsafeBufferPointer { xs in
                transposed.withUnsafeBufferPointer { t in
                    for i in 0..<n { codes[i] = Kernels.nearestCentroid(xs.baseAddress! + i * d, d, transposed: t.baseAddress!, k).index }
                }
            }
            for i in 0..<(k * d) { c[i] = 0 }
            for i in 0..<k { sizes[i] = 0 }
            for i in 0..<n {
                sizes[codes[i]] += 1
                for j in 0..<d { c[codes[i] * d + j] += x[i * d + j] }
            }
            for i in 0..<k where sizes[i] > 0 { for j in 0..<d { c[i * d + j] /= Float(sizes[i]) } }
            splitEmptyClusters(&c, &sizes, d: d, points: n, &rng)
        }
        return c
    }

    /// An empty cluster takes the centroid of a cluster drawn with probability growing with its size, both moved
    /// apart by a tiny step, and half of its points (fastText's repair).
    static func splitEmptyClusters(_ c: inout [Float], _ sizes: inout [Int], d: Int, points n: Int, _ rng: inout SplitMix64) {
        let k = centroidCount
        for e in 0..<k where sizes[e] == 0 {
            var m = 0
            while Float(rng.nextUnitFloat()) * Float(n - k) >= Float(sizes[m] - 1) { m = (m + 1) % k }
            for j in 0..<d {
                let sign: Float = j % 2 == 0 ? -1 : 1
                c[e * d + j] = c[m * d + j] + sign * splitEpsilon
                c[m * d + j] -= sign * splitEpsilon
            }
            sizes[e] = sizes[m] / 2
            sizes[m] -= sizes[e]
        }
    }

    /// Each row's code: the nearest centroid of every part.
    func encode(_ x: UnsafePointer<Float>, rows n: Int, threads: Int) -> [UInt8] {
        let k = Self.centroidCount
        var transposed = [Float](repeating: 0, count: k * dim)
        for m in 0..<subquantizers {
            let d = m == subquantizers - 1 ? lastDsub : dsub
            for i in 0..<k { for j in 0..<d { transposed[m * k * dsub + j * k + i] = centroids[offset(m, UInt8(i)) + j] } }
        }
        var codes = [UInt8](repeating: 0, count: n * subquantizers)
        let parts = subquantizers, dsub = dsub, last = lastDsub, dim = dim
        codes.withUnsafeMutableBufferPointer { out in
            transposed.withUnsafeBufferPointer { t in
                let (o, tt, input) = (Unchecked(out.baseAddress!), Unchecked(t.baseAddress!), Unchecked(x))
                parallelFor(n, threads: threads) { _, range in
                    for r in range {
                        for m in 0..<parts {
                            let d = m == parts - 1 ? last : dsub
                            let code = Kernels.nearestCentroid(input.value + r * dim + m * dsub, d, transposed: tt.value + m * k * dsub, k)
                            o.value[r * parts + m] = UInt8(code.index)
                        }
                    }
                }
            }
        }
        return codes
    }
}
