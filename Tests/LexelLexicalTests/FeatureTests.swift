import XCTest
import LexelText
import LexelIO
import LexelCore
@testable import LexelLexical

final class FeatureTests: XCTestCase {
    /// Values from numpy: FNV-1a over `np.full(5, 0xFFFFFFFF, np.uint32)` with the ids written in front.
    func testNgramHashEqualsLuxical() {
        XCTAssertEqual(Ngrams.hash([101, 2023] as [UInt32], maxN: 5), 0xDC58_60B5_3A52_280A)
        XCTAssertEqual(Ngrams.hash([7] as [UInt32], maxN: 5), 0x3BFA_D9C8_1891_82B2)
        XCTAssertEqual(Ngrams.hash([1, 2, 3, 4, 5] as [UInt32], maxN: 5), 0x1916_CEFF_AF53_9564)
    }

    func testForEachVisitsEveryNgramWithItsHash() {
        let tokens: [UInt32] = [5, 9, 5, 9, 1]
        var seen: [(UInt64, Int)] = []
        tokens.withUnsafeBufferPointer { Ngrams.forEach(in: $0, minN: 2, maxN: 3) { seen.append(($0, $1)) } }
        var want: [(UInt64, Int)] = []
        for n in 2...3 { for i in 0...(tokens.count - n) { want.append((Ngrams.hash(tokens[i..<(i + n)], maxN: 3), n)) } }
        XCTAssertEqual(seen.map(\.0), want.map(\.0))
        XCTAssertEqual(seen.map(\.1), [2, 2, 2, 2, 3, 3, 3])
        var none = 0
        [UInt32]().withUnsafeBufferPointer { Ngrams.forEach(in: $0, maxN: 5) { _, _ in none += 1 } }
        XCTAssertEqual(none, 0)
    }

    /// A hand-computed example: tokens a b a b c with features {a, b, "a b"}, IDF 1, 2, 3.
    /// Counts: a 2, b 2, "a b" 2 -> weights 2, 4, 6; norm sqrt(56).
    func testTFIDFByHand() throws {
        let (a, b, c): (UInt32, UInt32, UInt32) = (10, 20, 30)
        let vocab = try NgramVocabulary(hashes: [Ngrams.hash([a], maxN: 2), Ngrams.hash([b], maxN: 2), Ngrams.hash([a, b], maxN: 2)],
                                        idf: [1, 2, 3], maxN: 2)
        var v = SparseVector()
        [a, b, a, b, c].withUnsafeBufferPointer { vocab.tfidf($0, into: &v) }
        XCTAssertEqual(v.indices, [0, 1, 2])
        let n = Float(56).squareRoot()
        for (got, want) in zip(v.values, [2 / n, 4 / n, 6 / n]) { XCTAssertEqual(got, want, accuracy: 1e-6) }
        var o = TFIDFOptions()
        o.sublinearTF = true
        o.normalize = false
        [a, b, a, b, c].withUnsafeBufferPointer { vocab.tfidf($0, options: o, into: &v) }
        let tf = 1 + Float(log(2.0))
        XCTAssertEqual(v.values, [tf * 1, tf * 2, tf * 3])
        [c, c].withUnsafeBufferPointer { vocab.tfidf($0, into: &v) }
        XCTAssertEqual(v, SparseVector())  // nothing known: an empty vector, no NaN
        XCTAssertThrowsError(try NgramVocabulary(hashes: [1], idf: [], maxN: 2))
    }

    func testIDFForms() {
        let cf = NgramVocabulary.collectionIDF(counts: [90, 10])
        XCTAssertEqual(cf[0], Float(log(100.0 / 90)), accuracy: 1e-6)
        XCTAssertEqual(cf[1], Float(log(100.0 / 10)), accuracy: 1e-6)
        let df = NgramVocabulary.documentIDF(documentFrequencies: [9, 0], documents: 9)
        XCTAssertEqual(df, [1, Float(log(10.0)) + 1])
    }
}
