import Foundation
import XCTest
@testable import LexelIO
import LexelCore
import LexelTestSupport

/// Every reader has a bound: documents, query lines; and one rule says how a path's documents are laid out.
final class BoundedInputTests: XCTestCase {
    func documents(_ path: String, field: String? = nil, max: Int = DocumentReader.defaultMaxDocumentBytes) throws -> [String] {
        let r = try DocumentInput(path: path, field: field, maxDocumentBytes: max).reader()
        var out: [String] = []
        try r.forEach { text, _ in out.append(String(decoding: text, as: UTF8.self)) }
        return out
    }

    func testNewlineFreeInputStopsAtTheDocumentLimit() throws {
        let big = tempFile([UInt8](repeating: 0x61, count: 5 << 20))
        XCTAssertThrowsError(try documents(big, max: 1 << 20)) { e in
            XCTAssert("\(e)".contains("line 1: a document longer than 1 MiB"), "\(e)")
            XCTAssert("\(e)".contains("at byte offset 0"), "\(e)")
        }
        XCTAssertEqual(try documents(big, max: 8 << 20).map(\.count), [5 << 20], "under the limit it is one document")
        let second = tempFile("short\n" + String(repeating: "b", count: 3 << 20) + "\n")
        XCTAssertThrowsError(try documents(second, max: 1 << 20)) { XCTAssert("\($0)".contains("line 2:"), "\($0)") }
    }

    func testByteOrderMarkIsSkippedInPlainAndJSONLines() throws {
        XCTAssertEqual(try documents(tempFile([0xEF, 0xBB, 0xBF] + Array("one\ntwo\n".utf8))), ["one", "two"])
        let jsonl = tempFile([0xEF, 0xBB, 0xBF] + Array("{\"text\": \"a\"}\n{\"text\": \"b\"}\n".utf8), "d.jsonl")
        XCTAssertEqual(try documents(jsonl), ["a", "b"])
    }

    func testOneInputRuleForEveryCommand() throws {
        for name in ["a.jsonl", "a.jsonl.zst", "a.ndjson", "A.JSONL", "a.json.zst", "a.ndjson.zstd"] {
            XCTAssertEqual(try DocumentInput(path: name).field, "text", name)
        }
        for name in ["a.txt", "a.txt.zst", "-", "a.jsonl.txt", "a.csv"] { XCTAssertNil(try DocumentInput(path: name).field, name) }
        XCTAssertNil(try DocumentInput(path: "a.jsonl", plain: true).field)
        XCTAssertEqual(try DocumentInput(path: "a.txt", field: "body").field, "body")
        XCTAssertThrowsError(try DocumentInput(path: "a.txt", field: "body", plain: true))
        XCTAssertThrowsError(try DocumentInput(path: "a.txt", field: ""))
    }

    func queries(_ bytes: [UInt8], max: Int = 1 << 20) throws -> [String] {
        var out: [String] = []
        try QueryLines.forEach(path: tempFile(bytes), maxLineBytes: max) { line, _ in out.append(line) }
        return out
    }

    func testQueryLinesAreBoundedAndValidUTF8() throws {
        XCTAssertEqual(try queries(Array("king\r\nqueen\n\nlast".utf8)), ["king", "queen", "", "last"])
        XCTAssertThrowsError(try queries([UInt8](repeating: 0, count: 300_000), max: 100_000)) { e in
            XCTAssert("\(e)".contains("line 1: longer than"), "\(e)")
        }
        XCTAssertThrowsError(try queries(Array("ok\ncaf".utf8) + [0xE9] + Array("\n".utf8))) { e in
            XCTAssert("\(e)".contains("line 2: invalid UTF-8"), "\(e)")
            XCTAssert("\(e)".contains("at byte offset 6"), "\(e)")
        }
    }

    func testFileKindsByMagic() {
        XCTAssertEqual(FileKind.of(bytes: Array("LEXELVEC\u{1}".utf8)), .container)
        XCTAssertEqual(FileKind.of(bytes: [0x93] + Array("NUMPY".utf8)), .npy)
        XCTAssertEqual(FileKind.of(bytes: [0x50, 0x4B, 0x03, 0x04, 0]), .zip)
        XCTAssertEqual(FileKind.of(bytes: [0xBA, 0x16, 0x4F, 0x2F]), .fastTextModel)
        XCTAssertEqual(FileKind.of(bytes: Array("# lexel-ngrams v1".utf8)), .ngramTable)
        XCTAssertEqual(FileKind.of(bytes: Array("king 0.1 0.2".utf8)), .other)
        XCTAssertEqual(FileKind.of(bytes: []), .empty)
    }

    func parse(_ s: String) throws -> JSONValue {
        try Array(s.utf8).withUnsafeBufferPointer { try JSONValue.parse($0, file: "t.json") }
    }

    func testJSONValues() throws {
        let v = try parse(#" {"model": {"vocab": {"[UNK]": 0, "a\u00e9": 1}, "type": "WordPiece", "x": [1, -2.5e1, true, null]}, "model2": {}} "#)
        XCTAssertEqual(v["model"]?["vocab"]?["aé"]?.intValue, 1)
        XCTAssertEqual(v["model"]?["type"]?.stringValue, "WordPiece")
        XCTAssertEqual(v["model"]?["x"], .array([.number(1), .number(-25), .bool(true), .null]))
        XCTAssertEqual(try parse(#"{"a": 1, "a": 2}"#)["a"]?.intValue, 2, "the last duplicate wins, as in Python")
        XCTAssertThrowsError(try parse(String(repeating: "[", count: 10_000))) { XCTAssert("\($0)".contains("nested more than"), "\($0)") }
        XCTAssertThrowsError(try parse(#"{"a": 1,}"#)) { XCTAssert("\($0)".contains("at byte offset"), "\($0)") }
        XCTAssertThrowsError(try parse("{} {}"))
        XCTAssertNil(try parse("1.5").intValue)
    }
}
