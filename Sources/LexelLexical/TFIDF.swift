#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore

/// A vocabulary of n-grams (by hash) with their inverse document frequencies: the feature space of the
/// lexical-dense embedder. Lookups go through an open-addressing table of (hash, index, IDF) slots sized to
/// twice the vocabulary (`NgramSlots`).
public struct NgramVocabulary: Sendable {
    public let minN: Int
    public let maxN: Int
    /// IDF of feature `i`.
    public let idf: [Float]
    /// Hash of feature `i`'s n-gram.
    public let hashes: [UInt64]
    let table: NgramSlots
    /// The unigram keys of token ids read from an array, not hashed (`withDirectUnigrams(tokens:)`), or nil.
    var unigrams: UnigramKeys?
    /// Bits of the largest feature index (for the radix sort).
    let indexBits: Int

    /// Features from n-gram hashes: feature `i` is `hashes[i]`, weighted by `idf[i]`.
    public init(hashes: [UInt64], idf: [Float], minN: Int = 1, maxN: Int) throws {
        guard hashes.count == idf.count else {
            throw LexelError("n-gram vocabulary: \(hashes.count) hashes but \(idf.count) IDF values")
        }
        guard minN >= 1, maxN >= minN, maxN <= 16 else { throw LexelError("n-gram range \(minN)...\(maxN) is invalid") }
        guard hashes.count < Int(UInt32.max) else { throw LexelError("n-gram vocabulary: \(hashes.count) features is too many") }
        table = NgramSlots(hashes: hashes, idf: idf)
        indexBits = UInt64.bitWidth - UInt64(max(hashes.count - 1, 1)).leadingZeroBitCount
        (self.idf, self.minN, self.maxN, self.hashes) = (idf, minN, maxN, hashes)
    }

    public var count: Int { idf.count }

    /// The feature index of an n-gram hash, or nil when the n-gram is not in the vocabulary.
    @inline(__always) public func index(of h: UInt64) -> Int? { table.find(h).map { Int($0.pointee.index) } }
}

/// How n-gram counts become weights.
public struct TFIDFOptions: Sendable {
    /// Use `1 + ln(count)` instead of the raw count.
    public var sublinearTF = false
    /// Divide each document's weights by their L2 norm.
    public var normalize = true
    public init() {}
}

/// A document's sparse TF-IDF vector: feature indices (ascending) and weights.
public struct SparseVector: Sendable, Equatable {
    public var indices: [Int32] = []
    public var values: [Float] = []
    public init() {}
}

extension NgramVocabulary {
    /// TF-IDF of one document's tokens: every n-gram in the vocabulary counted, weighted by count (or
    /// `1 + ln(count)`) times IDF, then L2-normalised. Unknown n-grams are dropped. Reuses `out`'s storage.
    /// Memory is bounded whatever the document's length: n-grams are hashed, looked up and counted in blocks of
    /// `blockStarts` start positions (24 bytes of scratch per n-gram of a block), and the blocks' counts merged.
    public func tfidf(_ tokens: UnsafeBufferPointer<UInt32>, options: TFIDFOptions = TFIDFOptions(),
                      into out: inout SparseVector) {
        out.indices.removeAll(keepingCapacity: true)
        out.values.removeAll(keepingCapacity: true)
        guard Ngrams.count(tokens: tokens.count, minN: minN, maxN: maxN) > 0 else { return }
        if tokens.count <= NgramVocabulary.blockStarts {
            countBlock(tokens, starts: 0..<tokens.count) { keys, counts in emit(keys, counts, options, &out) }
            return
        }
        var keys: [UInt64] = [], counts: [Int32] = []
        var start = 0
        while start < tokens.count {
            let end = min(tokens.count, start + NgramVocabulary.blockStarts)
            countBlock(tokens, starts: start..<end) { k, c in merge(k, c, into: &keys, &counts) }
            start = end
        }
        keys.withUnsafeBufferPointer { k in counts.withUnsafeBufferPointer { emit(k, $0, options, &out) } }
    }

    /// Start positions hashed at a time: 2^18 (at most 31 MB of scratch with 5-grams).
    static let blockStarts = 1 << 18

    /// The found keys (index << 32 | IDF bits) of the n-grams starting in `starts`, ascending, with their counts.
    func countBlock(_ tokens: UnsafeBufferPointer<UInt32>, starts: Range<Int>,
                    _ body: (UnsafeBufferPointer<UInt64>, UnsafeBufferPointer<Int32>) -> Void) {
        let m = starts.count * (maxN - minN + 1)
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * m + 1) { buffer in
            let hashes = buffer.baseAddress!, found = hashes + m, temp = found + m
            let k: Int
            if let u = unigrams {
                let (written, direct) = NgramVocabulary.hashesAndDirectKeys(of: tokens, maxN: maxN, starts: starts,
                                                                           unigrams: u, hashes: hashes, found: found)
                k = direct + table.lookup(hashes, written, found: found + direct)
            } else {
                let written = Ngrams.hashes(of: tokens, minN: minN, maxN: maxN, starts: starts, into: hashes)
                k = table.lookup(hashes, written, found: found)
            }
            let sorted = KeySort.sort(found, k, indexBits: indexBits, temp: temp)
            // run-length count in place: equal keys are equal indices (with equal IDF bits); the counts go to
            // the (no longer needed) hash buffer
            let counts = UnsafeMutableRawPointer(hashes).bindMemory(to: Int32.self, capacity: k)
            var r = 0, distinct = 0
            while r < k {
                let key = sorted[r]
                var c: Int32 = 1
                r += 1
                while r < k && sorted[r] == key { r += 1; c += 1 }
                sorted[distinct] = key
                counts[distinct] = c
                distinct += 1
            }
            body(UnsafeBufferPointer(start: sorted, count: distinct), UnsafeBufferPointer(start: counts, count: distinct))
        }
    }

    /// Merges ascending (key, count) runs into the ascending accumulators.
    func merge(_ k: UnsafeBufferPointer<UInt64>, _ c: UnsafeBufferPointer<Int32>, into keys: inout [UInt64],
               _ counts: inout [Int32]) {
        var nk: [UInt64] = [], nc: [Int32] = []
        nk.reserveCapacity(keys.count + k.count)
        nc.reserveCapacity(keys.count + k.count)
        var i = 0, j = 0
        while i < keys.count || j < k.count {
            if j == k.count || (i < keys.count && keys[i] < k[j]) {
                nk.append(keys[i]); nc.append(counts[i]); i += 1
            } else if i == keys.count || k[j] < keys[i] {
                nk.append(k[j]); nc.append(c[j]); j += 1
            } else {
                nk.append(keys[i]); nc.append(counts[i] &+ c[j]); i += 1; j += 1
            }
        }
        (keys, counts) = (nk, nc)
    }

    /// Weights from ascending distinct keys and their counts, L2-normalised when asked.
    func emit(_ keys: UnsafeBufferPointer<UInt64>, _ counts: UnsafeBufferPointer<Int32>, _ options: TFIDFOptions,
              _ out: inout SparseVector) {
        out.indices.reserveCapacity(keys.count)
        out.values.reserveCapacity(keys.count)
        var norm2: Float = 0
        for r in 0..<keys.count {
            let key = keys[r], c = counts[r]
            let tf = options.sublinearTF ? 1 + Float(log(Double(c))) : Float(c)
            let v = tf * Float(bitPattern: UInt32(truncatingIfNeeded: key))
            out.indices.append(Int32(truncatingIfNeeded: key >> 32))
            out.values.append(v)
            norm2 += v * v
        }
        if options.normalize && norm2 > 0 {
            let s = 1 / norm2.squareRoot()
            out.values.withUnsafeMutableBufferPointer { for k in $0.indices { $0[k] *= s } }
        }
    }

    /// IDF values from collection counts, as Luxical computes them: `ln(total) - ln(count)` with `total` the
    /// sum of the kept n-grams' counts.
    public static func collectionIDF(counts: [Int64]) -> [Float] {
        let total = log(Double(counts.reduce(0, +)))
        return counts.map { Float(total - log(Double(max($0, 1)))) }
    }

    /// IDF values from document frequencies: `ln((1 + documents) / (1 + df)) + 1` (smoothed, as scikit-learn).
    /// The `1 +` is done in Double (exactly the same below 2^53), so that counts up to `Int64.max` from an
    /// n-gram table cannot overflow.
    public static func documentIDF(documentFrequencies df: [Int64], documents: Int64) -> [Float] {
        df.map { Float(log((1 + Double(documents)) / (1 + Double($0))) + 1) }
    }
}
