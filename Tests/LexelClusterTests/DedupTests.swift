import LexelCluster
import LexelCore
import LexelKernels
import XCTest

final class Int8AssignmentTests: XCTestCase {
    /// The VNNI path and the plain path give the same choices, bias or not, tails of rows and panels included.
    func testFastPathMatchesPlainPath() throws {
        guard Int8PanelMatrix.fast else {
            print("SKIPPED: int8 VNNI assignment kernel (this CPU has no avx512vnni); the plain path is tested by the k-means tests")
            return
        }
        for (m, n, d) in [(1, 1, 3), (13, 33, 7), (40, 100, 192), (25, 64, 17)] {
            let x = Matrix(rows: m, cols: d), c = Matrix(rows: n, cols: d)
            x.fillUniform(bound: 1, seed: UInt64(m + 1))
            c.fillUniform(bound: 1, seed: UInt64(n + 2))
            for bias in [nil, (0..<n).map { -Float($0 % 5) * 0.1 }] {
                let coded = Int8PanelMatrix(c.pointer, count: n, dim: d, bias: bias)
                let codes = UnsafeMutablePointer<UInt8>.allocate(capacity: m * coded.quads * 4)
                let inverse = UnsafeMutablePointer<Float>.allocate(capacity: m)
                defer { codes.deallocate(); inverse.deallocate() }
                coded.code(x.pointer, count: m, stride: d, into: codes, inverse: inverse)
                var fast = [Int32](repeating: -1, count: m), plain = [Int32](repeating: -2, count: m)
                coded.argmax(codes, count: m, inverse: inverse, best: &fast)
                coded.argmax(codes, count: m, inverse: inverse, best: &plain, plain: true)
                XCTAssertEqual(fast, plain, "m \(m) n \(n) d \(d) bias \(bias != nil)")
                XCTAssertTrue(plain.allSatisfy { $0 >= 0 && $0 < n })
            }
        }
    }

    func testInt8KMeansRecoversClustersAndIsThreadIndependent() throws {
        let (m, truth) = blobs(centers: 6, per: 60, d: 40, spread: 0.3)
        var results: [KMeansResult] = []
        for threads in [1, 2] {
            var o = KMeansOptions(k: 6)
            (o.precision, o.threads) = (.int8, threads)
            results.append(try KMeans.run(PointSet(m), o))
        }
        XCTAssertEqual(results[0].assignments, results[1].assignments)
        XCTAssertEqual(ClusterAgreement(clusters: results[0].assignments, labels: truth.map { String($0) }).ari, 1, accuracy: 1e-12)
        // the distances reported are the exact f32 ones of the chosen centroid
        let r = results[0]
        for i in 0..<m.rows {
            var row = Array(UnsafeBufferPointer(start: m.row(i), count: 40))
            row.withUnsafeMutableBufferPointer { _ = Kernels.normalize($0.baseAddress!, 40) }
            let cos = Kernels.dot(row, r.centroids.row(Int(r.assignments[i])), 40)
            XCTAssertEqual(r.distances[i], 1 - cos, accuracy: 1e-5)
        }
    }
}

final class DedupTests: XCTestCase {
    /// 30 distinct unit points, then copies of points 0...9 nudged by tiny amounts: the copies (or their
    /// originals) go, one of each pair, and nothing else.
    func testNearDuplicatesAreRemovedOncePerGroup() throws {
        let d = 16, base = 30, copies = 10
        let m = Matrix(rows: base + copies, cols: d)
        var rng = SplitMix64(seed: 3)
        for i in 0..<base { for j in 0..<d { m.row(i)[j] = rng.nextUnitFloat() * 2 - 1 } }
        for c in 0..<copies { for j in 0..<d { m.row(base + c)[j] = m.row(c)[j] + (rng.nextUnitFloat() - 0.5) * 0.002 } }
        let points = PointSet(m)
        var o = KMeansOptions(k: 3)
        o.iterations = 10
        let clusters = try KMeans.run(points, o)
        for keep in SemanticDedup.Keep.allCases {
            let r = try SemanticDedup.run(points, clusters: clusters, eps: [0.001, 0.3], keep: keep, seed: 1, threads: 2)
            let removed = (0..<(base + copies)).filter { r.removed[0][$0] }
            XCTAssertEqual(removed.count, copies, "\(keep)")
            for c in 0..<copies { XCTAssertNotEqual(r.removed[0][c], r.removed[0][base + c], "pair \(c), \(keep)") }
            XCTAssertGreaterThanOrEqual(r.removedCount(1), r.removedCount(0))  // larger eps removes more
            let again = try SemanticDedup.run(points, clusters: clusters, eps: [0.001, 0.3], keep: keep, seed: 1, threads: 1)
            XCTAssertEqual(again.removed, r.removed)
        }
        // hard keeps the one farther from its centroid
        let hard = try SemanticDedup.run(points, clusters: clusters, eps: [0.001], keep: .hard, seed: 1, threads: 2)
        for c in 0..<copies {
            let kept = hard.removed[0][c] ? base + c : c, gone = hard.removed[0][c] ? c : base + c
            XCTAssertGreaterThanOrEqual(clusters.distances[kept], clusters.distances[gone])
        }
    }

    func testExcludedPointsAreNeitherKeptNorCompared() throws {
        let m = Matrix(rows: 3, cols: 4)
        for i in 0..<3 { m.row(i)[0] = 1; m.row(i)[1] = Float(i) * 1e-4 }
        let points = PointSet(m)
        let clusters = try KMeans.run(points, KMeansOptions(k: 1))
        let r = try SemanticDedup.run(points, clusters: clusters, eps: [0.01], keep: .easy, seed: 1,
                                      excluded: [false, true, false], threads: 1)
        XCTAssertEqual(r.removed[0].filter { $0 }.count, 2)  // the excluded one, and one of the other two
        XCTAssertTrue(r.removed[0][1])
        XCTAssertThrowsError(try SemanticDedup.run(points, clusters: clusters, eps: [-1], keep: .hard, seed: 1, threads: 1))
    }

    func testFingerprintsIgnoreCaseAndSpacingOnly() {
        func fp(_ s: String) -> TextFingerprint { Array(s.utf8).withUnsafeBufferPointer { TextFingerprint($0) } }
        XCTAssertEqual(fp("Hello   World\n"), fp("hello world"))
        XCTAssertEqual(fp("  a\tb "), fp("A B"))
        XCTAssertNotEqual(fp("hello world"), fp("hello, world"))
        XCTAssertNotEqual(fp("ab"), fp("a b"))
        XCTAssertEqual(TextFingerprint.laterCopies([fp("x"), fp("y"), fp("X"), fp("x ")]), [false, false, true, true])
    }
}
