import XCTest
import LexelCore
@testable import LexelKernels

final class KernelTests: XCTestCase {
    func randomVector(_ n: Int, _ rng: inout SplitMix64) -> [Float] { (0..<n).map { _ in rng.nextUnitFloat() * 2 - 1 } }

    func testDotAxpyFusedMatchScalarReference() {
        var rng = SplitMix64(seed: 3)
        for n in Array(1...40) + [100, 300] {
            let a = randomVector(n, &rng), b = randomVector(n, &rng)
            var ref: Float = 0
            for i in 0..<n { ref += a[i] * b[i] }
            let d = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { Kernels.dot(pa.baseAddress!, $0.baseAddress!, n) } }
            XCTAssertEqual(d, ref, accuracy: 1e-4 * Float(n), "dot n=\(n)")

            var y = b
            y.withUnsafeMutableBufferPointer { py in a.withUnsafeBufferPointer { Kernels.axpy(0.5, $0.baseAddress!, py.baseAddress!, n) } }
            for i in 0..<n { XCTAssertEqual(y[i], b[i] + 0.5 * a[i], accuracy: 1e-6) }

            var row = a, grad = [Float](repeating: 1, count: n)
            let h = b
            row.withUnsafeMutableBufferPointer { pr in
                grad.withUnsafeMutableBufferPointer { pg in
                    h.withUnsafeBufferPointer { Kernels.fusedUpdate(0.25, row: pr.baseAddress!, hidden: $0.baseAddress!, grad: pg.baseAddress!, n) }
                }
            }
            for i in 0..<n {
                XCTAssertEqual(grad[i], 1 + 0.25 * a[i], accuracy: 1e-6, "grad uses the old row")
                XCTAssertEqual(row[i], a[i] + 0.25 * b[i], accuracy: 1e-6)
            }
        }
    }

    func testNormalize() {
        var v: [Float] = [3, 4, 0, 0, 0]
        let n = v.withUnsafeMutableBufferPointer { Kernels.normalize($0.baseAddress!, 5) }
        XCTAssertEqual(n, 5, accuracy: 1e-6)
        XCTAssertEqual(v[0], 0.6, accuracy: 1e-6)
        var z: [Float] = [0, 0]
        z.withUnsafeMutableBufferPointer { _ = Kernels.normalize($0.baseAddress!, 2) }
        XCTAssertEqual(z, [0, 0])
    }

    func testRandomIsDeterministicAndCoversItsRange() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        for _ in 0..<100 { XCTAssertEqual(a.next(), b.next()) }
        var seen = [Int](repeating: 0, count: 10)
        var r = SplitMix64(seed: 1)
        for _ in 0..<10_000 { seen[r.next(below: 10)] += 1 }
        for c in seen { XCTAssert(c > 800 && c < 1200, "next(below:) is not uniform: \(seen)") }
        for _ in 0..<1000 { let f = r.nextUnitFloat(); XCTAssert(f >= 0 && f < 1) }
    }

    func testSigmoidTableIsCloseToExact() {
        let t = TableActivation(), e = ExactActivation()
        for i in -100...100 {
            let x = Float(i) / 10
            XCTAssertEqual(t.sigmoid(x), e.sigmoid(x), accuracy: 0.02)
        }
        XCTAssertEqual(t.sigmoid(-20), 0)
        XCTAssertEqual(t.sigmoid(20), 1)
        XCTAssertEqual(t.log(0.5), logf(0.5), accuracy: 0.01)
    }

    func testMatrixUniformInitIsSeededAndBounded() {
        let m1 = Matrix(rows: 10, cols: 7), m2 = Matrix(rows: 10, cols: 7)
        m1.fillUniform(bound: 0.1, seed: 5)
        m2.fillUniform(bound: 0.1, seed: 5)
        for i in 0..<70 {
            XCTAssertEqual(m1.pointer[i], m2.pointer[i])
            XCTAssert(abs(m1.pointer[i]) <= 0.1)
        }
        XCTAssertEqual(Int(bitPattern: m1.pointer) % 64, 0, "rows start 64-byte aligned")
    }

}
