import XCTest
import LexelCore
import LexelKernels
@testable import LexelLexical

/// Reading unigrams from the direct table (`NgramVocabulary.withDirectUnigrams`) must give exactly the features the
/// hash lookup gives: same indices, same bits, for ids inside and past the table, unigrams that are and are not
/// features, and n-gram ranges 1...1 to 1...5.
final class UnigramKeysTests: XCTestCase {
    func testDirectUnigramsGiveTheHashLookupsFeaturesBitForBit() throws {
        var rng = SplitMix64(seed: 7)
        for maxN in 1...5 {
            // features: most unigrams of ids 0..<300 (some left out, and some of ids 300..<400 past the table), and
            // the n-grams of a random text
            var hashes: [UInt64] = []
            for id in 0..<400 where rng.next() % 5 != 0 { hashes.append(Ngrams.hash([UInt32(id)], maxN: maxN)) }
            let text = (0..<3000).map { _ in UInt32(rng.next() % 420) }
            for n in 2...max(2, maxN) where n <= maxN {
                for i in stride(from: 0, to: text.count - n, by: 3) { hashes.append(Ngrams.hash(text[i..<(i + n)], maxN: maxN)) }
            }
            let idf = hashes.indices.map { _ in rng.nextUnitFloat() * 5 }
            let plain = try NgramVocabulary(hashes: hashes, idf: idf, minN: 1, maxN: maxN)
            let direct = plain.withDirectUnigrams(tokens: 300)
            XCTAssertNotNil(direct.unigrams)
            for options in [TFIDFOptions(), { var o = TFIDFOptions(); o.sublinearTF = true; o.normalize = false; return o }()] {
                for (start, length) in [(0, 0), (5, 1), (9, 2), (0, 40), (100, 2900)] {
                    let doc = Array(text[start..<(start + length)])
                    var a = SparseVector(), b = SparseVector()
                    doc.withUnsafeBufferPointer { plain.tfidf($0, options: options, into: &a) }
                    doc.withUnsafeBufferPointer { direct.tfidf($0, options: options, into: &b) }
                    XCTAssertEqual(a.indices, b.indices, "maxN \(maxN), \(length) tokens")
                    XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), "maxN \(maxN), \(length) tokens")
                    if length > 100 { XCTAssertGreaterThan(a.indices.count, 100) }
                }
            }
        }
    }

    func testVocabulariesWithoutUnigramsKeepTheHashLookup() throws {
        let v = try NgramVocabulary(hashes: [Ngrams.hash([1, 2] as [UInt32], maxN: 2)], idf: [1], minN: 2, maxN: 2)
        XCTAssertNil(v.withDirectUnigrams(tokens: 100).unigrams)
    }
}

/// The first layer's row sum (`InputRows.accumulate`, rows prefetched ahead) against the rows added one by one.
final class InputRowsSumTests: XCTestCase {
    func testRowSumEqualsRowByRowBitForBitAndSkipsRowsPastTheEnd() {
        var rng = SplitMix64(seed: 11)
        let (count, dim) = (40, 24)
        let values = (0..<(count * dim)).map { _ in rng.nextUnitFloat() * 2 - 1 }
        for dtype in [RowType.f32, .f16, .int8] {
            let rows = values.withUnsafeBufferPointer { InputRows($0.baseAddress!, count: count, dim: dim, dtype: dtype) }
            for n in [0, 3, 4, 11, 33] {
                var x = SparseVector()
                x.indices = (0..<n).map { Int32($0 % 7 == 5 ? count + $0 : Int(rng.next() % UInt64(count))) }  // some past the end
                x.values = (0..<n).map { _ in rng.nextUnitFloat() * 3 }
                var got = [Float](repeating: 0.5, count: dim), want = got
                got.withUnsafeMutableBufferPointer { rows.accumulate(x, into: $0.baseAddress!) }
                want.withUnsafeMutableBufferPointer { h in
                    for (i, v) in zip(x.indices, x.values) where Int(i) < count { rows.accumulate(row: Int(i), weight: v, into: h.baseAddress!) }
                }
                XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "\(dtype), \(n) nonzeros")
            }
        }
    }
}
