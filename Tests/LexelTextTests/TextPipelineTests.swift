import XCTest
import LexelIO
import LexelCore
@testable import LexelText
import LexelKernels
import LexelTestSupport

let fixtures = fixturesFolder()

final class TextPipelineTests: XCTestCase {

    func testTokenizerUsesFastTextSeparators() {
        let s = Array("a\tb\u{0B}c\u{0C}d\re  f\u{0}g".utf8)
        var toks: [String] = []
        s.withUnsafeBufferPointer { forEachToken(in: $0) { t, _ in toks.append(String(decoding: t, as: UTF8.self)) } }
        XCTAssertEqual(toks, ["a", "b", "c", "d", "e", "f", "g"])
    }

    func testVocabularyCountsOrderAndEndOfLine() throws {
        let v = try Vocabulary.count(path: tempFile("b a b\nc b a\n"), minCount: 1)
        XCTAssertEqual(v.words, ["b", "a", "</s>", "c"])
        XCTAssertEqual(v.counts, [3, 2, 2, 1])
        XCTAssertEqual(v.totalTokens, 8)
        XCTAssertEqual(v.id(of: "c"), 3)
        XCTAssertNil(v.id(of: "zz"))
        let v2 = try Vocabulary.count(path: tempFile("b a b\nc b a\n"), minCount: 2)
        XCTAssertEqual(v2.words, ["b", "a", "</s>"])
        XCTAssertEqual(v2.totalTokens, 8, "tokens below minCount still count")
    }

    func testPruningDropsRareWordsAndKeepsFrequentOnes() {
        var b = VocabularyBuilder(maxSize: 8)
        for i in 0..<100 {
            b.add("common")
            b.add("rare\(i)")
        }
        XCTAssert(b.distinctCount <= 8)
        XCTAssert(b.pruneThreshold > 1)
        let v = b.build(minCount: 1)
        XCTAssertEqual(v.word(0), "common")
        XCTAssertEqual(v.counts[0], 100)
        XCTAssertEqual(b.totalTokens, 200)
    }

    func testEmptyAndInvalidCorporaGiveClearErrors() {
        XCTAssertThrowsError(try Vocabulary.count(path: tempFile(""), minCount: 1)) { e in
            XCTAssert("\(e)".contains("no words"), "\(e)")
        }
        XCTAssertThrowsError(try Vocabulary.count(path: tempFile(" \n\n \n"), minCount: 1))
        XCTAssertThrowsError(try Vocabulary.count(path: tempFile([0x61, 0x20, 0x62, 0xFF, 0x0A]), minCount: 1)) { e in
            XCTAssertEqual((e as? LexelError)?.offset, 3, "\(e)")
            XCTAssert("\(e)".contains("invalid UTF-8"))
        }
        XCTAssertThrowsError(try Vocabulary.count(path: "/nonexistent/lexel", minCount: 1)) { e in
            XCTAssert("\(e)".contains("/nonexistent/lexel"))
        }
        XCTAssertThrowsError(try Vocabulary.count(path: NSTemporaryDirectory(), minCount: 1)) { e in
            XCTAssert("\(e)".contains("directory"), "\(e)")
        }
        XCTAssertThrowsError(try Vocabulary.count(path: tempFile("a b c\n"), minCount: 5)) { e in
            XCTAssert("\(e)".contains("minCount"), "\(e)")
        }
    }

}
