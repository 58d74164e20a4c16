import CKernels
import XCTest
@testable import LexelKernels

final class Bf16GemmTests: XCTestCase {
    /// Rounding to bf16: to nearest, ties to even, overflow to infinity, NaN kept, subnormals to a signed zero.
    func testRoundingToBF16() {
        let cases: [(Float, UInt16)] = [
            (1, 0x3F80), (-2, 0xC000), (0, 0), (-0.0, 0x8000),
            (Float(bitPattern: 0x3F80_8000), 0x3F80),   // tie, even below: down
            (Float(bitPattern: 0x3F81_8000), 0x3F82),   // tie, odd below: up
            (Float(bitPattern: 0x3F80_8001), 0x3F81),   // above the tie: up
            (Float(bitPattern: 0x3F80_7FFF), 0x3F80),   // below the tie: down
            (.greatestFiniteMagnitude, 0x7F80), (.infinity, 0x7F80), (-.infinity, 0xFF80),
            (Float(bitPattern: 0x0000_0001), 0), (-Float(bitPattern: 0x007F_FFFF), 0x8000),
        ]
        for (x, want) in cases {
            var got: UInt16 = 0
            lexel_bf16_round([x], 1, &got)
            XCTAssertEqual(got, want, "\(x) (bits \(String(x.bitPattern, radix: 16)))")
        }
        var nan: UInt16 = 0
        lexel_bf16_round([.nan], 1, &nan)
        XCTAssertTrue(Float(bitPattern: UInt32(nan) << 16).isNaN)
    }

    /// The AVX-512 rows rounding gives the bits of the plain one (random values, subnormals, odd row lengths).
    func testRowRoundingKernelGivesThePlainBits() throws {
        guard Gemm.bf16Available else { throw XCTSkip("the AVX-512 BF16 rounding is not tested: this CPU lacks AVX-512 BF16") }
        var rng = SplitMix64(seed: 3)
        let (m, k) = (5, 77), ldq = Gemm.bf16Stride(k) + 2
        var a = (0..<(m * k)).map { _ in (rng.nextUnitFloat() - 0.5) * 1e3 }
        for i in stride(from: 0, to: a.count, by: 9) { a[i] = Float(bitPattern: UInt32(i + 1)) * (i % 2 == 0 ? 1 : -1) }
        var q = [UInt16](repeating: 0xABCD, count: m * ldq)
        a.withUnsafeBufferPointer { ap in q.withUnsafeMutableBufferPointer {
            Gemm.roundRowsBF16(ap.baseAddress!, rows: m, cols: k, lda: k, into: $0.baseAddress!, ldq: ldq)
        } }
        for i in 0..<m {
            var want = [UInt16](repeating: 0, count: k)
            a.withUnsafeBufferPointer { lexel_bf16_round($0.baseAddress! + i * k, k, &want) }
            XCTAssertEqual(Array(q[(i * ldq)..<(i * ldq + k)]), want, "row \(i)")
            XCTAssertEqual(q[i * ldq + k], 0, "the padding value of an odd row is zeroed")
        }
    }

    /// The bf16 product, on each path this CPU has, equals the sum of the bf16-rounded operands' products (within
    /// f32 summation error) for every shape class, and stays close to the f32 product.
    func testMultiplyEqualsRoundedArithmetic() throws {
        var rng = SplitMix64(seed: 21)
        let paths: [Int32] = Gemm.bf16Available ? [0, 1] : [0]
        if !Gemm.bf16Available { print("note: only the plain-C bf16 path is tested: this CPU lacks AVX-512 BF16") }
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (8, 16, 16), (9, 33, 17), (17, 100, 50), (7, 3071, 40)] {
            let a = (0..<(m * k)).map { _ in max(0, rng.nextUnitFloat() - 0.3) }
            let w = (0..<(k * n)).map { _ in rng.nextUnitFloat() - 0.5 }
            let wt = (0..<(n * k)).map { w[($0 % k) * n + $0 / k] }
            let packed = wt.withUnsafeBufferPointer { Gemm.BF16Matrix($0.baseAddress!, rows: k, cols: n, transposed: true) }
            let ldq = Gemm.bf16Stride(k), ldc = n + 3
            var q = [UInt16](repeating: 0, count: m * ldq)
            a.withUnsafeBufferPointer { ap in q.withUnsafeMutableBufferPointer {
                Gemm.roundRowsBF16(ap.baseAddress!, rows: m, cols: k, lda: k, into: $0.baseAddress!, ldq: ldq)
            } }
            for path in paths {
                var c = [Float](repeating: .nan, count: m * ldc)
                c.withUnsafeMutableBufferPointer { Gemm.multiply(q, rows: m, lda: ldq, packed, into: $0.baseAddress!, ldc: ldc, path: path) }
                for i in 0..<m {
                    for j in 0..<n {
                        var exact: Double = 0, f32: Double = 0, magnitude: Double = 0
                        for p in 0..<k {
                            let x = Double(Float(bitPattern: UInt32(q[i * ldq + p]) << 16))
                            exact += x * Double(packed[p, j])
                            f32 += Double(a[i * k + p]) * Double(w[p * n + j])
                            magnitude += abs(Double(a[i * k + p]) * Double(w[p * n + j]))
                            XCTAssertEqual(Double(packed[p, j]), Double(w[p * n + j]), accuracy: abs(Double(w[p * n + j])) / 256)
                        }
                        let got = Double(c[i * ldc + j])
                        XCTAssertEqual(got, exact, accuracy: 1e-6 * Double(k) * max(1e-3, magnitude), "path \(path) \(m)x\(k)x\(n) (\(i), \(j))")
                        XCTAssertEqual(got, f32, accuracy: 0.01 * magnitude + 1e-6, "close to f32")
                    }
                    XCTAssertTrue(c[i * ldc + n].isNaN, "columns past n untouched")
                }
            }
        }
    }
}
