/// Token n-grams and their 64-bit hashes. The hash is Luxical's: FNV-1a (64-bit) over the little-endian bytes of
/// the n-gram's token ids as `UInt32`, padded to `maxN` ids with `0xFFFFFFFF`, so that a Luxical model's
/// hash -> n-gram index table can be used as is.
public enum Ngrams {
    @usableFromInline static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    @usableFromInline static let prime: UInt64 = 0x0000_0100_0000_01B3

    @inlinable @inline(__always) static func step(_ h: UInt64, _ id: UInt32) -> UInt64 {
        var h = h
        h = (h ^ UInt64(id & 0xFF)) &* prime
        h = (h ^ UInt64((id >> 8) & 0xFF)) &* prime
        h = (h ^ UInt64((id >> 16) & 0xFF)) &* prime
        h = (h ^ UInt64(id >> 24)) &* prime
        return h
    }

    /// The hash of one n-gram (`ids.count <= maxN`).
    public static func hash(_ ids: some Collection<UInt32>, maxN: Int) -> UInt64 {
        var h = offsetBasis
        for id in ids { h = step(h, id) }
        for _ in ids.count..<maxN { h = step(h, UInt32.max) }
        return h
    }

    /// Calls `body(hash, n)` for every n-gram of `tokens` with `minN <= n <= maxN`, by length then position
    /// (Luxical's order). Each hash extends the previous length's state, then pads.
    @inlinable
    public static func forEach(in tokens: UnsafeBufferPointer<UInt32>, minN: Int = 1, maxN: Int,
                               _ body: (UInt64, Int) -> Void) {
        precondition(minN >= 1 && maxN >= minN)
        let count = tokens.count
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(1, count)) { state in
            for i in 0..<count { state[i] = offsetBasis }
            for n in 1...maxN where n <= count {
                for i in 0...(count - n) {
                    let s = step(state[i], tokens[i + n - 1])
                    state[i] = s
                    guard n >= minN else { continue }
                    var h = s
                    for _ in n..<maxN { h = step(h, UInt32.max) }
                    body(h, n)
                }
            }
        }
    }

    /// How many n-grams with `minN <= n <= maxN` a document of `count` tokens has.
    @inlinable
    public static func count(tokens count: Int, minN: Int = 1, maxN: Int) -> Int {
        var m = 0
        for n in minN...maxN where n <= count { m += count - n + 1 }
        return m
    }

    /// Writes the hash of every n-gram of `tokens` with `minN <= n <= maxN` to `out` (which holds at least
    /// `count(tokens:minN:maxN:)` values), by position then length, and returns how many it wrote. The same
    /// hashes as `forEach`, in another order; one pass and no scratch.
    @inlinable
    public static func hashes(of tokens: UnsafeBufferPointer<UInt32>, minN: Int = 1, maxN: Int,
                              into out: UnsafeMutablePointer<UInt64>) -> Int {
        hashes(of: tokens, minN: minN, maxN: maxN, starts: 0..<tokens.count, into: out)
    }

    /// Like `hashes(of:minN:maxN:into:)`, for the n-grams that start at positions in `starts` only (they may
    /// end past it): a long document is hashed block by block, each n-gram in exactly one block.
    @inlinable
    public static func hashes(of tokens: UnsafeBufferPointer<UInt32>, minN: Int = 1, maxN: Int, starts: Range<Int>,
                              into out: UnsafeMutablePointer<UInt64>) -> Int {
        precondition(minN >= 1 && maxN >= minN)
        let count = tokens.count
        var k = 0
        for i in starts {
            var s = offsetBasis
            for n in 1...min(maxN, count - i) {
                s = step(s, tokens[i + n - 1])
                guard n >= minN else { continue }
                var h = s
                for _ in n..<maxN { h = step(h, UInt32.max) }
                out[k] = h
                k += 1
            }
        }
        return k
    }
}
