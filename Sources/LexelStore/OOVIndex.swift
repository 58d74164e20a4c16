import LexelContainer
import LexelKernels

/// Out-of-vocabulary vectors for files without subword rows, after Magnitude's idea (docs/oov.md): a
/// deterministic pseudo-random unit vector from the word's character n-grams, blended 0.3 / 0.7 with the mean
/// of the three in-vocabulary words that share the most character trigrams with it.
public enum OOV {
    public static let randomWeight: Float = 0.3
    public static let neighbours = 3
    static let gramSeed: UInt64 = 0x4C45_5845_4C4F_4F56

    /// Character trigrams of `<word>` (Unicode scalars, lower-cased): the top 32 bits of their XXH64.
    static func trigramHashes(_ word: String) -> [UInt32] {
        let s = Array(("<" + word.lowercased() + ">").unicodeScalars)
        guard s.count >= 3 else { return [] }
        var out: [UInt32] = []
        for i in 0...(s.count - 3) {
            out.append(UInt32(truncatingIfNeeded: XXH64.hash(String(String.UnicodeScalarView(s[i..<(i + 3)])), seed: gramSeed) >> 32))
        }
        return out
    }

    /// Spellings tried for `word`: itself, repeated letters collapsed (runs over two to two, and to one), and
    /// forms with a common prefix or suffix removed.
    public static func variants(of word: String) -> [String] {
        let w = word.lowercased()
        var out = [w]
        func collapse(_ s: String, keep: Int) -> String {
            var r = "", last: Character? = nil, run = 0
            for c in s {
                run = c == last ? run + 1 : 1
                last = c
                if run <= keep { r.append(c) }
            }
            return r
        }
        for v in [collapse(w, keep: 2), collapse(w, keep: 1)] where !out.contains(v) { out.append(v) }
        for p in ["un", "re", "in", "dis", "pre", "non", "mis", "over", "under"] where w.hasPrefix(p) && w.count > p.count + 2 {
            out.append(String(w.dropFirst(p.count)))
        }
        for s in ["ing", "ed", "es", "s", "ly", "er", "est", "ness", "ment", "ation", "able", "ful", "less"]
        where w.hasSuffix(s) && w.count > s.count + 2 {
            out.append(String(w.dropLast(s.count)))
        }
        return out
    }

    /// The pseudo-random unit vector of `word`: the sum over its character n-grams (n = 3...6 of `<word>`) of
    /// a vector of uniform values in [-1, 1) drawn from SplitMix64 seeded with the n-gram's XXH64, normalised.
    public static func randomVector(_ word: String, dim: Int) -> [Float] {
        let s = Array(("<" + word + ">").unicodeScalars)
        var v = [Float](repeating: 0, count: dim)
        for n in 3...6 where s.count >= n {
            for i in 0...(s.count - n) {
                var rng = SplitMix64(seed: XXH64.hash(String(String.UnicodeScalarView(s[i..<(i + n)])), seed: gramSeed))
                for k in 0..<dim { v[k] += rng.nextUnitFloat() * 2 - 1 }
            }
        }
        if s.count < 3 {
            var rng = SplitMix64(seed: XXH64.hash(word, seed: gramSeed))
            for k in 0..<dim { v[k] = rng.nextUnitFloat() * 2 - 1 }
        }
        v.withUnsafeMutableBufferPointer { _ = Kernels.normalize($0.baseAddress!, dim) }
        return v
    }

    /// Builds the `oov-index` section (docs/format.md): sorted 32-bit trigram hashes, byte offsets, and for each
    /// trigram its ascending rows as LEB128 deltas (about 1.3 bytes per posting instead of 4).
    static func buildIndex(count: Int, key: (Int) -> String) -> [UInt8] {
        var postings: [UInt32: [UInt32]] = [:]
        for r in 0..<count {
            for h in Set(trigramHashes(key(r))) { postings[h, default: []].append(UInt32(r)) }
        }
        let grams = postings.keys.sorted()
        var lists: [UInt8] = []
        var offsets: [UInt32] = [0]
        for g in grams {
            var previous: Int64 = -1
            for r in postings[g]! {
                var delta = UInt64(Int64(r) - previous)
                previous = Int64(r)
                while delta >= 0x80 {
                    lists.append(UInt8(delta & 0x7F) | 0x80)
                    delta >>= 7
                }
                lists.append(UInt8(delta))
            }
            offsets.append(UInt32(lists.count))
        }
        var out: [UInt8] = []
        out.appendLE(UInt64(grams.count))
        for g in grams { out.appendLE(g) }
        for o in offsets { out.appendLE(o) }
        out += lists
        return out
    }
}

/// A mapped `oov-index` section.
struct OOVIndexView {
    let grams: UnsafePointer<UInt32>
    let offsets: UnsafePointer<UInt32>
    let lists: UnsafePointer<UInt8>
    let listBytes: Int
    let gramCount: Int
    let rowCount: Int

    init?(_ base: UnsafeRawPointer, length: Int, fileRows: Int) {
        guard length >= 12 else { return nil }
        let g = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard g < UInt64(length / 8), 8 + 8 * Int(g) + 4 <= length else { return nil }
        gramCount = Int(g)
        grams = (base + 8).assumingMemoryBound(to: UInt32.self)
        offsets = (base + 8 + 4 * gramCount).assumingMemoryBound(to: UInt32.self)
        listBytes = length - (12 + 8 * gramCount)
        guard Int(offsets[gramCount]) == listBytes else { return nil }
        lists = (base + 12 + 8 * gramCount).assumingMemoryBound(to: UInt8.self)
        rowCount = fileRows
    }

    /// Calls `body` with each row of the posting list of trigram hash `h`. Corrupt lists stop early, never
    /// read past the section, and never yield a row outside the file.
    func forEachRow(ofTrigram h: UInt32, _ body: (Int) -> Void) {
        var lo = 0, hi = gramCount
        while lo < hi {
            let mid = (lo + hi) >> 1
            if grams[mid] < h { lo = mid + 1 } else { hi = mid }
        }
        guard lo < gramCount, grams[lo] == h else { return }
        var i = Int(offsets[lo])
        let end = min(Int(offsets[lo + 1]), listBytes)
        var row: Int64 = -1
        while i < end {
            var delta: UInt64 = 0, shift: UInt64 = 0
            while i < end && shift < 35 {
                let b = lists[i]
                i += 1
                delta |= UInt64(b & 0x7F) << shift
                shift += 7
                if b & 0x80 == 0 { break }
            }
            row += Int64(delta)
            guard delta > 0, row < Int64(rowCount) else { return }
            body(Int(row))
        }
    }

    /// Rows sharing the most trigrams with any of `words` (ties: most frequent first), at most `k`.
    func best(_ words: [String], k: Int) -> [Int] {
        var hashes = Set<UInt32>()
        for w in words { hashes.formUnion(OOV.trigramHashes(w)) }
        var counts: [Int32: Int] = [:]
        for h in hashes { forEachRow(ofTrigram: h) { counts[Int32($0), default: 0] += 1 } }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k).map { Int($0.key) }
    }
}
