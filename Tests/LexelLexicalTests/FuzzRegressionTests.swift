import XCTest
import LexelCore
import LexelTestSupport
@testable import LexelLexical

/// Inputs of the lexical fuzz targets (docs/fuzzing.md, Fuzz/Regressions/) that used to trap: n-gram tables with
/// counts near Int64.max. Each must now be read or be a LexelError naming the file.
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
}
