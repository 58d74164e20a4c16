import Foundation
import XCTest
@testable import LexelIO
import LexelCore
import LexelTestSupport

let fixtures = fixturesFolder()

/// Streaming lines through a bounded buffer, plain and zstd.
final class LineReaderTests: XCTestCase {
    func lines(_ path: String, capacity: Int = 1 << 20) throws -> [(String, Bool, Int64)] {
        var out: [(String, Bool, Int64)] = []
        try LineReader(path: path, capacity: capacity).forEachLine { l, ends, off in
            out.append((String(decoding: l, as: UTF8.self), ends, off))
        }
        return out
    }

    func testLineReaderLinesOffsetsAndLastLine() throws {
        let l = try lines(tempFile("ab c\n\nd e f\ng"))
        XCTAssertEqual(l.map(\.0), ["ab c", "", "d e f", "g"])
        XCTAssertEqual(l.map(\.1), [true, true, true, false])
        XCTAssertEqual(l.map(\.2), [0, 5, 6, 12])
    }

    func testLineReaderSplitsLinesLongerThanItsBufferAtWhitespace() throws {
        let words = (0..<1000).map { "w\($0)" }
        let l = try lines(tempFile(words.joined(separator: " ") + "\nlast\n"), capacity: 256)
        XCTAssert(l.count > 10)
        var tokens: [String] = []
        for (s, _, _) in l { tokens += s.split(separator: " ").map(String.init) }
        XCTAssertEqual(tokens, words + ["last"], "no token is cut or lost")
        XCTAssertEqual(l.filter(\.1).count, 2, "only real line ends count as line ends")
    }

    func testGiantTokenIsCutNotFatal() throws {
        let l = try lines(tempFile(String(repeating: "x", count: 1000) + "\n"), capacity: 128)
        XCTAssertEqual(l.map(\.0).joined().count, 1000)
    }

    func testZstdInputReadsLikePlainInput() throws {
        XCTAssertEqual(try lines(fixtures + "/tiny.txt.zst").map(\.0), try lines(fixtures + "/tiny.txt").map(\.0))
    }

    func testTruncatedZstdIsAnError() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/tiny.txt.zst")))
        let path = tempFile(Array(bytes.dropLast(5)), "cut.zst")
        XCTAssertThrowsError(try lines(path)) { e in
            XCTAssert("\(e)".contains("zstd"), "\(e)")
            XCTAssert("\(e)".contains(path), "names the file: \(e)")
        }
    }
}
