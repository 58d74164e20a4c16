import XCTest
import LexelTestSupport
import LexelCore
@testable import LexelIO

final class DocumentsTests: XCTestCase {
    func documents(_ path: String, field: String?) throws -> [String] {
        var out: [String] = []
        try DocumentReader(path: path, field: field).forEach { text, index in
            XCTAssertEqual(index, out.count)
            XCTAssertNil(firstInvalidUTF8(text))
            out.append(String(decoding: text, as: UTF8.self))
        }
        return out
    }

    func jsonl(_ text: String, field: String = "text") throws -> [String] {
        try documents(tempFile(text, "docs.jsonl"), field: field)
    }

    func error(_ text: String, field: String? = "text") -> LexelError? {
        error(Array(text.utf8), field: field)
    }

    func error(_ bytes: [UInt8], field: String? = "text") -> LexelError? {
        do {
            _ = try documents(tempFile(bytes, "docs.jsonl"), field: field)
            XCTFail("no error")
            return nil
        } catch let e as LexelError {
            return e
        } catch {
            XCTFail("unexpected \(error)")
            return nil
        }
    }

    func testPlainLinesKeepEmptyLinesAsDocumentsAndDropCR() throws {
        XCTAssertEqual(try documents(tempFile("a b\n\nc\r\nlast"), field: nil), ["a b", "", "c", "last"])
        XCTAssertEqual(try documents(tempFile("one\n"), field: nil), ["one"])
        XCTAssertEqual(try documents(tempFile(""), field: nil), [])
    }

    func testEscapesAndUnicode() throws {
        let line = #"{"text": "q\"b\\s\/ \b\f\n\r\t é \u00e9\u4e2d \ud83d\ude00 ok"}"# + "\n"
        XCTAssertEqual(try jsonl(line), ["q\"b\\s/ \u{8}\u{c}\n\r\t é é中 😀 ok"])
        XCTAssertEqual(try jsonl(#"{"text":"\u0000x"}"#), ["\u{0}x"])
        XCTAssertEqual(try jsonl(#"{"text":"\u00C9\uD83D\uDE00\u00aF"}"#), ["É😀\u{af}"])
    }

    func testFieldOnlyAtTopLevelAndSkipsNestedValues() throws {
        let line = #"{"meta": {"text": "nested", "a": [1, {"text": "deep"}, "te\"xt", []], "b": {}}, "#
            + #""note": "\"text\": \"fake\" {[", "n": -1.5e+3, "t": true, "f": false, "z": null, "text": "real"}"#
        XCTAssertEqual(try jsonl(line + "\n" + #"{"text":"x","text":"last wins"}"#), ["real", "last wins"])
        XCTAssertEqual(try jsonl(#"  { "te\u0078t" : "escaped key" }  "#), ["escaped key"])
        XCTAssertEqual(try jsonl(#"{"body":"b","title":"t"}"#, field: "title"), ["t"])
    }

    func testBlankJSONLinesAreSkipped() throws {
        XCTAssertEqual(try jsonl("{\"text\":\"a\"}\n\n   \n{\"text\":\"\"}\r\n{\"text\":\"c\"}"), ["a", "", "c"])
    }

    func testInvalidUTF8NamesOffsetAndLine() throws {
        let bytes = Array("{\"text\":\"ok\"}\n{\"text\":\"ab".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)
        let e = error(bytes)
        XCTAssertEqual(e?.offset, 25)
        XCTAssert(e?.message.contains("line 2") == true && e?.message.contains("invalid UTF-8") == true, "\(String(describing: e))")
        XCTAssertEqual(error([0x61, 0x0A, 0x62, 0xFF], field: nil)?.offset, 3)
    }

    func testMalformedJSONAndWrongFields() throws {
        let cases: [(String, Int64, String)] = [
            (#"{"text":"a"}"# + "\n" + #"{"id": 1}"#, 13, "no member \"text\""),
            (#"{"text": 12}"#, 9, "is a number, not a string"),
            (#"{"text": {"a":"b"}}"#, 9, "is an object, not a string"),
            (#"{"text": null}"#, 9, "is null"),
            (#"{"text": "a""#, 12, "'}'"),
            (#"{"text": "a"} x"#, 14, "one JSON object per line"),
            (#"["text"]"#, 0, "'{'"),
            (#"{"a": [1, 2,], "text": "x"}"#, 12, "a value"),
            (#"{"a": 01, "text": "x"}"#, 7, "',' or '}'"),
            (#"{"a": tru, "text": "x"}"#, 6, "a value"),
            (#"{"a" 1, "text": "x"}"#, 5, "':'"),
            (#"{"text": "a\qb"}"#, 11, "invalid escape"),
            (#"{"text": "\ud83d x"}"#, 10, "unpaired surrogate \\uD83D"),
            (#"{"text": "\ude00"}"#, 10, "unpaired surrogate \\uDE00"),
            (#"{"text": "\ud83d\u0041"}"#, 10, "unpaired surrogate"),
            (#"{"text": "\u12G4"}"#, 14, "four hex digits"),
            ("{\"text\": \"\\u00\u{10}0\"}", 14, "four hex digits"),
            ("{\"text\": \"a\tb\"}", 11, "control character"),
            (#"{"text": "abc"#, 13, "unterminated string"),
        ]
        for (text, offset, message) in cases {
            let e = error(text)
            XCTAssertEqual(e?.offset, offset, text)
            XCTAssert(e?.message.contains(message) == true, "\(text): \(String(describing: e))")
            XCTAssert(e?.file?.hasSuffix("docs.jsonl") == true)
        }
    }

    func testZstdInput() throws {
        // zstd -19 of: {"id":1,"text":"hello z\u00e9"} \n \n {"text":"second"} \n
        let frame: [UInt8] = [
            0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x33, 0x99, 0x01, 0x00, 0x7b, 0x22, 0x69, 0x64, 0x22, 0x3a, 0x31,
            0x2c, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x7a,
            0x5c, 0x75, 0x30, 0x30, 0x65, 0x39, 0x22, 0x7d, 0x0a, 0x0a, 0x7b, 0x22, 0x74, 0x65, 0x78, 0x74,
            0x22, 0x3a, 0x22, 0x73, 0x65, 0x63, 0x6f, 0x6e, 0x64, 0x22, 0x7d, 0x0a, 0x85, 0x5c, 0x3f, 0x20,
        ]
        let path = tempFile(frame, "docs.jsonl.zst")
        XCTAssertEqual(try documents(path, field: "text"), ["hello zé", "second"])
        XCTAssertEqual(try documents(path, field: nil).count, 3)
        XCTAssertEqual(try documents(fixtures + "/tiny.txt.zst", field: nil),
                       try documents(fixtures + "/tiny.txt", field: nil))
    }

    func testTenMegabyteLinesAreOneDocument() throws {
        let big = String(repeating: "abcdefghi ", count: 1_000_000)
        let plain = try documents(tempFile("x\n" + big + "\ny"), field: nil)
        XCTAssertEqual(plain.map(\.count), [1, big.count, 1])
        XCTAssertEqual(plain[1], big)
        let json = try jsonl("{\"id\":0,\"text\":\"x\"}\n{\"text\":\"\(big)\",\"n\":1}\n{\"text\":\"\(big)\"}")
        XCTAssertEqual(json.map(\.count), [1, big.count, big.count])
        XCTAssertEqual(json[2], big)
    }

    func testEachForEachRereadsTheFile() throws {
        let reader = try DocumentReader(path: tempFile("a\nb\n"), field: nil)
        var n = 0
        try reader.forEach { _, _ in n += 1 }
        try reader.forEach { _, _ in n += 1 }
        XCTAssertEqual(n, 4)
        XCTAssertNotNil(reader.fileSize)
    }
}
