import XCTest
import LexelTestSupport
import LexelCore
import LexelVectors

/// Lexel reads a `.bin` written by the real fastText package (tools/make_fasttext_bin_fixture.py) and gives the
/// same vectors as its `get_word_vector`, for words in and out of the vocabulary.
final class FastTextReaderTests: XCTestCase {
    let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    func testVectorsMatchFastTextGetWordVector() throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("tiny-fasttext.json"))) as! [String: Any]
        let golden = json["vectors"] as! [String: [Double]]
        let v = try WordVectors.load(path: dir.appendingPathComponent("tiny-fasttext.bin").path)
        XCTAssertEqual(v.vocabulary.words, json["words"] as! [String])
        XCTAssertEqual(v.dim, json["dim"] as! Int)
        XCTAssert(golden.count >= 15)
        for (word, want) in golden {
            let got = v.vector(for: word) ?? [Float](repeating: 0, count: v.dim)
            for k in 0..<v.dim { XCTAssertEqual(Double(got[k]), want[k], accuracy: 1e-5, "\(word)[\(k)]") }
        }
    }

    func testTruncatedFastTextModelIsAnError() throws {
        let data = try Data(contentsOf: dir.appendingPathComponent("tiny-fasttext.bin"))
        let path = TestTemporaryFiles.folder("cut") + "/cut.bin"
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try WordVectors.load(path: path)) { XCTAssert("\($0)".contains("truncated"), "\($0)") }
    }
}
