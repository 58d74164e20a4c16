import XCTest
import LexelKernels
@testable import LexelLexical

/// Documents longer than one block of n-grams are counted block by block (bounded memory) with the same result
/// as counting all their n-grams at once.
final class LongDocumentTests: XCTestCase {
    func testBlockwiseCountsEqualANaiveCount() throws {
        var rng = SplitMix64(seed: 7)
        // 2.3 blocks of tokens from a small alphabet, so that n-grams repeat across block boundaries
        let n = NgramVocabulary.blockStarts * 2 + NgramVocabulary.blockStarts / 3
        let tokens = (0..<n).map { _ in UInt32(rng.next(below: 6)) }
        var hashes: [UInt64] = []
        var seen = Set<UInt64>()
        tokens.withUnsafeBufferPointer { t in
            Ngrams.forEach(in: UnsafeBufferPointer(rebasing: t[0..<5000]), minN: 1, maxN: 3) { h, _ in
                if seen.insert(h).inserted && hashes.count < 150 { hashes.append(h) }
            }
        }
        let idf = hashes.indices.map { 1 + Float($0 % 5) / 4 }
        let vocab = try NgramVocabulary(hashes: hashes, idf: idf, maxN: 3)
        var naive = [Int: Int]()
        tokens.withUnsafeBufferPointer { t in
            Ngrams.forEach(in: t, minN: 1, maxN: 3) { h, _ in if let i = vocab.index(of: h) { naive[i, default: 0] += 1 } }
        }
        for sublinear in [false, true] {
            var o = TFIDFOptions()
            o.sublinearTF = sublinear
            var out = SparseVector()
            tokens.withUnsafeBufferPointer { vocab.tfidf($0, options: o, into: &out) }
            XCTAssertEqual(out.indices.map(Int.init), naive.keys.sorted())
            var expected = naive.keys.sorted().map { i -> Float in
                let c = Float(naive[i]!)
                return (sublinear ? 1 + Float(log(Double(c))) : c) * idf[i]
            }
            let norm = expected.map { $0 * $0 }.reduce(0, +).squareRoot()
            expected = expected.map { $0 / norm }
            for (a, b) in zip(out.values, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        }
    }
}
