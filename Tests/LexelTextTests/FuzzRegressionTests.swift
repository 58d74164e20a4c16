import XCTest
import LexelCore
@testable import LexelText

/// Tokenizer settings from model files that the FuzzLexicalModel and FuzzLuxical targets' harness checks found
/// trapping (docs/fuzzing.md): they are now refused when the tokenizer is made.
final class TextFuzzRegressionTests: XCTestCase {
    let tokens = ["[PAD]", "[UNK]", "the", "cat", "##s"]

    /// `encode` allocates a word buffer of 4 x maxCharsPerWord + 64 bytes: a maximum below -16 trapped (negative
    /// capacity), one near Int.max / 4 overflowed, and a large one allocated that much for every document.
    func testMaxCharsPerWordOutOfRangeIsAnError() throws {
        for bad in [-99, -1, 1 << 16 + 1, 1_000_000_000_000_000, Int.max] {
            XCTAssertThrowsError(try BertTokenizer(vocabulary: tokens, maxCharsPerWord: bad), "\(bad)") { e in
                XCTAssert(e is LexelError && "\(e)".contains("maximum characters per word \(bad) is outside 0...65536"), "\(e)")
            }
        }
        for good in [0, 1, 100, 1 << 16] {
            let t = try BertTokenizer(vocabulary: tokens, maxCharsPerWord: good)
            XCTAssertEqual(t.encode("the cats").count, good >= 4 ? 3 : 2, "\(good)")
        }
    }

    /// `WordPieceTable` addresses token bytes with 23 bits and trapped (a precondition) past 8 MiB of them: a
    /// Luxical tokenizer JSON whose only large id was 2^24 - 1 made 16M empty tokens. Vocabularies are now
    /// bounded by their token count (2^20) and their bytes (8 MiB - 1, with one separator per token).
    func testVocabularyTooLargeIsAnError() throws {
        let many = tokens + [String](repeating: "", count: BertTokenizer.maxVocabularySize + 1 - tokens.count)
        XCTAssertThrowsError(try BertTokenizer(vocabulary: many)) { e in
            XCTAssert(e is LexelError && "\(e)".contains("WordPiece vocabulary too large: 1048577 tokens (at most 1048576)"), "\(e)")
        }
        XCTAssertEqual(try BertTokenizer(vocabulary: Array(many.dropLast())).encode("the cats"), [2, 3, 4])
        // 24 bytes of short tokens and separators, then long ones up to 8 MiB - 1 in all.
        var long = tokens + [String](repeating: String(repeating: "x", count: 999_999), count: 8)  // 8,000,024 bytes
        long.append(String(repeating: "y", count: BertTokenizer.maxVocabularyBytes - 8_000_024 - 1))
        XCTAssertEqual(try BertTokenizer(vocabulary: long).encode("the cats"), [2, 3, 4])
        long[long.count - 1] += "y"
        XCTAssertThrowsError(try BertTokenizer(vocabulary: long)) { e in
            XCTAssert(e is LexelError && "\(e)".contains("WordPiece vocabulary too large: 14 tokens of 8388608 bytes in all "
                                                        + "(with one separator each; at most 8388607)"), "\(e)")
        }
    }
}
