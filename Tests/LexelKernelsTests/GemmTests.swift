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

    /// The int8 product equals exact integer arithmetic on the quantised operands (every shape class, the AVX2
    /// kernel and its edges), and stays close to the f32 product.
    func testInt8MultiplyEqualsQuantisedArithmetic() {
        var rng = SplitMix64(seed: 12)
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (4, 16, 16), (5, 33, 17), (9, 100, 50), (64, 96, 48), (7, 3072, 40)] {
            let a = (0..<(m * k)).map { _ in max(0, rng.nextUnitFloat() - 0.3) }  // ReLU'd: a third zero
            let w = (0..<(k * n)).map { _ in rng.nextUnitFloat() - 0.5 }
            let packed = w.withUnsafeBufferPointer { Gemm.Int8Matrix($0.baseAddress!, rows: k, cols: n) }
            let ldq = Gemm.quantizedStride(k) + 4, ldc = n + 3
            var q = [UInt8](repeating: 0xAA, count: m * ldq), scales = [Float](repeating: 0, count: m)
            var c = [Float](repeating: .nan, count: m * ldc)
            a.withUnsafeBufferPointer { ap in
                q.withUnsafeMutableBufferPointer { qp in
                    Gemm.quantizeRows(ap.baseAddress!, rows: m, cols: k, lda: k, into: qp.baseAddress!, ldq: ldq, scales: &scales)
                    c.withUnsafeMutableBufferPointer {
                        Gemm.multiply(qp.baseAddress!, rows: m, lda: ldq, rowScales: scales, packed, into: $0.baseAddress!, ldc: ldc)
                    }
                }
            }
            for i in 0..<m {
                for p in 0..<k {
                    XCTAssertLessThanOrEqual(q[i * ldq + p], 127)
                    XCTAssertEqual(Float(q[i * ldq + p]) * scales[i], a[i * k + p], accuracy: scales[i] / 2 + 1e-7)
                }
                for p in k..<Gemm.quantizedStride(k) { XCTAssertEqual(q[i * ldq + p], 0, "padding zeroed") }
                for j in 0..<n {
                    var exact: Double = 0, f32: Double = 0, magnitude: Double = 0
                    for p in 0..<k {
                        exact += Double(q[i * ldq + p]) * Double(scales[i]) * Double(packed[p, j])
                        f32 += Double(a[i * k + p]) * Double(w[p * n + j])
                        magnitude += abs(Double(a[i * k + p]) * Double(w[p * n + j]))
                    }
                    XCTAssertEqual(Double(c[i * ldc + j]), exact, accuracy: 1e-5 * max(1, magnitude), "\(m)x\(k)x\(n) (\(i), \(j))")
                    XCTAssertEqual(Double(c[i * ldc + j]), f32, accuracy: 0.02 * magnitude + 1e-6, "close to f32")
                }
                XCTAssertTrue(c[i * ldc + n].isNaN, "columns past n untouched")
            }
        }
    }

    /// Every int8 kernel gives the bits of the scalar one (exact integer sums, the same float steps).
    func int8PathGivesTheScalarBits(_ path: Int32, _ name: String) throws {
        guard Gemm.int8Path >= path else { throw XCTSkip("the \(name) int8 kernel is not tested: this CPU lacks it (best: \(Gemm.int8Kernel))") }
        var rng = SplitMix64(seed: 99)
        // The last shape is the worst case for 16-bit sums: every activation 127 and every weight +-63 (one sign per
        // column), so that four products add up to +-32,004 (the AVX2 kernel adds them in 16 bits).
        for (m, k, n) in [(1, 4, 1), (9, 100, 17), (17, 3072, 40), (64, 96, 48), (3, 8, 33), (5, 64, 32)] {
            let extreme = (m, k, n) == (5, 64, 32)
            let a = (0..<(m * k)).map { _ in extreme ? 1 : max(0, rng.nextUnitFloat() - 0.3) }
            let w = (0..<(k * n)).map { extreme ? ($0 % n % 2 == 0 ? 1 : -1) : rng.nextUnitFloat() - 0.5 }
            let packed = w.withUnsafeBufferPointer { Gemm.Int8Matrix($0.baseAddress!, rows: k, cols: n) }
            let ldq = Gemm.quantizedStride(k)
            var q = [UInt8](repeating: 0, count: m * ldq), scales = [Float](repeating: 0, count: m)
            var reference = [Float](repeating: 0, count: m * n), got = reference
            a.withUnsafeBufferPointer { ap in
                q.withUnsafeMutableBufferPointer { qp in
                    Gemm.quantizeRows(ap.baseAddress!, rows: m, cols: k, lda: k, into: qp.baseAddress!, ldq: ldq, scales: &scales)
                    reference.withUnsafeMutableBufferPointer {
                        Gemm.multiply(qp.baseAddress!, rows: m, lda: ldq, rowScales: scales, packed, into: $0.baseAddress!, ldc: n, path: 0)
                    }
                    got.withUnsafeMutableBufferPointer {
                        Gemm.multiply(qp.baseAddress!, rows: m, lda: ldq, rowScales: scales, packed, into: $0.baseAddress!, ldc: n, path: path)
                    }
                }
            }
            XCTAssertEqual(got.map(\.bitPattern), reference.map(\.bitPattern), "\(name) \(m)x\(k)x\(n)")
        }
    }

    func testInt8AVX2KernelGivesTheScalarBits() throws { try int8PathGivesTheScalarBits(1, "AVX2") }
    func testInt8VNNIKernelGivesTheScalarBits() throws { try int8PathGivesTheScalarBits(2, "AVX-512 VNNI") }
}
