/// Keeps the `k` best (index, score) pairs seen, best first (ties: the earlier offer first).
public struct TopK: Sendable {
    public let k: Int
    public private(set) var items: [(Int, Float)] = []

    public init(k: Int) { self.k = max(0, k) }

    /// The score an offer must beat to enter (minus infinity while fewer than `k` are kept; infinity for `k` 0).
    @inlinable public var threshold: Float {
        k == 0 ? .infinity : items.count < k ? -.infinity : items[items.count - 1].1
    }

    public mutating func offer(_ i: Int, _ s: Float) {
        guard k > 0, s > threshold || items.count < k else { return }
        var pos = items.count
        while pos > 0 && items[pos - 1].1 < s { pos -= 1 }
        items.insert((i, s), at: pos)
        if items.count > k { items.removeLast() }
    }
}
