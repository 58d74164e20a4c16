@testable import LexelServer
import XCTest

/// The JSON float writer: every Float32 reads back exactly.
final class FloatTextTests: XCTestCase {
    /// `x` as written by the fast path (which hands what it does not cover to the general one); both write the same.
    func text(_ x: Float) -> String {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: FloatText.maxLength)
        defer { p.deallocate() }
        let general = String(decoding: UnsafeBufferPointer(start: p, count: FloatText.write(x, into: p)), as: UTF8.self)
        let n = FloatText.writeFast(x, into: p)
        let fast = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        XCTAssertEqual(Float(fast), Float(general), "\(x): fast \(fast), general \(general)")
        return fast
    }

    func testEightDigitsMatchesDecimalFormatting() {
        var rng = SystemRandomNumberGenerator()
        let values: [UInt64] = [0, 1, 9, 10, 99_999_999, 10_000_000, 12_345_678, 90_000_001]
            + (0..<10_000).map { _ in UInt64.random(in: 0..<100_000_000, using: &rng) }
        for v in values {
            let text = withUnsafeBytes(of: FloatText.eightDigits(v)) { String(decoding: $0, as: UTF8.self) }
            let expected = String(repeating: "0", count: 8 - String(v).count) + String(v)
            XCTAssertEqual(text, expected)
            if text != expected { return }
        }
    }

    func testEveryKindOfFloatReadsBackExactly() {
        var values: [Float] = [1, -1, 0.5, 0.1, 1e-5, 9.99999e-6, 1e-6, 123456789, 1e9, 1e10, 3.4028235e38,
                               Float.leastNonzeroMagnitude, Float.leastNormalMagnitude, Float.greatestFiniteMagnitude,
                               0.041270096, -0.0063485145, 100, 99.99999, 0.999999999, 1.5e-45, 12345.678,
                               0.1, 0.01, 0.001, 1e-4, 0.99999994, -0.099999994, 0.0099999998, 1.00000005e-5]
        for p in [Float(0.1), 0.01, 0.001, 1e-4, 1e-5, 1] {  // the edges of the fast path's exponents
            values += [p.nextDown, p, p.nextUp, -p.nextDown, -p, -p.nextUp]
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200_000 { values.append(Float(bitPattern: rng.next() as UInt32)) }
        for _ in 0..<100_000 { values.append(Float.random(in: -1...1, using: &rng)) }
        for x in values where x.isFinite {
            let s = text(x)
            XCTAssertLessThanOrEqual(s.utf8.count, FloatText.maxLength, s)
            guard let back = Float(s) else { XCTFail("\(x) -> \(s) is not a number"); return }
            XCTAssertEqual(back, x, "\(x) -> \(s)")
            if back != x { return }
        }
        XCTAssertEqual(text(0), "0")
        XCTAssertEqual(text(-0.0), "0")
        XCTAssertEqual(text(.nan), "0")
        XCTAssertEqual(text(0.5), "0.5")
        XCTAssertEqual(text(-2), "-2")
        XCTAssertEqual(text(1e-7), "1.00000001e-7", "9 digits, not the shortest form")
        XCTAssertEqual(text(1e10), "1e10")
    }
}
