import LexelCore
import LexelKernels

/// The exact assignment step with Yinyang bounds (Ding et al. 2015), grouping the centroids by the 32-wide panels
/// of the product kernel: each point keeps an upper bound on the distance to its centroid and, per group, a lower
/// bound on the distance to the group's other centroids. When the centroids move, the bounds move by the drifts;
/// a group whose lower bound exceeds the point's (tightened) upper bound cannot hold a nearer centroid and is not
/// computed. Points are visited sorted by cluster, 12 at a time, so that the rows of a tile need the same panels
/// and the products stay a packed tile product; the scores are the same bits the full kernel gives, so the result
/// is the full f32 assignment's (bounds carry a 1e-3 slack for rounding). On the 1M x 1,000 benchmark set the
/// share of products computed falls from all in the first two iterations to about 25% by the tenth.
final class BoundedAssignment: @unchecked Sendable {
    let n: Int, k: Int, dim: Int
    let panels: Int
    let groups: Int, panelsPerGroup: Int
    let upper: UnsafeMutablePointer<Float>
    let lower: UnsafeMutablePointer<Float>  // n * groups
    var started = false
    var drift: [Float], groupDrift: [Float]
    /// Panels computed over all points in the last pass, as a share of all: for the log and tests.
    private(set) var computedShare = 1.0

    /// Points per tile: sorted by cluster, so that the points needing a panel can be multiplied 12 at a time.
    static let rows = 256
    static let slack: Float = 1e-3

    /// Whether the bounds (n x groups floats) are worth keeping: at least 4 panels, and at most 1 GB of bounds.
    static func applies(n: Int, k: Int) -> Bool {
        let panels = (k + PanelMatrix.width - 1) / PanelMatrix.width
        return panels >= 4 && n * min(panels, 64) * 4 <= 1 << 30
    }

    init(n: Int, k: Int, dim: Int) {
        (self.n, self.k, self.dim) = (n, k, dim)
        panels = (k + PanelMatrix.width - 1) / PanelMatrix.width
        panelsPerGroup = (panels + 63) / 64
        groups = (panels + panelsPerGroup - 1) / panelsPerGroup
        upper = .allocate(capacity: max(1, n))
        lower = .allocate(capacity: max(1, n * groups))
        drift = [Float](repeating: 0, count: k)
        groupDrift = [Float](repeating: 0, count: groups)
    }

    deinit { upper.deallocate(); lower.deallocate() }

    /// Records how far each centroid moved (`old` to `new`), for the next pass's bounds.
    func moved(from old: Matrix, to new: Matrix) {
        for g in 0..<groups { groupDrift[g] = 0 }
        for j in 0..<k {
            var s: Float = 0
            for p in 0..<dim { let d = new.row(j)[p] - old.row(j)[p]; s += d * d }
            drift[j] = s.squareRoot()
            let g = j / PanelMatrix.width / panelsPerGroup
            groupDrift[g] = max(groupDrift[g], drift[j])
        }
    }

    /// One pass: every point's nearest centroid, handed to `record(thread, point, centroid, score, row)`.
    func run(_ points: PointSet, packed: PanelMatrix, metric: KMeansOptions.Metric, threads: Int,
             assignments: UnsafeMutablePointer<Int32>,
             record: @escaping @Sendable (Int, Int, Int32, Float, UnsafePointer<Float>) -> Void) {
        // points sorted by cluster (counting sort), so that a tile's rows need the same panels
        let order = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, n))
        defer { order.deallocate() }
        if started {
            var start = [Int](repeating: 0, count: k + 1)
            for i in 0..<n { start[Int(assignments[i]) + 1] += 1 }
            for c in 0..<k { start[c + 1] += start[c] }
            for i in 0..<n { let c = Int(assignments[i]); order[start[c]] = Int32(i); start[c] += 1 }
        } else {
            for i in 0..<n { order[i] = Int32(i) }
        }
        let tiles = (n + Self.rows - 1) / Self.rows
        let shared = Unchecked((UnsafePointer(order), assignments))
        let counted = ThreadSlots(max(1, threads)) { 0 }
        parallelFor(tiles, threads: threads) { t, range in
            let work = TileWork(self, points: points, packed: packed, metric: metric)
            defer { work.release() }
            var computed = 0
            for tile in range {
                let lo = tile * Self.rows, m = min(Self.rows, self.n - lo)
                computed += work.tile(shared.value.0, lo, m, assignments: shared.value.1) { r, i, b, s in
                    record(t, i, b, s, work.rowPointer[r]!)
                }
            }
            counted.with(t) { $0 += computed }
        }
        computedShare = Double(counted.all.reduce(0, +)) / Double(max(1, n * panels))
        started = true
    }
}

/// One thread's buffers and the work on one tile of up to 256 points: for each panel, the list of the tile's
/// points that need it, multiplied 12 at a time (rows by pointer), and folded into each point's state.
final class TileWork {
    let b: BoundedAssignment, points: PointSet, packed: PanelMatrix, metric: KMeansOptions.Metric
    let rows: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    // (raw buffers, not arrays: a Swift array in a class pays a uniqueness check on every write)
    let index: UnsafeMutablePointer<Int>
    let best: UnsafeMutablePointer<Int32>, bestScore: UnsafeMutablePointer<Float>
    let norm2: UnsafeMutablePointer<Float>, tight: UnsafeMutablePointer<Float>
    /// Per row and group: the largest score, its column, the second largest, and whether every panel was computed.
    let top: UnsafeMutablePointer<Float>, topIndex: UnsafeMutablePointer<Int32>, second: UnsafeMutablePointer<Float>
    let full: UnsafeMutablePointer<Bool>
    /// Per panel, the rows (of this tile) that need it.
    let lists: UnsafeMutablePointer<Int32>, listCount: UnsafeMutablePointer<Int>
    let pointers: UnsafeMutablePointer<UnsafePointer<Float>?>
    /// Each row of the tile: in place in the points (float32 rows) or decoded into `rows`.
    let rowPointer: UnsafeMutablePointer<UnsafePointer<Float>?>

    init(_ b: BoundedAssignment, points: PointSet, packed: PanelMatrix, metric: KMeansOptions.Metric) {
        (self.b, self.points, self.packed, self.metric) = (b, points, packed, metric)
        let R = BoundedAssignment.rows
        rows = .allocate(capacity: R * b.dim)
        scratch = .allocate(capacity: b.dim)
        (index, best, bestScore, norm2, tight) = (.allocate(capacity: R), .allocate(capacity: R), .allocate(capacity: R),
                                                  .allocate(capacity: R), .allocate(capacity: R))
        top = .allocate(capacity: R * b.groups)
        topIndex = .allocate(capacity: R * b.groups)
        second = .allocate(capacity: R * b.groups)
        full = .allocate(capacity: R * b.groups)
        lists = .allocate(capacity: R * b.panels)
        listCount = .allocate(capacity: b.panels)
        pointers = .allocate(capacity: R)
        rowPointer = .allocate(capacity: R)
    }

    func release() {
        for p in [rows, scratch, bestScore, norm2, tight, top, second] { p.deallocate() }
        index.deallocate(); best.deallocate(); topIndex.deallocate(); full.deallocate()
        lists.deallocate(); listCount.deallocate(); pointers.deallocate(); rowPointer.deallocate()
    }

    @inline(__always) func distance(_ s: Float, _ r: Int) -> Float {
        metric == .cosine ? max(0, 2 - 2 * s).squareRoot() : max(0, norm2[r] - 2 * s).squareRoot()
    }

    /// Multiplies every panel's listed rows (12 at a time inside the kernel) and folds the scores into the rows'
    /// states; empties the lists. Returns the number of (row, panel) products.
    func computeLists() -> Int {
        var total = 0
        let state = PanelMatrix.FoldState(best: best, bestScore: bestScore, top: top, topIndex: topIndex, second: second,
                                          groupStride: b.groups)
        for t in 0..<b.panels where listCount[t] > 0 {
            let list = lists + t * BoundedAssignment.rows, g = t / b.panelsPerGroup, m = listCount[t]
            for x in 0..<m { pointers[x] = rowPointer[Int(list[x])] }
            packed.fold(panel: t, rows: pointers, count: m, rowIndex: list, into: state, group: g)
            total += m
            listCount[t] = 0
        }
        return total
    }

    @inline(__always) func need(_ r: Int, panel t: Int) {
        lists[t * BoundedAssignment.rows + listCount[t]] = Int32(r)
        listCount[t] += 1
    }

    /// Assigns the points `order[lo ..< lo + m]`; returns the number of (point, panel) products computed.
    func tile(_ order: UnsafePointer<Int32>, _ lo: Int, _ m: Int, assignments: UnsafeMutablePointer<Int32>,
              _ emit: (Int, Int, Int32, Float) -> Void) -> Int {
        let d = b.dim, G = b.groups, P = b.panelsPerGroup
        for t in 0..<b.panels { listCount[t] = 0 }
        for r in 0..<m {
            let i = Int(order[lo + r])
            index[r] = i
            let (p, _) = points.rows(i..<(i + 1), scratch: scratch)
            if points.inPlace {
                rowPointer[r] = p
            } else {
                (rows + r * d).update(from: p, count: d)
                rowPointer[r] = UnsafePointer(rows + r * d)
            }
            norm2[r] = metric == .cosine ? 1 : Kernels.dot(p, p, d)
            (best[r], bestScore[r]) = (Int32.max, -.infinity)
            for g in 0..<G {
                (top[r * G + g], topIndex[r * G + g], second[r * G + g]) = (-.infinity, Int32.max, -.infinity)
                full[r * G + g] = !b.started
            }
        }
        var count = 0
        if !b.started {
            for r in 0..<m { for t in 0..<b.panels { need(r, panel: t) } }
            count += computeLists()
        } else {
            // the bounds follow the drifts; the panel of each point's centroid gives its exact distance
            for r in 0..<m {
                let i = index[r], a = Int(assignments[i])
                b.upper[i] += b.drift[a]
                for g in 0..<G { b.lower[i * G + g] -= b.groupDrift[g] }
                need(r, panel: a / PanelMatrix.width)
                if P == 1 { full[r * G + a / PanelMatrix.width] = true }
            }
            count += computeLists()
            // then, per point, the groups its lower bounds do not rule out
            for r in 0..<m {
                let i = index[r], home = Int(assignments[i]) / PanelMatrix.width
                let limit = distance(bestScore[r], r) + BoundedAssignment.slack * (1 + norm2[r].squareRoot())
                for g in 0..<G where !full[r * G + g] && b.lower[i * G + g] <= limit {
                    full[r * G + g] = true
                    for t in (g * P)..<min(b.panels, (g + 1) * P) where t != home { need(r, panel: t) }
                }
            }
            count += computeLists()
        }
        for r in 0..<m {
            let i = index[r], bj = best[r]
            b.upper[i] = distance(bestScore[r], r)
            for g in 0..<G where full[r * G + g] {  // a skipped group keeps its (drifted) bound
                let s = topIndex[r * G + g] == bj ? second[r * G + g] : top[r * G + g]
                b.lower[i * G + g] = s == -.infinity ? .infinity : distance(s, r)
            }
            emit(r, i, bj, bestScore[r])
        }
        return count
    }
}
