import LexelKernels

/// Subsampling of frequent words. `keep` probabilities are stored as 32-bit thresholds.
public struct Subsampler: Sendable {
    /// Which formula gives the keep probability of a word with relative frequency f.
    public enum Formula: String, Sendable, CaseIterable {
        /// min(1, sqrt(t/f) + t/f): the formula of fastText's and word2vec's code (the default).
        case fastText = "fasttext"
        /// min(1, sqrt(t/f)): the formula of the word2vec paper (discard probability 1 - sqrt(t/f)).
        case paper
    }

    @usableFromInline let thresholds: FlatArray<UInt32>

    public init(counts: [Int64], totalTokens: Int64, t: Double, formula: Formula = .fastText) {
        thresholds = FlatArray(counts.map { c in
            guard t > 0, totalTokens > 0, c > 0 else { return UInt32.max }
            let f = Double(c) / Double(totalTokens)
            let r = (t / f).squareRoot()
            let p = formula == .fastText ? r + t / f : r
            return p >= 1 ? UInt32.max : UInt32(p * 4_294_967_295.0)
        })
    }

    /// Keep probability of word `id`.
    public func keepProbability(_ id: Int) -> Double { Double(thresholds[id]) / 4_294_967_295.0 }

    /// Draws whether to keep one occurrence of word `id`.
    @inlinable
    public func keep(_ id: Int32, _ rng: inout SplitMix64) -> Bool {
        Self.keep(thresholds.base[Int(id)], &rng)
    }

    /// Keep thresholds by word id (valid while this sampler lives), for hot loops.
    public var thresholdPointer: UnsafeMutablePointer<UInt32> { thresholds.base }

    /// Draws against one keep threshold.
    @inlinable @inline(__always)
    public static func keep(_ threshold: UInt32, _ rng: inout SplitMix64) -> Bool {
        threshold == UInt32.max || UInt32(truncatingIfNeeded: rng.next() >> 32) < threshold
    }

}

/// Draws negative words with probability proportional to count^power (0.75 as in word2vec) in O(1) by
/// Walker's alias method: two arrays of vocabulary size instead of a 10^7-10^8 entry table.
public final class NegativeSampler: @unchecked Sendable {
    public let count: Int
    let probability: UnsafeMutablePointer<UInt32>
    let alias: UnsafeMutablePointer<Int32>

    public init(counts: [Int64], power: Double = 0.75) {
        count = counts.count
        precondition(count > 0)
        probability = .allocate(capacity: count)
        alias = .allocate(capacity: count)
        let weights = counts.map { Double(max($0, 0)).pow(power) }
        let total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(count) / total }
        var small: [Int] = [], large: [Int] = []
        for (i, p) in scaled.enumerated() { if p < 1 { small.append(i) } else { large.append(i) } }
        for i in 0..<count { alias[i] = Int32(i); probability[i] = UInt32.max }
        while let s = small.popLast(), let l = large.last {
            probability[s] = UInt32(min(scaled[s], 1) * 4_294_967_295.0)
            alias[s] = Int32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
    }

    deinit {
        probability.deallocate()
        alias.deallocate()
    }

    /// One draw.
    @inlinable
    public func sample(_ rng: inout SplitMix64) -> Int32 {
        let r = rng.next()
        let i = Int(((r >> 32) &* UInt64(count)) >> 32)
        return UInt32(truncatingIfNeeded: r) <= probabilityBase[i] ? Int32(i) : aliasBase[i]
    }

    @usableFromInline var probabilityBase: UnsafeMutablePointer<UInt32> { probability }
    @usableFromInline var aliasBase: UnsafeMutablePointer<Int32> { alias }
}

extension Double {
    @usableFromInline func pow(_ e: Double) -> Double { e == 0.5 ? squareRoot() : _pow(self, e) }
}

#if canImport(Glibc)
import Glibc
@usableFromInline func _pow(_ a: Double, _ b: Double) -> Double { Glibc.pow(a, b) }
#else
import Darwin
@usableFromInline func _pow(_ a: Double, _ b: Double) -> Double { Darwin.pow(a, b) }
#endif
