import Foundation
import LexelText

/// A vocabulary of n-grams (by hash) with their inverse document frequencies: the feature space of the
/// lexical-dense embedder. Lookups go through an open-addressing table sized to twice the vocabulary.
public struct NgramVocabulary: Sendable {
    public let minN: Int
    public let maxN: Int
    /// IDF of feature `i`.
    public let idf: [Float]
    /// Hash of feature `i`'s n-gram.
    public let hashes: [UInt64]
    private let keys: [UInt64]
    private let values: [UInt32]
    private let mask: Int

    /// Features from n-gram hashes: feature `i` is `hashes[i]`, weighted by `idf[i]`.
    public init(hashes: [UInt64], idf: [Float], minN: Int = 1, maxN: Int) throws {
        guard hashes.count == idf.count else {
            throw LexelError("n-gram vocabulary: \(hashes.count) hashes but \(idf.count) IDF values")
        }
        guard minN >= 1, maxN >= minN, maxN <= 16 else { throw LexelError("n-gram range \(minN)...\(maxN) is invalid") }
        var slots = 16
        while slots < hashes.count * 2 { slots <<= 1 }
        var keys = [UInt64](repeating: 0, count: slots), values = [UInt32](repeating: UInt32.max, count: slots)
        for (i, h) in hashes.enumerated() {
            var s = NgramVocabulary.slot(h, slots - 1)
            while values[s] != UInt32.max && keys[s] != h { s = (s + 1) & (slots - 1) }
            if values[s] == UInt32.max { (keys[s], values[s]) = (h, UInt32(i)) }  // first index wins
        }
        (self.keys, self.values, mask, self.idf, self.minN, self.maxN) = (keys, values, slots - 1, idf, minN, maxN)
        self.hashes = hashes
    }

    public var count: Int { idf.count }

    @inline(__always) static func slot(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: h ^ (h >> 29)) & mask }

    /// The feature index of an n-gram hash, or nil when the n-gram is not in the vocabulary.
    @inline(__always) public func index(of h: UInt64) -> Int? {
        var s = NgramVocabulary.slot(h, mask)
        while true {
            let v = values[s]
            if v == UInt32.max { return nil }
            if keys[s] == h { return Int(v) }
            s = (s + 1) & mask
        }
    }
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
        Ngrams.forEach(in: tokens, minN: minN, maxN: maxN) { h, _ in
            if let i = index(of: h) { out.indices.append(Int32(i)) }
        }
        out.indices.sort()
        // run-length count in place
        var w = 0, r = 0
        let n = out.indices.count
        var norm2: Float = 0
        while r < n {
            let idx = out.indices[r]
            var c = 0
            while r < n && out.indices[r] == idx { r += 1; c += 1 }
            let tf = options.sublinearTF ? 1 + Float(log(Double(c))) : Float(c)
            let v = tf * idf[Int(idx)]
            out.indices[w] = idx
            out.values.append(v)
            norm2 += v * v
            w += 1
        }
        out.indices.removeSubrange(w...)
        if options.normalize && norm2 > 0 {
            let s = 1 / norm2.squareRoot()
            for k in out.values.indices { out.values[k] *= s }
        }
    }

    /// IDF values from collection counts, as Luxical computes them: `ln(total) - ln(count)` with `total` the
    /// sum of the kept n-grams' counts.
    public static func collectionIDF(counts: [Int64]) -> [Float] {
        let total = log(Double(counts.reduce(0, +)))
        return counts.map { Float(total - log(Double(max($0, 1)))) }
    }

    /// IDF values from document frequencies: `ln((1 + documents) / (1 + df)) + 1` (smoothed, as scikit-learn).
    public static func documentIDF(documentFrequencies df: [Int64], documents: Int64) -> [Float] {
        df.map { Float(log(Double(1 + documents) / Double(1 + $0)) + 1) }
    }
}
