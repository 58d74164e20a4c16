import XCTest
@testable import LexelCore

/// UTF-8 validation and fastText's separators.
final class BytesTests: XCTestCase {
    func testUTF8Validation() {
        func check(_ b: [UInt8]) -> Int? { b.withUnsafeBufferPointer { firstInvalidUTF8($0) } }
        XCTAssertNil(check(Array("héllo 日本 😀".utf8)))
        XCTAssertEqual(check([0x61, 0xFF]), 1)
        XCTAssertEqual(check([0xC0, 0x80]), 0, "overlong")
        XCTAssertEqual(check([0xED, 0xA0, 0x80]), 0, "surrogate")
        XCTAssertEqual(check([0x61, 0xE6, 0x97]), 1, "truncated sequence")
        XCTAssertEqual(check([0xF4, 0x90, 0x80, 0x80]), 0, "above U+10FFFF")
    }
}
