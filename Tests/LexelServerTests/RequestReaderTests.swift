import Foundation
@testable import LexelServer
import XCTest

/// The fast request reader: the same texts and fields as `JSONDecoder` on every body it takes, and `nil` (so that
/// `JSONDecoder` decides) on every body outside its shape.
final class RequestReaderTests: XCTestCase {
    func read(_ body: String, key: String = "inputs") -> RequestReader.Body? {
        var bytes = Array(body.utf8)
        return bytes.withUnsafeMutableBufferPointer { RequestReader.read(UnsafeBufferPointer($0), textsKey: key) }
    }

    func texts(_ b: RequestReader.Body) -> [String] { (0..<b.texts.count).map { String(decoding: b.texts[$0], as: UTF8.self) } }

    func testReadsTextsEscapesAndFields() throws {
        let body = #" { "inputs" : ["plain", "quote \" slash \/ back \\", "tab\there\nnew\r\b\f", "\u00e9\u4e2d \ud83d\ude00", "é 中 😀", ""] ,"#
            + #" "dimensions": 192, "normalize": true, "truncate": false, "model": "m\u0041", "user": null, "n": -7 } "#
        let b = try XCTUnwrap(read(body))
        XCTAssertEqual(texts(b), ["plain", "quote \" slash / back \\", "tab\there\nnew\r\u{08}\u{0C}", "é中 😀", "é 中 😀", ""])
        XCTAssertFalse(b.single)
        XCTAssertEqual(b.fields["dimensions"], .int(192))
        XCTAssertEqual(b.fields["normalize"], .bool(true))
        XCTAssertEqual(b.fields["truncate"], .bool(false))
        XCTAssertEqual(b.fields["model"], .string("mA"))
        XCTAssertEqual(b.fields["user"], .null)
        XCTAssertEqual(b.fields["n"], .int(-7))
        let one = try XCTUnwrap(read(#"{"input":"one text"}"#, key: "input"))
        XCTAssertEqual(texts(one), ["one text"])
        XCTAssertTrue(one.single)
        XCTAssertEqual(texts(try XCTUnwrap(read(#"{"inputs":[]}"#))), [])
    }

    func testLeavesEverythingElseToJSONDecoder() {
        let others = [
            #"{"inputs": [1, 2, 3]}"#,                       // token ids
            #"{"inputs": [[1, 2]]}"#,
            #"{"inputs": ["a", 1]}"#,
            #"{"inputs": "a", "options": {"x": 1}}"#,        // a nested value
            #"{"inputs": "a", "threshold": 0.5}"#,           // a float
            #"{"inputs": "a", "k": 1e3}"#,
            #"{"inputs": "a", "k": 01}"#,                    // not JSON
            #"{"inputs": "a", "k": 1234567890123456789}"#,   // past 18 digits
            #"{"inputs": "a",}"#,
            #"{"inputs": ["a",]}"#,
            #"{"inputs": "a"} x"#,
            #"{"inputs": "a""#,
            #"{"inputs": "a", "inputs": "b"}"#,              // a repeated key
            #"{"input": "a"}"#,                              // the texts key missing
            #"["a"]"#,
            #"{"inputs": "\ud83d"}"#,                        // a lone surrogate
            #"{"inputs": "\ude00"}"#,
            #"{"inputs": "\x"}"#,                            // an unknown escape
            #"{"inputs": "\u12"}"#,
            "{\"inputs\": \"a\u{01}b\"}",                   // a raw control character
            "{\"inputs\": \"line\nbreak\"}",
            #"{"inputs": "a", "flag": tru}"#,
            "",
        ]
        for body in others { XCTAssertNil(read(body), body) }
    }

    /// Random texts (ASCII, escapes, two- to four-byte characters), encoded by JSONSerialization, read back the same.
    func testAgreesWithFoundationOnRandomTexts() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\u{01}", "\u{1F}", "é", "中", "😀", "\u{7F}", "\u{2028}"]
        for _ in 0..<200 {
            let sent = (0..<Int.random(in: 0...5, using: &rng)).map { _ in
                String((0..<Int.random(in: 0...20, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            }
            let data = try JSONSerialization.data(withJSONObject: ["inputs": sent, "k": 3])
            let body = String(decoding: data, as: UTF8.self)
            let b = try XCTUnwrap(read(body), body)
            XCTAssertEqual(texts(b), sent, body)
            XCTAssertEqual(b.fields["k"], .int(3))
        }
    }
}
