import XCTest
import LexelCore
import LexelTestSupport
@testable import LexelIO

/// Inputs of the FuzzNumpy and FuzzJSON targets (docs/fuzzing.md, Fuzz/Regressions/) that used to trap a reader or
/// make it disagree with its documentation; each must now be read or be a LexelError.
final class IOFuzzRegressionTests: XCTestCase {
    /// An `.npy` file of `descr` and the shape written as `shape` (Python tuple syntax), holding `data`.
    func npy(_ descr: String, _ shape: String, _ data: [UInt8] = []) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
            + Array(header.utf8) + data
    }

    func parse(_ bytes: [UInt8]) throws -> NumpyArray { try bytes.withUnsafeBytes { try Numpy.parse($0, file: "a.npy") } }

    /// A shape whose size is exactly Int.max bytes (7^2 x 73 x 127 x 337 x 92737 x 649657 of u1) passed the
    /// overflow check, then `dataStart + size` trapped (Fuzz/Regressions/FuzzNumpy/size-int-max.npy).
    func testShapeOfIntMaxBytesIsAnError() throws {
        let bytes = npy("|u1", "(49, 73, 127, 337, 92737, 649657)")
        XCTAssertThrowsError(try parse(bytes)) { e in
            XCTAssert(e is LexelError && "\(e)".contains("needs 9223372036854775807 bytes, 0 present (truncated)"), "\(e)")
        }
        XCTAssertThrowsError(try Numpy.readMatrix(path: tempFile(bytes, "intmax.npy"))) { XCTAssert($0 is LexelError, "\($0)") }
    }

    /// An empty array whose other dimensions multiply past Int.max, (0, 2^39, 2^39), parsed (its size is 0), and
    /// its `matrixShape` then trapped computing 2^39 x 2^39 (Fuzz/Regressions/FuzzNumpy/empty-shape-overflow.npy).
    func testEmptyShapeWithOverflowingDimensionsIsAnError() throws {
        for shape in ["(0, 549755813888, 549755813888)", "(549755813888, 0, 549755813888)", "(3, 549755813888, 549755813888, 0)"] {
            XCTAssertThrowsError(try parse(npy("<f4", shape)), shape) { e in
                XCTAssert(e is LexelError && "\(e)".contains("is too large"), "\(e)")
            }
        }
        // Empty arrays whose other dimensions fit are still read.
        let a = try parse(npy("<f4", "(0, 549755813888)"))
        XCTAssertEqual(a.count, 0)
        XCTAssertEqual(a.matrixShape.rows, 0)
        XCTAssertEqual(a.matrixShape.cols, 549_755_813_888)
        XCTAssertEqual(try parse(npy("<i2", "(4, 0, 7)")).count, 0)
    }

    func jsonl(_ text: String) throws -> [String] {
        var out: [String] = []
        try DocumentReader(path: tempFile(text, "d.jsonl"), field: "text").forEach { t, _ in out.append(String(decoding: t, as: UTF8.self)) }
        return out
    }

    /// With duplicate members the last wins (as in Python's `json` and `JSONValue`), but a first member `text`
    /// that was not a string was an error even when a later one was a string
    /// (Fuzz/Regressions/FuzzJSON/duplicate-text-array-then-string.json).
    func testLastOfDuplicateMembersCountsEvenAfterANonString() throws {
        XCTAssertEqual(try jsonl(#"{"text": [true, false, null], "o": {"p": {"q": [[[]]]}}, "text": "dup", "": "x"}"#), ["dup"])
        XCTAssertEqual(try jsonl(#"{"text": 1, "text": {"a": "b"}, "text": "third"}"# + "\n" + #"{"text": null, "text": "b"}"#),
                       ["third", "b"])
        // The last one decides: a string then a non-string is still an error, at the non-string.
        XCTAssertThrowsError(try jsonl(#"{"text": "a", "text": null}"#)) { e in
            let e = e as! LexelError
            XCTAssertEqual(e.offset, 22)
            XCTAssert(e.message.contains("member \"text\" is null, not a string"), e.message)
        }
        XCTAssertThrowsError(try jsonl(#"{"text": [1], "x": 2}"#)) { XCTAssert("\($0)".contains("is an array, not a string"), "\($0)") }
        // JSONValue agrees.
        let line = Array(#"{"text": [true], "text": "dup"}"#.utf8)
        XCTAssertEqual(try line.withUnsafeBufferPointer { try JSONValue.parse($0, file: "j") }["text"], .string("dup"))
    }
}
