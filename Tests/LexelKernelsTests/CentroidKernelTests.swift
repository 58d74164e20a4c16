import XCTest
@testable import LexelKernels

/// The transposed nearest-centroid kernel against a plain loop, ties included.
final class CentroidKernelTests: XCTestCase {
    func testNearestCentroidEqualsBruteForce() {
        var rng = SplitMix64(seed: 3)
        for d in [1, 2, 3, 5] {
            for k in [16, 256] {
                let c = (0..<(k * d)).map { _ in rng.nextUnitFloat() * 2 - 1 }
                var t = [Float](repeating: 0, count: k * d)
                for i in 0..<k { for j in 0..<d { t[j * k + i] = c[i * d + j] } }
                for _ in 0..<50 {
                    let x = (0..<d).map { _ in rng.nextUnitFloat() * 2 - 1 }
                    var best = 0, bestDistance = Float.infinity
                    for i in 0..<k {
                        var s: Float = 0
                        for j in 0..<d { s += (x[j] - c[i * d + j]) * (x[j] - c[i * d + j]) }
                        if s < bestDistance { (best, bestDistance) = (i, s) }
                    }
                    let got = Kernels.nearestCentroid(x, d, transposed: t, k)
                    XCTAssertEqual(got.index, best, "d \(d) k \(k)")
                    XCTAssertEqual(got.distance, bestDistance, "d \(d) k \(k)")
                }
            }
        }
    }

    func testTiesGoToTheLowerIndex() {
        // centroids 5, 20 and 40 are the same point; the query sits on it
        let k = 48, d = 2
        var t = [Float](repeating: 9, count: k * d)
        for i in [40, 20, 5] { t[i] = 0.5; t[k + i] = -0.25 }
        let got = Kernels.nearestCentroid([0.5, -0.25], d, transposed: t, k)
        XCTAssertEqual(got.index, 5)
        XCTAssertEqual(got.distance, 0)
    }
}
