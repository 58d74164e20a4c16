import XCTest
import LexelCore
import LexelTestSupport
@testable import LexelLexical

/// `lexel distill` inputs that used to be accepted: a temperature of 1e-30, teachers that are 1-D or integers.
final class DistillInputTests: XCTestCase {
    func testTemperatureMustBeWithinTheDocumentedRange() throws {
        var o = DistillOptions()
        for t: Float in [0.01, 0.1, 3, 100] {
            o.temperature = t
            XCTAssertNoThrow(try o.validate(), "\(t)")
        }
        for t: Float in [1e-30, 0.009, 100.5, 1e30, 0, -1, .nan, .infinity] {
            o.temperature = t
            XCTAssertThrowsError(try o.validate(), "\(t)") {
                XCTAssertEqual("\($0)", "distill: temperature \(t) must be > 0, within 0.01...100.0")
            }
        }
    }

    /// An `.npy` file of `descr` and `shape` holding `data`.
    func npy(_ descr: String, _ shape: [Int], _ data: [UInt8], _ name: String = "t.npy") -> String {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        return tempFile([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + data, name)
    }

    func bytes<T>(_ values: [T]) -> [UInt8] { values.flatMap { v in withUnsafeBytes(of: v, Array.init) } }

    func expectError(_ path: String, _ message: String, line: UInt = #line) {
        XCTAssertThrowsError(try TeacherVectors.load(path: path), line: line) { e in
            XCTAssert(e is LexelError, "\(e)", line: line)
            XCTAssert("\(e)".hasPrefix(path + ": ") && "\(e)".contains(message), "'\(message)' not in: \(e)", line: line)
        }
    }

    func testTeachersMustBeTwoDimensionalFloatArrays() throws {
        expectError(npy("<f4", [6], bytes([Float](repeating: 1, count: 6))),
                    "teacher vectors: a 1-D array of shape [6]; expected a 2-D array N x D, one row per document")
        expectError(npy("<f4", [2, 3, 1], bytes([Float](repeating: 1, count: 6))), "a 3-D array of shape [2, 3, 1]")
        expectError(npy("<f4", [], bytes([Float(1)])), "a single number")
        for (descr, size) in [("<i8", 8), ("<i4", 4), ("|u1", 1), ("|b1", 1)] {
            expectError(npy(descr, [3, 2], [UInt8](repeating: 1, count: 6 * size)),
                        "teacher vectors: \(descr) values; expected embeddings of float16, float32 or float64")
        }
        expectError(npy("<f4", [1, 4], bytes([Float](repeating: 1, count: 4))), "rows >= 2 and at least one column (got 1 x 4)")
        expectError(npy("<f4", [3, 0], []), "(got 3 x 0)")
    }

    func testNonFiniteTeacherValuesNameRowColumnAndOffset() throws {
        func dataStart(_ path: String, _ count: Int) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int) - count
        }
        var v = [Float](repeating: 0.5, count: 6)
        v[5] = .nan
        let f = npy("<f4", [2, 3], bytes(v))
        expectError(f, "at byte offset \(try dataStart(f, 24) + 20): teacher vectors: row 1, column 2 is nan")
        var d = [Double](repeating: 0.5, count: 4)
        d[1] = 1e300  // finite in float64, infinite as float32
        let g = npy("<f8", [2, 2], bytes(d))
        expectError(g, "at byte offset \(try dataStart(g, 32) + 8): teacher vectors: row 0, column 1 is inf")
    }

    func testFloatTeachersLoad() throws {
        let want: [Float] = [1, -2, 0.5, 4, 0.25, -8]
        for (descr, data) in [("<f4", bytes(want)), ("<f8", bytes(want.map(Double.init))), ("<f2", bytes(want.map(Float16.init)))] {
            let t = try TeacherVectors.load(path: npy(descr, [3, 2], data))
            XCTAssertEqual(t.rows, 3)
            XCTAssertEqual(t.cols, 2)
            XCTAssertEqual(t.values, want, descr)
        }
    }
}
