import XCTest
@testable import LexelKernels

final class GemmTests: XCTestCase {
    /// Every shape class: rows not a multiple of 4, columns not a multiple of the panel, k of 1.
    func testMultiplyEqualsNaiveForOddShapes() {
        var rng = SplitMix64(seed: 11)
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (4, 16, 24), (5, 33, 25), (9, 100, 50), (64, 96, 48)] {
            let a = (0..<(m * k)).map { _ in rng.nextUnitFloat() - 0.5 }
            let w = (0..<(k * n)).map { _ in rng.nextUnitFloat() - 0.5 }
            var want = [Float](repeating: 0, count: m * n)
            for i in 0..<m { for j in 0..<n { for p in 0..<k { want[i * n + j] += a[i * k + p] * w[p * n + j] } } }
            // W given row-major k x n, and as its transpose n x k
            let wt = (0..<(n * k)).map { w[($0 % k) * n + $0 / k] }
            for (packed, name) in [(w.withUnsafeBufferPointer { Gemm.PackedMatrix($0.baseAddress!, rows: k, cols: n) }, "k x n"),
                                   (wt.withUnsafeBufferPointer { Gemm.PackedMatrix($0.baseAddress!, rows: k, cols: n, transposed: true) }, "n x k")] {
                var c = [Float](repeating: .nan, count: m * (n + 3))  // ldc > n: padding must stay untouched
                a.withUnsafeBufferPointer { ap in
                    c.withUnsafeMutableBufferPointer { Gemm.multiply(ap.baseAddress!, rows: m, lda: k, packed, into: $0.baseAddress!, ldc: n + 3) }
                }
                for i in 0..<m {
                    for j in 0..<n { XCTAssertEqual(c[i * (n + 3) + j], want[i * n + j], accuracy: 1e-4, "\(m)x\(k)x\(n) \(name)") }
                    XCTAssertTrue(c[i * (n + 3) + n].isNaN)
                }
                XCTAssertEqual(packed[k - 1, n - 1], w[(k - 1) * n + n - 1])
            }
        }
    }
}
