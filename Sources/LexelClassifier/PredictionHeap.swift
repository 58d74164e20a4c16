/// fastText's k-best selection, step for step: a binary heap ordered by `l.score > r.score` (the lowest score on
/// top) run through libstdc++'s `push_heap` / `pop_heap` / `sort_heap`, so that labels with equal scores (common
/// with fastText's 512-step sigmoid table) are kept and ordered exactly as fastText keeps and orders them.
struct PredictionHeap {
    var items: [(score: Float, label: Int)] = []
    let k: Int

    init(k: Int) { self.k = k; items.reserveCapacity(k + 1) }

    @inline(__always) static func less(_ a: (score: Float, label: Int), _ b: (score: Float, label: Int)) -> Bool {
        a.score > b.score
    }

    /// The lowest score kept (the heap's front).
    var front: Float { items[0].score }
    var isFull: Bool { items.count == k }

    /// fastText's loop body: push, and pop the front when there are more than k.
    mutating func offer(_ score: Float, _ label: Int) {
        items.append((score, label))
        pushHeap(count: items.count)
        if items.count > k {
            popHeap(count: items.count)
            items.removeLast()
        }
    }

    mutating func pushHeap(count: Int) { siftUp(hole: count - 1, top: 0, value: items[count - 1]) }

    mutating func siftUp(hole h: Int, top: Int, value: (score: Float, label: Int)) {
        var hole = h
        var parent = (hole - 1) / 2
        while hole > top && PredictionHeap.less(items[parent], value) {
            items[hole] = items[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        items[hole] = value
    }

    mutating func adjust(hole h: Int, length: Int, value: (score: Float, label: Int)) {
        let top = h
        var hole = h, child = h
        while child < (length - 1) / 2 {
            child = 2 * (child + 1)
            if PredictionHeap.less(items[child], items[child - 1]) { child -= 1 }
            items[hole] = items[child]
            hole = child
        }
        if length & 1 == 0 && child == (length - 2) / 2 {
            child = 2 * (child + 1)
            items[hole] = items[child - 1]
            hole = child - 1
        }
        siftUp(hole: hole, top: top, value: value)
    }

    /// Moves the front to position `count - 1` and restores the heap over the first `count - 1`.
    mutating func popHeap(count: Int) {
        guard count > 1 else { return }
        let last = count - 1
        let value = items[last]
        items[last] = items[0]
        adjust(hole: 0, length: last, value: value)
    }

    /// `sort_heap`: best score first.
    mutating func sorted() -> [(score: Float, label: Int)] {
        var n = items.count
        while n > 1 {
            popHeap(count: n)
            n -= 1
        }
        return items
    }
}
