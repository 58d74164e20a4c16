import Foundation
import XCTest
import LexelIO
import LexelCore
@testable import LexelText

/// The repository root, from this file's path.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

final class TokenizerTests: XCTestCase {
    static let bert = try! BertTokenizer(vocabFile: repoRoot + "/vocab/bert-base-uncased/vocab.txt")

    /// Golden ids from HF `tokenizers` (tools/make_wordpiece_fixture.py): accents, CJK, Hangul, Cyrillic, Greek,
    /// emoji, control and format characters, long words, punctuation, and real paragraphs.
    func testMatchesHuggingFaceTokenizers() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: repoRoot + "/Tests/LexelTextTests/Fixtures/wordpiece.json"))
        let cases = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        XCTAssertGreaterThan(cases.count, 40)
        for c in cases {
            let text = c["text"] as! String
            let want = (c["ids"] as! [Int]).map(Int32.init)
            let got = Self.bert.encode(text)
            if got != want {
                XCTFail("\(text.prefix(80)):\n got  \(got.map { Self.bert.vocabulary[Int($0)] })\n want \(want.map { Self.bert.vocabulary[Int($0)] })")
            }
        }
    }

    func testHandWrittenCases() {
        let t = Self.bert
        XCTAssertEqual(t.tokens("Unaffable!"), ["una", "##ffa", "##ble", "!"])
        XCTAssertEqual(t.tokens("Héllo WÖRLD"), ["hello", "world"])
        XCTAssertEqual(t.tokens("中文"), ["中", "文"])
        XCTAssertEqual(t.tokens(String(repeating: "a", count: 101)), ["[UNK]"])
        XCTAssertEqual(t.tokens(""), [])
        XCTAssertEqual(t.tokens("a\u{0}b"), ["ab"])  // NUL is removed, not a separator
    }

    func testVocabularyErrors() {
        XCTAssertThrowsError(try BertTokenizer(vocabulary: ["a", "b"]))  // no [UNK]
        XCTAssertThrowsError(try BertTokenizer(vocabFile: "/nonexistent/vocab.txt"))
    }
}
