import XCTest
import LexelCore
import LexelText
@testable import LexelVectors

/// Inputs found by the fuzz targets (docs/fuzzing.md) that used to crash a reader; each must now be a LexelError.
final class ReaderFuzzRegressionTests: XCTestCase {
    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = tmpPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// FuzzTextVectors: a first line holding one word and no values made a GloVe file of dimension 0, which
    /// trapped on `1...0`.
    func testLoneWordIsNotAZeroDimensionalGloVeFile() throws {
        for text in ["A\n", "word\nother 1 2\n"] {
            let path = try write(Array(text.utf8), "lone.txt")
            XCTAssertThrowsError(try TextVectors.read(path: path)) {
                XCTAssert($0 is LexelError && "\($0)".contains("no values"), "\($0)")
            }
        }
        let unterminated = try write(Array("A".utf8), "lone.txt")
        XCTAssertThrowsError(try TextVectors.read(path: unterminated)) { XCTAssert($0 is LexelError, "\($0)") }
    }

    /// FuzzModelFile: u64 header counts of 2^63 or more trapped converting to Int (and large ones overflowed).
    func testModelFileHeaderCountsBeyondIntAreRejected() throws {
        let path = tmpPath("m.bin")
        try ModelFile.write(path: path, vectors: handMadeVectors(subwords: true))
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        for (field, offset) in [("words", 16), ("rows", 24), ("bucket", 40), ("tokens", 48), ("used buckets", 56)] {
            for fill: UInt8 in [0xFF, 0x80] {
                var bad = good
                for i in offset..<(offset + 8) { bad[i] = fill }
                let p = try write(bad, "huge.bin")
                XCTAssertThrowsError(try WordVectors.load(path: p), "\(field) = 0x\(fill)...") {
                    XCTAssert($0 is LexelError && "\($0)".contains("header"), "\(field): \($0)")
                }
            }
        }
    }

    /// A fastText model without subwords (maxn 0) may have any number of matrix rows >= nwords: a huge count
    /// overflowed `m * n * 4`.
    func testFastTextMatrixRowCountOverflowIsAnError() throws {
        var b: [UInt8] = []
        func i32(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
        i32(FastTextModel.magic)
        i32(12)
        // dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate
        for v: Int32 in [4, 5, 1, 1, 5, 1, 2, 2, 0, 0, 0, 100] { i32(v) }
        i64(Int64(Double(1e-4).bitPattern))
        i32(1); i32(1); i32(0); i64(10); i64(-1)  // size, nwords, nlabels, ntokens, pruneidx_size
        b += Array("a".utf8) + [0]
        i64(10)
        b.append(0)  // type: word
        b.append(0)  // not quantised
        i64(1 << 62); i64(4)  // m x n
        b += [UInt8](repeating: 0, count: 64)
        let path = try write(b, "ft.bin")
        XCTAssertThrowsError(try FastTextModel.read(path: path)) {
            XCTAssert($0 is LexelError && "\($0)".contains("truncated"), "\($0)")
        }
    }
}
