import XCTest
import LexelCore
import LexelTestSupport
@testable import LexelIO

/// Inputs of the FuzzNumpy, FuzzJSON and FuzzLuxical targets (docs/fuzzing.md, Fuzz/Regressions/) that used to trap a reader or
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

    /// A ZIP of one stored member: its local header and data, its central-directory entry (with `extra`, and
    /// `localOffset` in place of the real offset 0), `beforeEnd` (a ZIP64 locator), and the end record with `count`.
    func zip(localOffset: UInt32 = 0, extra: [UInt8] = [], beforeEnd: [UInt8] = [], count: UInt16 = 1) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        let name = Array("version.npy".utf8), data = [UInt8](repeating: 7, count: 16)
        let crc = data.withUnsafeBytes { CRC32.checksum($0) }
        var b = le(UInt32(0x0403_4B50)) + le(UInt16(20)) + [UInt8](repeating: 0, count: 8) + le(crc)
            + le(UInt32(16)) + le(UInt32(16)) + le(UInt16(name.count)) + le(UInt16(0)) + name + data
        let dir = b.count
        b += le(UInt32(0x0201_4B50)) + le(UInt16(45)) + le(UInt16(45)) + [UInt8](repeating: 0, count: 8) + le(crc)
            + le(UInt32(16)) + le(UInt32(16)) + le(UInt16(name.count)) + le(UInt16(extra.count)) + le(UInt16(0))
            + le(UInt16(0)) + le(UInt16(0)) + le(UInt32(0)) + le(localOffset) + name + extra
        let dirSize = b.count - dir
        b += beforeEnd
        return b + le(UInt32(0x0605_4B50)) + le(UInt16(0)) + le(UInt16(0)) + le(count) + le(count)
            + le(UInt32(dirSize)) + le(UInt32(dir)) + le(UInt16(0))
    }

    /// ZIP64 offsets near Int.max trapped in `offset + 56` (the ZIP64 end record a locator points at) and
    /// `offset + 30` (a member's local header, from the ZIP64 extra field of its directory entry)
    /// (Fuzz/Regressions/FuzzLuxical/zip64-*.npz).
    func testZIP64OffsetsNearIntMaxAreErrors() throws {
        func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
        XCTAssertEqual(try ZipArchive(path: tempFile(zip(), "ok.npz")).members.map(\.name), ["version.npy"])
        let huge = UInt64(Int.max - 15)
        let locator = le(UInt32(0x0706_4B50)) + le(UInt32(0)) + le(huge) + le(UInt32(1))
        XCTAssertThrowsError(try ZipArchive(path: tempFile(zip(beforeEnd: locator, count: 0xFFFF), "loc.npz"))) { e in
            XCTAssert(e is LexelError && "\(e)".contains("zip: bad ZIP64 locator"), "\(e)")
        }
        let extra = le(UInt16(1)) + le(UInt16(8)) + le(huge)
        XCTAssertThrowsError(try ZipArchive(path: tempFile(zip(localOffset: 0xFFFF_FFFF, extra: extra), "local.npz"))) { e in
            XCTAssert(e is LexelError && "\(e)".contains("zip: bad local header of member version.npy"), "\(e)")
        }
    }
}
