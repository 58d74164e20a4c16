import LexelCore
import LexelKernels
import Synchronization

/// SemDeDup (Abbas et al. 2023, arXiv 2303.09540): inside each k-means cluster, points are visited in the keep
/// policy's order and a point is removed when its cosine with a point already kept is at least `1 - eps`. The
/// cosines of a cluster are products of its unit rows, computed in blocks against the packed earlier rows (never
/// a whole n x n matrix); several `eps` values are decided in the same pass.
public enum SemanticDedup {
    /// Which point of a group of near-duplicates stays.
    public enum Keep: String, Sendable, CaseIterable {
        /// The one farthest from its centroid (SemDeDup's default: the least prototypical).
        case hard
        /// The one nearest its centroid.
        case easy
        /// A seeded random one.
        case random
    }

    /// For each `eps` (in the order given), whether each point is removed.
    public struct Result: Sendable {
        public let eps: [Double]
        /// `removed[e][i]`: point i is a near-duplicate of a kept point at `eps[e]`.
        public let removed: [[Bool]]
        public func removedCount(_ e: Int) -> Int { removed[e].reduce(0) { $0 + ($1 ? 1 : 0) } }
    }

    /// Runs the within-cluster pass. `excluded` points (exact duplicates found before) take no part: never kept,
    /// never compared. `points` must read as unit rows (a cosine `PointSet`).
    public static func run(_ points: PointSet, clusters: KMeansResult, eps: [Double], keep: Keep, seed: UInt64,
                           excluded: [Bool]? = nil, threads: Int) throws -> Result {
        guard !eps.isEmpty, eps.allSatisfy({ $0 >= 0 && $0 <= 2 }) else {
            throw LexelError("--eps values must be in 0...2 (cosine distance), e.g. 0.05,0.1")
        }
        let n = points.count, k = clusters.centroids.rows
        var members = [[Int]](repeating: [], count: k)
        for i in 0..<n where !(excluded?[i] ?? false) { members[Int(clusters.assignments[i])].append(i) }
        let dist = clusters.distances
        for c in 0..<k {
            switch keep {
            case .hard: members[c].sort { dist[$0] != dist[$1] ? dist[$0] > dist[$1] : $0 < $1 }
            case .easy: members[c].sort { dist[$0] != dist[$1] ? dist[$0] < dist[$1] : $0 < $1 }
            case .random:
                var rng = SplitMix64(seed: seed ^ (UInt64(c) &* 0x9E37_79B9_7F4A_7C15))
                for i in stride(from: members[c].count - 1, to: 0, by: -1) { members[c].swapAt(i, rng.next(below: i + 1)) }
            }
        }
        let thresholds = eps.map { Float(1 - $0) }
        let removed = UnsafeMutablePointer<Bool>.allocate(capacity: max(1, n * eps.count))
        removed.initialize(repeating: false, count: max(1, n * eps.count))
        defer { removed.deallocate() }
        if let excluded { for i in 0..<n where excluded[i] { for e in 0..<eps.count { removed[e * n + i] = true } } }
        // The largest clusters first, taken by whichever thread is free.
        let sizes = members.map(\.count)
        let order = (0..<k).sorted { (a: Int, b: Int) -> Bool in sizes[a] != sizes[b] ? sizes[a] > sizes[b] : a < b }
        let next = Atomic<Int>(0)
        let shared = Unchecked((members, order, removed))
        runOnThreads(max(1, threads)) { _ in
            let (members, order, removed) = shared.value
            while true {
                let t = next.add(1, ordering: .relaxed).oldValue
                guard t < order.count else { return }
                decide(points, members[order[t]], thresholds: thresholds, n: n, removed: removed)
            }
        }
        return Result(eps: eps, removed: (0..<eps.count).map { e in Array(UnsafeBufferPointer(start: removed + e * n, count: n)) })
    }

    /// Rows per block of the pass over one cluster, and columns per packed tile.
    static let blockRows = 256, tileColumns = 4096

    /// The greedy decisions of one cluster, visited in `list` order: for each block of rows, their best cosine with
    /// the kept rows of earlier blocks (products against packed tiles of earlier rows), then the rows of the block
    /// in order against each other.
    static func decide(_ points: PointSet, _ list: [Int], thresholds: [Float], n: Int, removed: UnsafeMutablePointer<Bool>) {
        let s = list.count, d = points.dim, e = thresholds.count
        guard s > 1 else { return }
        let rows = KMeansSeeding.gather(points, list)
        var kept = [Bool](repeating: false, count: s * e)  // kept[x * s + j]
        var tiles: [PanelMatrix] = []
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * max(tileColumns, blockRows))
        defer { buffer.deallocate() }
        var best = [Float](repeating: 0, count: blockRows * e)
        var b0 = 0
        while b0 < s {
            let b1 = min(s, b0 + blockRows), m = b1 - b0
            for q in 0..<(m * e) { best[q] = -.infinity }
            // earlier blocks, decided already
            while tiles.count * tileColumns < b0 {
                let start = tiles.count * tileColumns
                tiles.append(PanelMatrix(rows.row(start), count: min(tileColumns, s - start), dim: d))
            }
            for (ti, tile) in tiles.enumerated() {
                let c0 = ti * tileColumns, limit = min(tile.count, b0 - c0)
                guard limit > 0 else { break }
                tile.products(rows.row(b0), count: m, stride: d, into: buffer, ldc: tile.count)
                kept.withUnsafeBufferPointer { kp in
                    for r in 0..<m {
                        let row = buffer + r * tile.count
                        for x in 0..<e {
                            var v = best[r * e + x]
                            let kx = kp.baseAddress! + x * s + c0
                            for col in 0..<limit where kx[col] && row[col] > v { v = row[col] }
                            best[r * e + x] = v
                        }
                    }
                }
            }
            // this block, row by row
            let block = PanelMatrix(rows.row(b0), count: m, dim: d)
            block.products(rows.row(b0), count: m, stride: d, into: buffer, ldc: m)
            for r in 0..<m {
                let j = b0 + r, row = buffer + r * m
                for x in 0..<e {
                    var v = best[r * e + x]
                    for q in 0..<r where kept[x * s + b0 + q] && row[q] > v { v = row[q] }
                    if v >= thresholds[x] { removed[x * n + list[j]] = true } else { kept[x * s + j] = true }
                }
            }
            b0 = b1
        }
    }
}
