import XCTest
import LexelCore
import LexelKernels
@testable import LexelClassifier

/// fastText's product quantiser as Lexel trains it: k-means lowers the quantisation error, codes name the nearest
/// centroid, norms apart, and the same seed gives the same quantiser whatever the thread count.
final class ProductQuantizerTests: XCTestCase {
    func uniformRows(_ n: Int, _ dim: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(n * dim)).map { _ in rng.nextUnitFloat() * 2 - 1 }
    }

    /// Mean squared error of the rows against their decoded codes.
    func error(_ q: QuantizedRows, _ x: [Float]) -> Double {
        var total = 0.0
        for i in 0..<q.rows {
            var decoded = [Float](repeating: 0, count: q.cols)
            decoded.withUnsafeMutableBufferPointer { q.add(row: i, into: $0.baseAddress!) }
            for j in 0..<q.cols { total += Double((decoded[j] - x[i * q.cols + j]) * (decoded[j] - x[i * q.cols + j])) }
        }
        return total / Double(x.count)
    }

    func testKMeansLowersTheErrorOfItsStart() {
        let n = 1200, x = uniformRows(n, 2, seed: 1)
        func objective(_ c: [Float]) -> Double {
            var t = [Float](repeating: 0, count: 512)
            for i in 0..<256 { t[i] = c[2 * i]; t[256 + i] = c[2 * i + 1] }
            return (0..<n).reduce(0.0) { s, i in s + Double(Kernels.nearestCentroid(Array(x[(2 * i)..<(2 * i + 2)]), 2, transposed: t, 256).distance) }
        }
        var r0 = SplitMix64(seed: 5), r1 = SplitMix64(seed: 5)
        let start = objective(ProductQuantizer.kmeans(x, count: n, d: 2, &r0, iterations: 0))
        let trained = objective(ProductQuantizer.kmeans(x, count: n, d: 2, &r1))
        XCTAssertLessThan(trained, 0.6 * start, "25 iterations of k-means from the same start (measured: 0.49)")
    }

    func testQuantizedRowsDecodeNearTheirRowsAndDoNotDependOnThreads() throws {
        let n = 300, dim = 7, x = uniformRows(n, dim, seed: 2)
        try x.withUnsafeBufferPointer { p in
            let m = RowMatrix(base: p.baseAddress!, rows: n, cols: dim, owner: self)
            let one = try QuantizedRows.quantize(m, dsub: 2, normsApart: false, seed: 4, threads: 1, what: "test")
            let two = try QuantizedRows.quantize(m, dsub: 2, normsApart: false, seed: 4, threads: 2, what: "test")
            XCTAssertEqual(one.codes, two.codes)
            XCTAssertEqual(one.pq.centroids, two.pq.centroids)
            XCTAssertEqual(one.pq.subquantizers, 4)
            XCTAssertEqual(one.pq.lastDsub, 1)
            // 300 rows, 256 centroids a part: the error is a small part of the values' variance (1/3)
            XCTAssertLessThan(error(one, x), 0.002)
            // each code is the nearest centroid of its part
            for i in stride(from: 0, to: n, by: 29) {
                for part in 0..<4 {
                    let d = part == 3 ? 1 : 2
                    let code = one.codes[i * 4 + part]
                    let own = (0..<d).reduce(Float(0)) { s, j in
                        let v = x[i * dim + part * 2 + j] - one.pq.centroids[one.pq.offset(part, code) + j]
                        return s + v * v
                    }
                    for other in 0...255 {
                        let o = (0..<d).reduce(Float(0)) { s, j in
                            let v = x[i * dim + part * 2 + j] - one.pq.centroids[one.pq.offset(part, UInt8(other)) + j]
                            return s + v * v
                        }
                        XCTAssertLessThanOrEqual(own, o)
                    }
                }
            }
            let normed = try QuantizedRows.quantize(m, dsub: 2, normsApart: true, seed: 4, threads: 2, what: "test")
            XCTAssertNotNil(normed.normCodes)
            XCTAssertLessThan(error(normed, x), 0.002)
        }
    }

    func testTooFewRowsIsAClearError() throws {
        let x = uniformRows(100, 4, seed: 3)
        try x.withUnsafeBufferPointer { p -> Void in
            XCTAssertThrowsError(try QuantizedRows.quantize(RowMatrix(base: p.baseAddress!, rows: 100, cols: 4, owner: self),
                                                            dsub: 2, normsApart: false, seed: 1, threads: 1, what: "output matrix (-qout)")) {
                XCTAssert("\($0)".contains("output matrix (-qout): 100 rows are too few to quantise (at least 256"), "\($0)")
            }
        }
    }
}
