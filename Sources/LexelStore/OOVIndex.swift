import LexelKernels
import LexelText

/// Out-of-vocabulary vectors for files without subword rows, after Magnitude's idea (docs/oov.md): a
/// deterministic pseudo-random unit vector from the word's character n-grams, blended 0.3 / 0.7 with the mean
/// of the three in-vocabulary words that share the most character trigrams with it.
public enum OOV {
    public static let randomWeight: Float = 0.3
    public static let neighbours = 3
    static let gramSeed: UInt64 = 0x4C45_5845_4C4F_4F56

    /// Character trigrams of `<word>` (Unicode scalars, lower-cased), hashed with XXH64.
    static func trigramHashes(_ word: String) -> [UInt64] {
        let s = Array(("<" + word.lowercased() + ">").unicodeScalars)
        guard s.count >= 3 else { return [] }
        var out: [UInt64] = []
        for i in 0...(s.count - 3) {
            out.append(XXH64.hash(String(String.UnicodeScalarView(s[i..<(i + 3)])), seed: gramSeed))
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

    /// Builds the `oov-index` section: sorted trigram hashes, posting offsets, and ascending row lists.
    static func buildIndex(count: Int, key: (Int) -> String) -> [UInt8] {
        var postings: [UInt64: [UInt32]] = [:]
        for r in 0..<count {
            for h in Set(trigramHashes(key(r))) { postings[h, default: []].append(UInt32(r)) }
        }
        let grams = postings.keys.sorted()
        var out: [UInt8] = []
        out.appendLE(UInt64(grams.count))
        for g in grams { out.appendLE(g) }
        var offset: UInt64 = 0
        for g in grams {
            out.appendLE(offset)
            offset += UInt64(postings[g]!.count)
        }
        out.appendLE(offset)
        for g in grams { for r in postings[g]! { out.appendLE(r) } }
        return out
    }
}

/// A mapped `oov-index` section.
struct OOVIndexView {
    let grams: UnsafePointer<UInt64>
    let offsets: UnsafePointer<UInt64>
    let rows: UnsafePointer<UInt32>
    let gramCount: Int
    let rowCount: Int

    init?(_ base: UnsafeRawPointer, length: Int, fileRows: Int) {
        guard length >= 16 else { return nil }
        let g = Int(UInt64(littleEndian: base.loadUnaligned(as: UInt64.self)))
        guard g >= 0, g < length / 16, 8 + 16 * g + 8 <= length else { return nil }
        grams = (base + 8).assumingMemoryBound(to: UInt64.self)
        offsets = (base + 8 + 8 * g).assumingMemoryBound(to: UInt64.self)
        let total = Int(offsets[g])
        guard total >= 0, 8 + 16 * g + 8 + 4 * total == length else { return nil }
        rows = (base + 16 + 16 * g).assumingMemoryBound(to: UInt32.self)
        gramCount = g
        rowCount = fileRows
    }

    /// Rows sharing the most trigrams with any of `words` (ties: most frequent first), at most `k`.
    func best(_ words: [String], k: Int) -> [Int] {
        var hashes = Set<UInt64>()
        for w in words { hashes.formUnion(OOV.trigramHashes(w)) }
        var counts: [Int32: Int] = [:]
        for h in hashes {
            var lo = 0, hi = gramCount
            while lo < hi {
                let mid = (lo + hi) >> 1
                if grams[mid] < h { lo = mid + 1 } else { hi = mid }
            }
            guard lo < gramCount, grams[lo] == h else { continue }
            let (a, b) = (Int(offsets[lo]), Int(offsets[lo + 1]))
            guard a <= b else { continue }
            for i in a..<b where Int(rows[i]) < rowCount { counts[Int32(rows[i]), default: 0] += 1 }
        }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k).map { Int($0.key) }
    }
}
