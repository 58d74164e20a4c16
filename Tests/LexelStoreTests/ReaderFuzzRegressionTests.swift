import XCTest
import LexelContainer
import LexelCore
import LexelText
@testable import LexelStore

/// `.lxv` inputs found by the FuzzVectorFile target (docs/fuzzing.md) that used to crash the reader; each must now
/// be a LexelError.
final class StoreFuzzRegressionTests: XCTestCase {
    /// A key-block offset of 2^63 or more trapped converting it to Int when the block was decoded (raw sections
    /// are only checksummed by `verify()`, so opening succeeds and the first key lookup hits it).
    func testKeyBlockOffsetBeyondIntIsAnError() throws {
        let path = storeTmp("k.lxv")
        try VectorFileWriter.write(sampleVectors(), to: path, options: .init(), source: "test")
        let keys = try XCTUnwrap(try VectorFile(path: path).sections.first { $0.kind == SectionKind.keys.rawValue })
        let good = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        for fill: UInt8 in [0xFF, 0x80] {
            var d = good
            for i in 0..<8 { d[Int(keys.offset) + 16 + i] = fill }  // end of block 0 = start of block 1
            let bad = storeTmp("bad.lxv")
            try Data(d).write(to: URL(fileURLWithPath: bad))
            let f = try VectorFile(path: bad)
            XCTAssertThrowsError(try f.key(0)) { XCTAssert($0 is LexelError && "\($0)".contains("block 0"), "\($0)") }
            XCTAssertThrowsError(try f.key(300)) { XCTAssert($0 is LexelError && "\($0)".contains("block 1"), "\($0)") }
            XCTAssertNil(f.row(of: "w0ord"))
            XCTAssertThrowsError(try f.verify())
        }
    }
}
