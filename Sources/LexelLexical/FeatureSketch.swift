#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore
import LexelKernels

/// Exact-match dimensions appended to a static model's output: a signed count sketch (feature hashing) of the
/// document's sublinear TF-IDF. Feature `r` adds `sign(r) * idf[r] * (1 + ln count)` to bucket `bucket(r)` of
/// `dims` buckets; the sketch is L2-normalised and the output is
/// `[sqrt(1 - weight) * unit(trained rows' sum), sqrt(weight) * unit(sketch)]`, so the cosine of two documents is
/// `(1 - weight) * cos(trained) + weight * cos(sketch)` (with `shortWeight`, `weight` grows for short texts:
/// `weight(tokens:)`); when one block is zero (no features, or sketch entries
/// that cancel) the other keeps unit length, so the output is always a unit vector or zero. The features must be
/// raw counts (`LexicalModel` checks: no IDF, no sublinear tf, no normalisation). Names, numbers and rare words that a 384-d trained row
/// blurs keep their own (hashed) coordinates: what TF-IDF is good at, at a fixed width. Bucket and sign of row `r`
/// come from a fixed mix of `r` (the same in every build and on every CPU). Nothing is stored per row but the IDF.
public struct FeatureSketch: Sendable {
    /// Buckets (extra output dimensions).
    public let dims: Int
    /// Share of the squared norm (and of every cosine) that the sketch gets, in (0, 1), for long texts.
    public let weight: Float
    /// What short texts add to `weight`: a text of `n` sketched tokens gives the sketch
    /// `weight + shortWeight * exp(-n / shortLength)` (`weight(tokens:)`). 0: the same weight for every text.
    /// A short text's trained rows average few tokens and say less, while its exact words (a title's names, a
    /// review's adjectives) say as much as a long text's.
    public let shortWeight: Float
    /// The length (in sketched tokens) over which the short-text boost decays by a factor e.
    public let shortLength: Float
    /// IDF of each feature (row), the sketch's per-feature weight.
    public let idf: [Float]

    /// A sketch of `dims` buckets taking `weight` of every cosine (plus `shortWeight * exp(-n / shortLength)` for
    /// a text of `n` tokens), with one IDF per feature; errors name the bad value.
    public init(dims: Int, weight: Float, idf: [Float], shortWeight: Float = 0, shortLength: Float = 20) throws {
        guard dims >= 1, dims <= 1 << 16 else { throw LexelError("sketch: \(dims) dimensions (1 to 65,536)") }
        guard weight > 0, weight < 1 else { throw LexelError("sketch: weight \(weight) (must be between 0 and 1, exclusive)") }
        guard shortWeight >= 0, weight + shortWeight < 1 else {
            throw LexelError("sketch: short-text weight \(shortWeight) (must be >= 0, and below 1 - weight = \(1 - weight))")
        }
        guard shortLength > 0, shortLength.isFinite else { throw LexelError("sketch: short-text length \(shortLength) (must be > 0)") }
        if let i = idf.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw LexelError("sketch: the IDF of feature \(i) is \(idf[i]) (must be finite and >= 0)")
        }
        (self.dims, self.weight, self.idf, self.shortWeight, self.shortLength) = (dims, weight, idf, shortWeight, shortLength)
    }

    /// The sketch's share of the cosine for a text of `n` sketched tokens.
    @inline(__always)
    public func weight(tokens n: Float) -> Float { shortWeight == 0 ? weight : weight + shortWeight * expf(-n / shortLength) }

    /// The smoothed document IDF (`NgramVocabulary.documentIDF`) of each of `features` rows, from the documents'
    /// sparse features (a feature counts once per document).
    public static func idf(features count: Int, documents: [SparseVector]) -> [Float] {
        var df = [Int64](repeating: 0, count: count)
        for x in documents { for i in x.indices where Int(i) < count { df[Int(i)] += 1 } }
        return NgramVocabulary.documentIDF(documentFrequencies: df, documents: Int64(documents.count))
    }

    /// Bucket (low bits) and sign of row `r`.
    @inline(__always)
    static func slot(_ r: Int, dims: Int) -> (bucket: Int, negative: Bool) {
        var z = UInt64(truncatingIfNeeded: r) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return (Int(((z >> 32) &* UInt64(dims)) >> 32), z & 1 == 1)
    }

    /// Writes the unit-length sketch of `x` (raw feature counts) into `h[0..<dims]` (zeros when it is empty or its
    /// entries cancel) and returns its norm before normalising and the number of tokens sketched.
    @inline(__always)
    func write(_ x: SparseVector, into h: UnsafeMutablePointer<Float>) -> (norm: Float, tokens: Float) {
        Kernels.zero(h, dims)
        var tokens: Float = 0
        for (i, c) in zip(x.indices, x.values) where Int(i) < idf.count && c > 0 && idf[Int(i)] != 0 {  // IDF 0: not sketched
            let (b, negative) = FeatureSketch.slot(Int(i), dims: dims)
            let v = idf[Int(i)] * (1 + logf(c))
            h[b] += negative ? -v : v
            tokens += c
        }
        return (Kernels.normalize(h, dims), tokens)
    }
}
