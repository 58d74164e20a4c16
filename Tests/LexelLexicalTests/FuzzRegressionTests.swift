import Foundation
import XCTest
import LexelContainer
import LexelCore
import LexelIO
import LexelTestSupport
import LexelText
@testable import LexelLexical

/// Inputs of the lexical fuzz targets (docs/fuzzing.md, Fuzz/Regressions/) that used to trap: n-gram tables with
/// counts near Int64.max, and lexical models (`.lxm`, Luxical `.npz`) whose tokenizer settings trapped when the
/// tokenizer was made or used. Each must now be read or be a LexelError naming the file.
final class LexicalFuzzRegressionTests: XCTestCase {
    /// Document IDF added 1 to `documents` and to each document frequency in Int64, which trapped at Int64.max
    /// (Fuzz/Regressions/FuzzNgramTable/*-int64-max.tsv).
    func testDocumentIDFOfCountsUpToInt64MaxIsFinite() throws {
        for (documents, df) in [(Int64.max, Int64(1)), (Int64(5), Int64.max), (Int64.max, Int64.max)] {
            let text = "# lexel-ngrams v1 minn=1 maxn=3 documents=\(documents) total=5 tokenizer=x\n00000000000000aa\t3\t\(df)\tcat\n"
            let t = try NgramTable.read(path: tempFile(text, "max.tsv"))
            let v = try t.vocabulary(idf: .document)
            XCTAssert(v.idf.allSatisfy(\.isFinite), "\(v.idf)")
        }
        // The values are unchanged below 2^53: ln((1 + N) / (1 + df)) + 1.
        XCTAssertEqual(NgramVocabulary.documentIDF(documentFrequencies: [0, 3, 9], documents: 9),
                       [Float(log(10.0 / 1) + 1), Float(log(10.0 / 4) + 1), 1])
    }

    /// A small model: six tokens, three n-gram features, dims 4 -> 2.
    func smallModel() throws -> LexicalModel {
        let tok = try BertTokenizer(vocabulary: ["[PAD]", "[UNK]", "the", "cat", "sat", "##s"])
        let hashes = [Ngrams.hash([UInt32(2)], maxN: 2), Ngrams.hash([UInt32(3)], maxN: 2), Ngrams.hash([UInt32(2), 3], maxN: 2)]
        let vocab = try NgramVocabulary(hashes: hashes, idf: [1, 2, 3], maxN: 2)
        return try LexicalModel(tokenizer: tok, vocabulary: vocab, network: try LexicalNetwork.random(inputDim: 3, dims: [4, 2], seed: 1))
    }

    /// `path` rewritten with `change` applied to the text of its (compressed) section `kind`, the other sections
    /// copied as they are.
    func rewriting(_ path: String, _ kind: SectionKind = .meta, _ change: (String) -> String) throws -> String {
        let c = try ContainerFile(path: path, kinds: LexicalModel.sectionKinds)
        let out = TestTemporaryFiles.folder("lxm") + "/changed.lxm"
        let w = try SectionWriter(path: out, sectionCount: c.sections.count)
        for e in c.sections {
            if e.kind == kind.rawValue {
                try w.section(kind, compressing: Array(change(String(decoding: try c.decoded(kind), as: UTF8.self)).utf8))
            } else {
                try w.copy(e, from: c.bytes(of: e))
            }
        }
        try w.commit()
        return out
    }

    /// `max-chars-per-word` below -16 in an `.lxm`'s meta trapped when the first document was embedded (a word
    /// buffer of negative size); huge values overflowed or allocated that much per document.
    func testLexicalModelWithMaxCharsPerWordOutOfRangeIsAnError() throws {
        let good = TestTemporaryFiles.folder("lxm") + "/good.lxm"
        try smallModel().write(path: good)
        XCTAssertEqual(try LexicalModel.load(path: good).embed(["the cats sat"]).first?.count, 2)
        for bad in ["-99", "1000000000000000", "9223372036854775807"] {
            let path = try rewriting(good) { $0.replacingOccurrences(of: "max-chars-per-word=100", with: "max-chars-per-word=\(bad)") }
            XCTAssertThrowsError(try LexicalModel.load(path: path), bad) { e in
                XCTAssert(e is LexelError && "\(e)".contains("\(path): WordPiece maximum characters per word \(bad) is outside 0...65536"), "\(e)")
            }
        }
    }

    /// The tokenizer section of an `.lxm` is zstd-compressed: a few KB held 64M empty lines, split into 64M
    /// strings (a 2 GB allocation), or 8M (seconds, then a trap in the WordPiece table). Its size and line count are
    /// now bounded before it is split (8 MiB - 1, 2^20 tokens), as `BertTokenizer` bounds any vocabulary.
    func testLexicalModelWithHugeTokenizerSectionIsAnError() throws {
        let good = TestTemporaryFiles.folder("lxm") + "/good.lxm"
        try smallModel().write(path: good)
        let cases = [((1 << 26) - 100, "section tokenizer-vocab: implausible size 67108791"),
                     (BertTokenizer.maxVocabularySize, "section tokenizer-vocab: 1048582 tokens (at most 1048576)")]
        for (newlines, message) in cases {
            let path = try rewriting(good, .tokenizerVocab) { $0 + String(repeating: "\n", count: newlines) }
            XCTAssertThrowsError(try LexicalModel.load(path: path), message) { e in
                XCTAssert(e is LexelError && "\(e)".contains(path) && "\(e)".contains(message), "\(e)")
            }
        }
    }

    /// The same in a Luxical tokenizer JSON (`max_input_chars_per_word`), and a vocab id of 2^24 - 1, which made
    /// 16M empty tokens and trapped in the WordPiece table (over 8 MiB of token bytes); ids are now below 2^20.
    func testLuxicalTokenizerOutOfRangeIsAnError() throws {
        let original = try LuxicalBadModelTests.NPZ(path: LuxicalBadModelTests.fixture)
        let json = String(decoding: try original.array("tokenizer").array.integers().map { UInt8($0) }, as: UTF8.self)
        XCTAssert(json.contains(#""max_input_chars_per_word":100"#))
        func withTokenizer(_ text: String) -> String {
            var npz = original
            let bytes = Array(text.utf8)
            npz.set("tokenizer", LuxicalBadModelTests.npy("|u1", [bytes.count], bytes))
            return npz.write()
        }
        for bad in ["-99", "1000000000000000"] {
            let path = withTokenizer(json.replacingOccurrences(of: #""max_input_chars_per_word":100"#, with: #""max_input_chars_per_word":\#(bad)"#))
            XCTAssertThrowsError(try LexicalModel.load(path: path), bad) { e in
                XCTAssert(e is LexelError && "\(e)".contains("\(path): WordPiece maximum characters per word \(bad) is outside 0...65536"), "\(e)")
            }
        }
        let path = withTokenizer(json.replacingOccurrences(of: #""vocab":{"#, with: #""vocab":{"[zzz]":16777215,"#))
        XCTAssertThrowsError(try LexicalModel.load(path: path)) { e in
            XCTAssert(e is LexelError && "\(e)".contains("\(path): Luxical model: `tokenizer` vocab has token ids outside 0..<1048576"), "\(e)")
        }
    }
}
