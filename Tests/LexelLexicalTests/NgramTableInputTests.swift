import XCTest
import LexelCore
import LexelTestSupport
@testable import LexelLexical

/// N-gram tables whose counts made the collection IDF undefined: a sum beyond Int64 (a trap) or all zeros (-inf).
final class NgramTableInputTests: XCTestCase {
    let header = "# lexel-ngrams v1 minn=1 maxn=5 documents=4 total=10 tokenizer=bert-base-uncased\n"

    func testCountsAddingUpPastInt64AreAnError() throws {
        let big = Int64.max
        let path = tempFile(header + "0000000000000001\t\(big)\t1\tx\n0000000000000002\t1\t1\ty\n", "big.tsv")
        XCTAssertThrowsError(try NgramTable.read(path: path)) { e in
            let e = e as! LexelError
            XCTAssertEqual(e.file, path)
            XCTAssertEqual(e.offset, Int64(self.header.utf8.count + 24 + 17 + 16 + 1), "at line 3's count")
            XCTAssert(e.message.contains("line 3: the counts so far add up to more than 2^63 - 1"), e.message)
        }
        // Built in memory, the same counts are refused when the vocabulary is made.
        let t = NgramTable(minN: 1, maxN: 5, documents: 4, total: 10, hashes: [1, 2], counts: [big, 1],
                           documentFrequencies: [1, 1], texts: ["x", "y"])
        XCTAssertThrowsError(try t.vocabulary(idf: .collection)) { XCTAssert("\($0)".contains("2^63 - 1"), "\($0)") }
        XCTAssertNoThrow(try t.vocabulary(idf: .document))
    }

    func testAllZeroCountsLeaveOnlyDocumentIDF() throws {
        let t = try NgramTable.read(path: tempFile(header + "0000000000000001\t0\t1\tx\n0000000000000002\t0\t2\ty\n", "zero.tsv"))
        XCTAssertThrowsError(try t.vocabulary(idf: .collection)) {
            XCTAssertEqual("\($0)", "n-gram table: the counts are all 0: collection IDF (ln(total) - ln(count)) is undefined; use document IDF")
        }
        let d = try t.vocabulary(idf: .document)
        XCTAssert(d.idf.allSatisfy(\.isFinite))
    }
}
