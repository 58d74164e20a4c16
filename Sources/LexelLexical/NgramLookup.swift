import LexelKernels
/// One slot of the n-gram table: the hash, its feature index and the feature's IDF side by side, so that a
/// lookup reads one 16-byte slot (four to a cache line) instead of a key, an index and an IDF in three arrays.
struct NgramSlot {
    var hash: UInt64
    /// `UInt32.max`: empty.
    var index: UInt32
    var idf: Float

    /// What a lookup writes for a found n-gram: `index << 32 | idf.bitPattern` (so that sorting the keys sorts by
    /// index).
    @inline(__always) var key: UInt64 { UInt64(index) << 32 | UInt64(idf.bitPattern) }
}

/// Open-addressing (linear probing) table n-gram hash -> (feature index, IDF), at most half full, in memory
/// that asks for transparent huge pages (a 2M-feature table is 64 MB: with 4 KB pages nearly every lookup
/// also missed the TLB).
final class NgramSlots: @unchecked Sendable {
    let slots: UnsafeMutablePointer<NgramSlot>
    let mask: Int
    let shift: UInt64

    /// The first index of each distinct hash wins.
    init(hashes: [UInt64], idf: [Float]) {
        var n = 16, bits: UInt64 = 4
        while n < hashes.count * 2 { n <<= 1; bits += 1 }
        slots = hugePageAllocate(NgramSlot.self, n)
        (mask, shift) = (n - 1, 64 - bits)
        for i in 0..<n { slots[i].index = .max }
        // slots prefetched a few features ahead: the inserts land at random in up to hundreds of MB
        let ahead = NgramSlots.ahead
        for (i, h) in hashes.enumerated() {
            if i + ahead < hashes.count { Kernels.prefetchRead(slots + home(hashes[i + ahead])) }
            var s = home(h)
            while slots[s].index != .max && slots[s].hash != h { s = (s + 1) & mask }
            if slots[s].index == .max { slots[s] = NgramSlot(hash: h, index: UInt32(i), idf: idf[i]) }
        }
    }

    deinit { hugePageFree(slots, mask + 1) }

    /// Lookups prefetched ahead of the one being made.
    static let ahead = 16

    /// The first slot to probe for `h`: the top bits of a multiplicative mix, rounded down to a 64-byte line
    /// (four slots), so that a probe run crosses into a second line less often (simulated at load 0.48: 3.5%
    /// of hits and 14% of misses, against 10% and 27% from an unaligned start).
    @inline(__always) func home(_ h: UInt64) -> Int {
        Int(truncatingIfNeeded: (h &* 0x9E37_79B9_7F4A_7C15) >> shift) & ~3
    }

    /// The slot holding `h`, or nil.
    @inline(__always) func find(_ h: UInt64) -> UnsafeMutablePointer<NgramSlot>? {
        var s = home(h)
        while true {
            let p = slots + s
            if p.pointee.index == .max { return nil }
            if p.pointee.hash == h { return p }
            s = (s + 1) & mask
        }
    }

    /// Looks up `hashes[0..<m]`, prefetching the slots a few lookups ahead so that the cache misses overlap,
    /// and writes each found n-gram to `found` as `index << 32 | idf.bitPattern` (so that sorting these keys
    /// sorts by index). Returns how many were found.
    @inline(__always)
    func lookup(_ hashes: UnsafePointer<UInt64>, _ m: Int, found: UnsafeMutablePointer<UInt64>) -> Int {
        let ahead = NgramSlots.ahead
        for j in 0..<min(ahead, m) { Kernels.prefetchRead(slots + home(hashes[j])) }
        var k = 0
        for j in 0..<m {
            if j + ahead < m { Kernels.prefetchRead(slots + home(hashes[j + ahead])) }
            if let p = find(hashes[j]) {
                found[k] = p.pointee.key
                k += 1
            }
        }
        return k
    }
}

/// Sorting of a document's found n-gram keys (`index << 32 | payload`) by index.
enum KeySort {
    /// Sorts `keys[0..<n]` ascending by their top 32 bits, where indices are below `2^indexBits`; `temp` holds
    /// `n` keys of scratch. Insertion sort for short runs, else an LSD radix sort on 8-bit digits (no
    /// data-dependent branches). Returns where the sorted keys are (`keys` or `temp`).
    static func sort(_ keys: UnsafeMutablePointer<UInt64>, _ n: Int, indexBits: Int,
                     temp: UnsafeMutablePointer<UInt64>) -> UnsafeMutablePointer<UInt64> {
        if n <= 48 {
            for i in 1..<max(n, 1) {
                let x = keys[i]
                var j = i
                while j > 0 && keys[j - 1] > x { keys[j] = keys[j - 1]; j -= 1 }
                keys[j] = x
            }
            return keys
        }
        let passes = max(1, (indexBits + 7) / 8)
        return withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 256 * passes) { hb in
            let hist = hb.baseAddress!
            hist.initialize(repeating: 0, count: 256 * passes)
            for i in 0..<n {
                let idx = keys[i] >> 32
                for p in 0..<passes { hist[p * 256 + Int(truncatingIfNeeded: (idx >> UInt64(8 * p)) & 0xFF)] += 1 }
            }
            for p in 0..<passes {
                var sum: UInt32 = 0
                for d in 0..<256 { let c = hist[p * 256 + d]; hist[p * 256 + d] = sum; sum += c }
            }
            var src = keys, dst = temp
            for p in 0..<passes {
                let h = hist + p * 256
                let shift = UInt64(32 + 8 * p)
                for i in 0..<n {
                    let x = src[i]
                    let d = Int(truncatingIfNeeded: (x >> shift) & 0xFF)
                    dst[Int(h[d])] = x
                    h[d] += 1
                }
                swap(&src, &dst)
            }
            return src
        }
    }
}
