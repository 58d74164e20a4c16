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
    public func tfidf(_ tokens: UnsafeBufferPointer<UInt32>, options: TFIDFOptions = TFIDFOptions(),
                      into out: inout SparseVector) {
        out.indices.removeAll(keepingCapacity: true)
        out.values.removeAll(keepingCapacity: true)
        let m = Ngrams.count(tokens: tokens.count, minN: minN, maxN: maxN)
        guard m > 0 else { return }
        // all hashes first, then the lookups with prefetch, then a sort of the found keys by index
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 3 * m) { buffer in
            let hashes = buffer.baseAddress!, found = hashes + m, temp = found + m
            let written = Ngrams.hashes(of: tokens, minN: minN, maxN: maxN, into: hashes)
            let k = table.lookup(hashes, written, found: found)
            let sorted = KeySort.sort(found, k, indexBits: indexBits, temp: temp)
            out.indices.reserveCapacity(k)
            out.values.reserveCapacity(k)
            // run-length count: equal keys are equal indices (with equal IDF bits)
            var r = 0
            var norm2: Float = 0
            while r < k {
                let key = sorted[r]
                var c = 1
                r += 1
                while r < k && sorted[r] == key { r += 1; c += 1 }
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
