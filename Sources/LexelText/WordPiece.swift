
/// A WordPiece vocabulary as one open-addressing hash table over token bytes. Greedy longest-match-first
/// WordPiece hashes every prefix of the rest of a word in one pass (FNV-1a over bytes, so prefix `k + 1`
/// extends prefix `k`), then probes the table from the longest prefix down: a word that is itself a token (the
/// common case) costs one probe, with no per-byte pointer chasing and no `String`. Continuation pieces (`##x`)
/// are entries of their own (the bytes after `##`, hashed from another seed).
struct WordPieceTable: Sendable {
    /// One entry: its first 8 bytes inline (zero-padded, little-endian), its token id, and `meta`: where its
    /// bytes start in `pool` (above bit 9), whether it is a continuation (bit 8) and its length (capped at
    /// 255, low 8 bits). Tokens of up to 8 bytes (most words) are matched without touching `pool`.
    struct Slot {
        var head: UInt64
        /// -1: empty.
        var id: Int32
        var meta: UInt32
    }
    static let continuationBit: UInt32 = 1 << 8

    private let slots: [Slot]
    private let mask: Int
    private let shift: UInt64
    /// Every token's UTF-8 bytes, each followed by a 0 byte (the normaliser removes NUL from words, so a word
    /// matches an entry exactly when its bytes match and the entry's next byte is 0).
    private let pool: [UInt8]
    /// The longest entry, in bytes, for first pieces and for continuations.
    private let longest: Int
    private let longestContinuation: Int
    /// Scratch values `encode` needs for prefix hashes.
    var scratchCount: Int { max(longest, longestContinuation, 1) }

    static let firstSeed: UInt64 = 0xCBF2_9CE4_8422_2325
    static let continuationSeed: UInt64 = 0x84A2_9CE4_CBF2_2325
    static let prime: UInt64 = 0x0000_0100_0000_01B3
    /// Every token's bytes plus one separator each must stay below this (entries address the pool with 23 bits);
    /// `BertTokenizer.init` checks it.
    static let maxPoolBytes = 1 << 23

    init(tokens: [String], continuationPrefix: String = "##") {
        var pool: [UInt8] = []
        var entries: [(hash: UInt64, id: Int32, start: Int, count: Int, kind: UInt32)] = []
        let prefix = Array(continuationPrefix.utf8)
        var longest = 0, longestContinuation = 0
        for (id, t) in tokens.enumerated() {
            let bytes = Array(t.utf8)
            let start = pool.count
            pool += bytes
            pool.append(0)
            guard !bytes.isEmpty else { continue }
            entries.append((WordPieceTable.hash(bytes[...], seed: WordPieceTable.firstSeed), Int32(id), start, bytes.count, 0))
            precondition(pool.count < WordPieceTable.maxPoolBytes, "WordPiece vocabulary too large")
            longest = max(longest, bytes.count)
            if !prefix.isEmpty, bytes.count > prefix.count, bytes.starts(with: prefix) {
                let rest = bytes[prefix.count...]
                entries.append((WordPieceTable.hash(rest, seed: WordPieceTable.continuationSeed), Int32(id),
                                start + prefix.count, rest.count, WordPieceTable.continuationBit))
                longestContinuation = max(longestContinuation, rest.count)
            }
        }
        var n = 16, bits: UInt64 = 4
        while n < entries.count * 2 { n <<= 1; bits += 1 }
        var slots = [Slot](repeating: Slot(head: 0, id: -1, meta: 0), count: n)
        (mask, shift) = (n - 1, 64 - bits)
        pool += [UInt8](repeating: 0, count: 8)  // heads of the last entries read 8 bytes
        for e in entries {
            var head: UInt64 = 0
            for k in 0..<min(e.count, 8) { head |= UInt64(pool[e.start + k]) << UInt64(8 * k) }
            let meta = UInt32(e.start) << 9 | e.kind | UInt32(min(e.count, 255))
            var s = Int(truncatingIfNeeded: (e.hash &* 0x9E37_79B9_7F4A_7C15) >> shift)
            var duplicate = false
            while slots[s].id >= 0 {
                // first id wins on equal bytes of the same kind
                if slots[s].meta & 0x1FF == meta & 0x1FF, WordPieceTable.equal(pool, Int(slots[s].meta >> 9), e.start) {
                    duplicate = true
                    break
                }
                s = (s + 1) & (n - 1)
            }
            if !duplicate { slots[s] = Slot(head: head, id: e.id, meta: meta) }
        }
        (self.slots, self.pool, self.longest, self.longestContinuation) = (slots, pool, longest, longestContinuation)
    }

    static func hash(_ bytes: ArraySlice<UInt8>, seed: UInt64) -> UInt64 {
        var h = seed
        for b in bytes { h = (h ^ UInt64(b)) &* prime }
        return h
    }

    /// Whether the 0-terminated entries at `a` and `b` are equal.
    static func equal(_ p: [UInt8], _ a: Int, _ b: Int) -> Bool {
        var i = 0
        while p[a + i] == p[b + i] {
            if p[a + i] == 0 { return true }
            i += 1
        }
        return false
    }

    /// The id of the entry of kind `kind` (0 or `continuationBit`) with prefix hash `h` and bytes
    /// `word[0..<n]` (whose first 8 bytes, zero-padded, are `head`), or -1.
    @inline(__always)
    private func find(_ h: UInt64, _ kind: UInt32, _ head: UInt64, _ word: UnsafePointer<UInt8>, _ n: Int,
                      _ slots: UnsafePointer<Slot>, _ pool: UnsafePointer<UInt8>) -> Int32 {
        var s = Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> shift)
        let want = kind | UInt32(min(n, 255))
        while true {
            let e = slots[s]
            if e.id < 0 { return -1 }
            if e.head == head && e.meta & 0x1FF == want {
                if n <= 8 { return e.id }
                let p = pool + Int(e.meta >> 9)
                if p[n] == 0 {
                    var i = 8
                    while i < n && p[i] == word[i] { i += 1 }
                    if i == n { return e.id }
                }
            }
            s = (s + 1) & mask
        }
    }

    /// Appends the WordPiece ids of one normalised word (its UTF-8 bytes, `chars` characters) to `out`: the
    /// longest vocabulary prefix, then the longest `##` continuation, and so on; the whole word is `unknown`
    /// when some position matches nothing or the word has more than `maxChars` characters. `prefixHashes`
    /// holds `scratchCount` values of scratch. The word's storage must be readable for 8 bytes past its end.
    func encode(_ word: UnsafeBufferPointer<UInt8>, chars: Int, maxChars: Int, unknown: Int32,
                prefixHashes: UnsafeMutablePointer<UInt64>, into out: inout [Int32]) {
        guard !word.isEmpty else { return }
        guard chars <= maxChars else { out.append(unknown); return }
        slots.withUnsafeBufferPointer { slotBuffer in
            pool.withUnsafeBufferPointer { poolBuffer in
                let slots = slotBuffer.baseAddress!, pool = poolBuffer.baseAddress!, w = word.baseAddress!
                let mark = out.count
                var start = 0
                while start < word.count {
                    let first = start == 0
                    let limit = min(word.count - start, first ? longest : longestContinuation)
                    var h = first ? WordPieceTable.firstSeed : WordPieceTable.continuationSeed
                    for k in 0..<limit {
                        h = (h ^ UInt64(w[start + k])) &* WordPieceTable.prime
                        prefixHashes[k] = h
                    }
                    var n = limit, id: Int32 = -1
                    let head8 = UInt64(littleEndian: UnsafeRawPointer(w + start).loadUnaligned(as: UInt64.self))
                    while n > 0 {
                        let head = n >= 8 ? head8 : head8 & ((1 << UInt64(8 * n)) &- 1)
                        id = find(prefixHashes[n - 1], first ? 0 : WordPieceTable.continuationBit, head, w + start, n,
                                  slots, pool)
                        if id >= 0 { break }
                        n -= 1
                    }
                    guard id >= 0 else {
                        out.removeSubrange(mark...)
                        out.append(unknown)
                        return
                    }
                    out.append(id)
                    start += n
                }
            }
        }
    }
}
