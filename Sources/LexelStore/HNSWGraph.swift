
/// A binary heap of (similarity, row) pairs: a max-heap (best first) or a min-heap (worst first).
struct ScoredHeap {
    private(set) var items: [(Float, UInt32)] = []
    let max: Bool

    init(max: Bool, capacity: Int = 64) {
        self.max = max
        items.reserveCapacity(capacity)
    }

    var isEmpty: Bool { items.isEmpty }
    var count: Int { items.count }
    var top: (Float, UInt32) { items[0] }

    @inline(__always) private func above(_ a: Int, _ b: Int) -> Bool {
        max ? items[a].0 > items[b].0 : items[a].0 < items[b].0
    }

    mutating func push(_ s: Float, _ r: UInt32) {
        items.append((s, r))
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard above(i, p) else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    @discardableResult
    mutating func pop() -> (Float, UInt32) {
        let t = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && above(l, m) { m = l }
                if r < items.count && above(r, m) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return t
    }
}

/// Marks rows visited during one graph search; clearing is O(1) (a new generation number).
struct VisitedSet {
    private var stamps: [UInt32]
    private var generation: UInt32 = 0

    init(count: Int) { stamps = [UInt32](repeating: 0, count: count) }

    var count: Int { stamps.count }

    mutating func reset() {
        generation &+= 1
        if generation == 0 {
            for i in stamps.indices { stamps[i] = 0 }
            generation = 1
        }
    }

    /// Marks `r`; returns false when it was already marked.
    @inline(__always) mutating func insert(_ r: UInt32) -> Bool {
        if stamps[Int(r)] == generation { return false }
        stamps[Int(r)] = generation
        return true
    }
}

/// What a graph search needs from a graph, in memory (while building) or mapped from a file.
protocol ProximityGraph {
    var rowCount: Int { get }
    /// Calls `body` with each neighbour of `node` on `level`; invalid ids are never passed.
    func forEachNeighbour(of node: UInt32, level: Int, _ body: (UInt32) -> Void)
}

extension ProximityGraph {
    /// Greedy walk on `level` from `entry` towards `q`, one best node at a time (the upper-layer descent).
    func greedy(_ q: UnsafePointer<Float>, from entry: (Float, UInt32), level: Int,
                similarity: (UnsafePointer<Float>, UInt32) -> Float) -> (Float, UInt32) {
        var best = entry
        var moved = true
        while moved {
            moved = false
            forEachNeighbour(of: best.1, level: level) { n in
                let s = similarity(q, n)
                if s > best.0 { best = (s, n); moved = true }
            }
        }
        return best
    }

    /// Beam search on `level` (HNSW's SEARCH-LAYER): the `ef` best nodes found, best first.
    func searchLayer(_ q: UnsafePointer<Float>, entries: [(Float, UInt32)], ef: Int, level: Int,
                     visited: inout VisitedSet, similarity: (UnsafePointer<Float>, UInt32) -> Float) -> [(Float, UInt32)] {
        visited.reset()
        var candidates = ScoredHeap(max: true, capacity: ef * 2)
        var results = ScoredHeap(max: false, capacity: ef + 1)
        for e in entries where visited.insert(e.1) {
            candidates.push(e.0, e.1)
            results.push(e.0, e.1)
        }
        while results.count > ef { results.pop() }
        while !candidates.isEmpty {
            let c = candidates.pop()
            if results.count >= ef && c.0 < results.top.0 { break }
            forEachNeighbour(of: c.1, level: level) { n in
                guard visited.insert(n) else { return }
                let s = similarity(q, n)
                if results.count < ef || s > results.top.0 {
                    candidates.push(s, n)
                    results.push(s, n)
                    if results.count > ef { results.pop() }
                }
            }
        }
        return results.items.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
    }
}

/// The HNSW neighbour-selection heuristic (Malkov and Yashunin, algorithm 4): walking candidates best first,
/// keep one only if it is more similar to the base node than to every neighbour kept so far, up to `m`. This
/// keeps links pointing in different directions, which is what lets greedy search cross between clusters.
func selectNeighbours(_ candidates: [(Float, UInt32)], m: Int,
                      similarity: (UInt32, UInt32) -> Float) -> [(Float, UInt32)] {
    if candidates.count <= m { return candidates }
    var kept: [(Float, UInt32)] = []
    for c in candidates {
        if kept.count >= m { break }
        if kept.allSatisfy({ similarity(c.1, $0.1) < c.0 }) { kept.append(c) }
    }
    return kept
}
