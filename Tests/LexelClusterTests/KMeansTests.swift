import LexelCluster
import LexelCore
import LexelKernels
import XCTest

final class PanelKernelTests: XCTestCase {
    /// Every code path this CPU has gives the same bits as the plain C path, tails of rows and panels included.
    func testEveryPathMatchesScalarBitForBit() throws {
        let best = PanelMatrix.bestPath
        if best < 2 { print("SKIPPED: AVX-512 panel kernels (this CPU has no avx512f); testing path \(best) only") }
        for (m, n, d) in [(1, 1, 1), (13, 33, 7), (25, 64, 192), (7, 100, 17)] {
            let x = Matrix(rows: m, cols: d), c = Matrix(rows: n, cols: d)
            x.fillUniform(bound: 1, seed: UInt64(m))
            c.fillUniform(bound: 1, seed: UInt64(n))
            let packed = PanelMatrix(c.pointer, count: n, dim: d)
            for j in 0..<n where j % 3 == 0 { packed.setBias(j, Float(j) * 0.01) }
            var ref = ([Int32](repeating: 0, count: m), [Float](repeating: 0, count: m))
            packed.argmax(x.pointer, count: m, stride: d, best: &ref.0, score: &ref.1, path: 0)
            let refProducts = Matrix(rows: m, cols: n)
            packed.products(x.pointer, count: m, stride: d, into: refProducts.pointer, ldc: n, path: 0)
            // the plain path against a direct computation
            for i in 0..<m {
                var bestJ = 0, bestV = -Float.infinity
                for j in 0..<n {
                    var s: Float = 0
                    for p in 0..<d { s = s.addingProduct(x.row(i)[p], c.row(j)[p]) }  // fused, as fmaf
                    XCTAssertEqual(refProducts.row(i)[j], s)
                    let v = s + (j % 3 == 0 ? Float(j) * 0.01 : 0)
                    if v > bestV { (bestV, bestJ) = (v, j) }
                }
                XCTAssertEqual(Int(ref.0[i]), bestJ)
                XCTAssertEqual(ref.1[i], bestV)
            }
            for path in 1...max(1, best) where path <= best {
                var got = ([Int32](repeating: 0, count: m), [Float](repeating: 0, count: m))
                packed.argmax(x.pointer, count: m, stride: d, best: &got.0, score: &got.1, path: path)
                XCTAssertEqual(got.0, ref.0, "path \(path) m \(m) n \(n) d \(d)")
                XCTAssertEqual(got.1, ref.1, "path \(path)")
                let p = Matrix(rows: m, cols: n)
                packed.products(x.pointer, count: m, stride: d, into: p.pointer, ldc: n, path: path)
                XCTAssertEqual(Array(UnsafeBufferPointer(start: p.pointer, count: m * n)),
                               Array(UnsafeBufferPointer(start: refProducts.pointer, count: m * n)), "path \(path)")
            }
        }
    }
}

/// Points around `centers` well-separated centres in `d` dimensions, `per` each, centre i's points first.
func blobs(centers: Int, per: Int, d: Int, spread: Float = 0.05, seed: UInt64 = 7) -> (Matrix, [Int]) {
    var rng = SplitMix64(seed: seed)
    let m = Matrix(rows: centers * per, cols: d)
    var truth: [Int] = []
    for c in 0..<centers {
        for p in 0..<per {
            let row = m.row(c * per + p)
            for j in 0..<d { row[j] = (j % centers == c ? 1 : 0) + (rng.nextUnitFloat() * 2 - 1) * spread }
            truth.append(c)
        }
    }
    return (m, truth)
}

final class KMeansTests: XCTestCase {
    func testRecoversSeparatedClustersInBothMetrics() throws {
        let (m, truth) = blobs(centers: 5, per: 40, d: 10)
        for metric in KMeansOptions.Metric.allCases {
            var o = KMeansOptions(k: 5)
            o.metric = metric
            o.iterations = 20
            let r = try KMeans.run(PointSet(m), o)
            let a = ClusterAgreement(clusters: r.assignments, labels: truth.map { String($0) })
            XCTAssertEqual(a.ari, 1, accuracy: 1e-12, "\(metric)")
            XCTAssertEqual(a.nmi, 1, accuracy: 1e-12)
            XCTAssertEqual(r.sizes.sorted(), [40, 40, 40, 40, 40])
            if metric == .cosine {
                for c in 0..<5 { XCTAssertEqual(Kernels.norm(r.centroids.row(c), 10), 1, accuracy: 1e-5) }
                XCTAssertGreaterThan(r.objective / 200, 0.99)
            }
        }
    }

    func testSameResultAtAnyThreadCount() throws {
        let (m, _) = blobs(centers: 7, per: 300, d: 24, spread: 0.6)
        var results: [KMeansResult] = []
        for threads in [1, 2, 3] {
            var o = KMeansOptions(k: 9)
            o.threads = threads
            o.iterations = 8
            o.metric = threads == 3 ? .cosine : .cosine
            results.append(try KMeans.run(PointSet(m), o))
        }
        for r in results.dropFirst() {
            XCTAssertEqual(r.assignments, results[0].assignments)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: r.centroids.pointer, count: 9 * 24)),
                           Array(UnsafeBufferPointer(start: results[0].centroids.pointer, count: 9 * 24)))
            XCTAssertEqual(r.objective, results[0].objective)
        }
    }

    func testEuclideanObjectiveIsTheInertiaOfTheAssignment() throws {
        let (m, _) = blobs(centers: 3, per: 50, d: 6, spread: 0.5)
        var o = KMeansOptions(k: 4)
        o.metric = .euclidean
        let r = try KMeans.run(PointSet(m), o)
        var inertia = 0.0
        for i in 0..<m.rows {
            let c = r.centroids.row(Int(r.assignments[i]))
            var s = 0.0
            for j in 0..<6 { s += Double((m.row(i)[j] - c[j]) * (m.row(i)[j] - c[j])) }
            inertia += s
            // no other centroid is nearer
            for other in 0..<4 {
                var t = 0.0
                for j in 0..<6 { t += Double((m.row(i)[j] - r.centroids.row(other)[j]) * (m.row(i)[j] - r.centroids.row(other)[j])) }
                XCTAssertGreaterThanOrEqual(t + 1e-4, s)
            }
        }
        XCTAssertEqual(r.objective, inertia, accuracy: inertia * 1e-5)
    }

    func testEmptyClustersAreRepairedFromGivenDuplicateCentroids() throws {
        let (m, _) = blobs(centers: 3, per: 30, d: 6)
        var o = KMeansOptions(k: 3)
        let first = Array(UnsafeBufferPointer(start: m.row(0), count: 6))
        o.initialisation = .centroids(first + first + first)
        let r = try KMeans.run(PointSet(m), o)
        XCTAssertEqual(r.iterations[0].repaired, 2)
        XCTAssertFalse(r.sizes.contains(0))
    }

    func testBadInputsAreClearErrors() {
        let (m, _) = blobs(centers: 2, per: 3, d: 4)
        func message(_ o: KMeansOptions, _ points: PointSet) -> String {
            do { _ = try KMeans.run(points, o); return "no error" } catch { return "\(error)" }
        }
        XCTAssertTrue(message(KMeansOptions(k: 7), PointSet(m)).contains("k = 7 clusters need at least 7 points, but there are 6"))
        XCTAssertTrue(message(KMeansOptions(k: 0), PointSet(m)).contains("k must be at least 1"))
        m.row(4)[2] = .nan
        XCTAssertTrue(message(KMeansOptions(k: 2), PointSet(m)).contains("row 4 has a value that is not a finite number (column 2)"))
        m.row(4)[2] = 0
        for j in 0..<4 { m.row(1)[j] = 0 }
        XCTAssertTrue(message(KMeansOptions(k: 2), PointSet(m)).contains("row 1 is all zeros"))
        var e = KMeansOptions(k: 2)
        e.metric = .euclidean
        XCTAssertEqual(message(e, PointSet(m)), "no error")
        XCTAssertTrue(message(KMeansOptions(k: 1), PointSet(Matrix(rows: 0, cols: 3))).contains("no points"))
    }

    func testAgreementMatchesScikitLearn() {
        // sklearn.metrics 1.9 on these labels: NMI 0.3946483716358942, ARI 0.09090909090909091,
        // homogeneity = completeness = v-measure 0.3946483716358942
        let a = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2].map { String($0) }
        let b: [Int32] = [0, 0, 1, 1, 1, 2, 2, 2, 0, 0]
        let g = ClusterAgreement(clusters: b, labels: a)
        XCTAssertEqual(g.nmi, 0.3946483716358942, accuracy: 1e-12)
        XCTAssertEqual(g.ari, 0.09090909090909091, accuracy: 1e-12)
        XCTAssertEqual(g.vMeasure, 0.3946483716358942, accuracy: 1e-12)
        XCTAssertEqual(g.homogeneity, 0.3946483716358942, accuracy: 1e-12)
    }

    func testSilhouetteMatchesScikitLearnOnAllPoints() {
        // sklearn.metrics.silhouette_score(X, l) = 0.8381087202020668 (Euclidean)
        let pts: [[Float]] = [[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5], [10, 0], [10, 1]]
        let m = Matrix(rows: 8, cols: 2)
        for (i, p) in pts.enumerated() { m.row(i)[0] = p[0]; m.row(i)[1] = p[1] }
        let s = ClusterMetrics.silhouette(PointSet(m), clusters: [0, 0, 0, 1, 1, 1, 2, 2], metric: .euclidean, sample: 100)
        XCTAssertEqual(s, 0.8381087202020668, accuracy: 1e-6)
    }
}

final class BoundedAssignmentTests: XCTestCase {
    /// With bounds, k-means skips most products once the centroids settle, and still gives the full computation's
    /// result bit for bit, in both metrics and at any thread count.
    func testBoundsGiveTheFullResultExactly() throws {
        let (m, _) = blobs(centers: 40, per: 60, d: 24, spread: 0.9)
        for metric in KMeansOptions.Metric.allCases {
            var results: [KMeansResult] = []
            for (bounds, threads) in [(false, 1), (true, 1), (true, 3)] {
                var o = KMeansOptions(k: 150)  // 5 panels of 32
                (o.metric, o.precision, o.bounds, o.threads, o.iterations) = (metric, .f32, bounds, threads, 15)
                results.append(try KMeans.run(PointSet(m), o))
            }
            for r in results.dropFirst() {
                XCTAssertEqual(r.assignments, results[0].assignments, "\(metric)")
                XCTAssertEqual(r.distances, results[0].distances)
                XCTAssertEqual(Array(UnsafeBufferPointer(start: r.centroids.pointer, count: 150 * 24)),
                               Array(UnsafeBufferPointer(start: results[0].centroids.pointer, count: 150 * 24)))
                XCTAssertEqual(r.iterations.map(\.objective), results[0].iterations.map(\.objective))
            }
            XCTAssertLessThan(results[1].iterations.last!.computed, 0.8, "the bounds skip products")
            XCTAssertEqual(results[0].iterations.last!.computed, 1)
        }
    }
}
