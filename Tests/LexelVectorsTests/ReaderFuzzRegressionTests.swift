import XCTest
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
        for text in ["A\n", "A", "word\nother 1 2\n"] {
            let path = try write(Array(text.utf8), "lone.txt")
            XCTAssertThrowsError(try TextVectors.read(path: path)) {
                XCTAssert($0 is LexelError && "\($0)".contains("no values"), "\($0)")
            }
        }
    }
}
