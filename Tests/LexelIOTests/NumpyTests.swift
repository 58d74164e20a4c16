import Foundation
import XCTest
import LexelTestSupport

import LexelCore
@testable import LexelIO

/// `.npy` reading against files NumPy wrote (Fixtures/numpy-*.npy), writing round trips, and bad input.
final class NumpyTests: XCTestCase {
    func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
    }

    func testReadsFloat16MatrixWrittenByNumpy() throws {
        let m = try Numpy.readMatrix(path: fixture("numpy-f16-3x4.npy"))
        XCTAssertEqual(m.rows, 3)
        XCTAssertEqual(m.cols, 4)
        XCTAssertEqual(m.values, (0..<12).map { Float($0) / 8 - 0.5 })
    }

    func testReadsInt64VectorWrittenByNumpy() throws {
        let (file, a) = try Numpy.open(path: fixture("numpy-i64-5.npy"))
        XCTAssertEqual(a.shape, [5])
        XCTAssertEqual(try withExtendedLifetime(file) { try a.integers() }, [1, -2, 3, 1 << 40, -(1 << 62)])
    }

    func testWriterRoundTripsAndPatchesRowCount() throws {
        let path = TestTemporaryFiles.folder("npy") + "/a.npy"
        defer { unlink(path) }
        let w = try NumpyWriter(path: path, dtype: .f32, cols: 3)
        let rows: [Float] = [1, 2, 3, 4, 5, 6]
        try rows.withUnsafeBytes { try w.append(rows: 2, $0.baseAddress!) }
        try w.commit()
        let m = try Numpy.readMatrix(path: path)
        XCTAssertEqual(m.rows, 2)
        XCTAssertEqual(m.cols, 3)
        XCTAssertEqual(m.values, rows)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, 128 + 24)
    }

    func testTruncatedArrayNamesTheOffset() throws {
        let path = TestTemporaryFiles.folder("npy") + "/trunc.npy"
        defer { unlink(path) }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("numpy-f16-3x4.npy")))
        try bytes.dropLast(3).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Numpy.readMatrix(path: path)) { e in
            let s = "\(e)"
            XCTAssertTrue(s.contains(path) && s.contains("truncated") && s.contains("offset 128"), s)
        }
        try Data("not numpy at all".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Numpy.readMatrix(path: path)) { XCTAssertTrue("\($0)".contains("magic")) }
        // A shape whose size overflows is an error, not a trap; so is a header cut short.
        let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627775, 1099511627775), }\n"
        let huge = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(dict.utf8.count), 0]) + Data(dict.utf8)
        try huge.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Numpy.readMatrix(path: path)) { XCTAssertTrue("\($0)".contains("is too large"), "\($0)") }
        try huge.prefix(40).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Numpy.readMatrix(path: path)) {
            XCTAssertEqual("\($0)", "\(path): at byte offset 8: npy: header of \(dict.utf8.count) bytes runs past the end of the file (truncated)")
        }
    }
}
