import Foundation
import XCTest
import LexelTestSupport

import LexelCore
@testable import LexelIO

/// ZIP members (NumPy `.npz`) are CRC-checked when read: known CRC-32 values, and a damaged archive.
final class ZipArchiveTests: XCTestCase {
    func crc(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { CRC32.checksum($0) } }

    func testCRC32KnownValues() {
        XCTAssertEqual(crc(Array("123456789".utf8)), 0xCBF4_3926)  // the standard check value
        XCTAssertEqual(crc([]), 0)
        XCTAssertEqual(crc(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
        // The 8-bytes-at-a-time path and the byte tail agree with a bitwise reference at every length.
        let data = (0..<100).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for n in [1, 7, 8, 9, 16, 63, 100] {
            var c: UInt32 = 0xFFFF_FFFF
            for b in data.prefix(n) {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            }
            XCTAssertEqual(crc(Array(data.prefix(n))), c ^ 0xFFFF_FFFF, "length \(n)")
        }
    }

    func testDamagedMemberIsACRCError() throws {
        let npz = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("LexelLexicalTests/Fixtures/luxical/tiny.npz")
        var bytes = try Data(contentsOf: npz)
        let good = try ZipArchive(path: npz.path)
        XCTAssertEqual(good.members.count, 10)
        for m in good.members { XCTAssertNoThrow(try good.bytes(of: m), m.name) }
        let idf = try XCTUnwrap(good.member("idf_values.npy"))
        bytes[idf.dataOffset + 200] ^= 0x04
        let path = TestTemporaryFiles.folder("zip") + "/bad.npz"
        try bytes.write(to: URL(fileURLWithPath: path))
        let bad = try ZipArchive(path: path)
        XCTAssertThrowsError(try bad.bytes(of: bad.member("idf_values.npy")!)) {
            XCTAssertEqual($0 as? LexelError, LexelError(file: path, offset: Int64(idf.dataOffset),
                                                         "zip: member idf_values.npy: CRC-32 mismatch (corrupt)"))
        }
        XCTAssertNoThrow(try bad.bytes(of: bad.member("idf_values.npy")!, verify: false))
        XCTAssertNoThrow(try bad.bytes(of: bad.member("nn_layer_1.npy")!))
    }
}
