import LexelCore
import LexelKernels
@testable import LexelLexical
import XCTest

/// The static model's trainer: its gradient against finite differences of the loss, results independent of the
/// thread count, a loss that falls, and the static network through the model file and back.
final class StaticDistillerTests: XCTestCase {
    /// 12 documents over 9 rows of 5, a random teacher.
    static func problem(seed: UInt64 = 3) -> (features: [SparseVector], teacher: [Float], rows: [Float]) {
        var rng = SplitMix64(seed: seed)
        let features: [SparseVector] = (0..<12).map { i in
            var x = SparseVector()
            for r in 0..<9 where (i + r) % 3 != 0 { x.indices.append(Int32(r)); x.values.append(Float(1 + (i * r) % 3)) }
            return x
        }
        let teacher = (0..<(12 * 5)).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let rows = (0..<(9 * 5)).map { _ in rng.nextUnitFloat() * 2 - 1 }
        return (features, teacher, rows)
    }

    func testGradientMatchesFiniteDifferences() throws { try checkGradient(StaticDistillOptions()) }

    /// With the Gram-KL term (weight 0.7, temperature 0.5) the gradient still matches the loss.
    func testGradientWithTheGramTermMatchesFiniteDifferences() throws {
        var o = StaticDistillOptions()
        (o.gramWeight, o.gramTemperature) = (0.7, 0.5)
        try checkGradient(o)
        let (features, teacher, rows) = Self.problem()
        func lossOf(_ o: StaticDistillOptions) throws -> Double {
            let s = try StaticDistiller(rows: rows, count: 9, dim: 5, options: o)
            let z = teacher.withUnsafeBufferPointer { unitRows($0.baseAddress!, count: 12, dim: 5) }
            let y = UnsafeMutablePointer<Float>.allocate(capacity: 60), g = UnsafeMutablePointer<Float>.allocate(capacity: 60)
            defer { y.deallocate(); g.deallocate() }
            return s.forwardLoss((0..<12).map(Int32.init), features, z, y, g)
        }
        XCTAssertGreaterThan(try lossOf(o), try lossOf(StaticDistillOptions()), "the term adds to the loss")
        o.gramTemperature = 0
        XCTAssertThrowsError(try StaticDistiller(rows: rows, count: 9, dim: 5, options: o))
    }

    func checkGradient(_ options: StaticDistillOptions) throws {
        let (features, teacher, rows) = Self.problem()
        let batch = (0..<12).map(Int32.init)
        func loss(_ w: [Float]) throws -> Double {
            let s = try StaticDistiller(rows: w, count: 9, dim: 5, options: options)
            let z = teacher.withUnsafeBufferPointer { unitRows($0.baseAddress!, count: 12, dim: 5) }
            let y = UnsafeMutablePointer<Float>.allocate(capacity: 60), g = UnsafeMutablePointer<Float>.allocate(capacity: 60)
            defer { y.deallocate(); g.deallocate() }
            return s.forwardLoss(batch, features, z, y, g)
        }
        let s = try StaticDistiller(rows: rows, count: 9, dim: 5, options: options)
        let z = teacher.withUnsafeBufferPointer { unitRows($0.baseAddress!, count: 12, dim: 5) }
        let y = UnsafeMutablePointer<Float>.allocate(capacity: 60), g = UnsafeMutablePointer<Float>.allocate(capacity: 60)
        let grad = UnsafeMutablePointer<Float>.allocate(capacity: 45)
        defer { y.deallocate(); g.deallocate(); grad.deallocate() }
        _ = s.forwardLoss(batch, features, z, y, g)
        s.backward(batch, features, (0..<9).map(Int32.init), g, grad, 9)  // every row touched, slot r = row r
        let h: Float = 1e-3
        var worst = 0.0
        for k in 0..<45 {
            var plus = rows, minus = rows
            plus[k] += h
            minus[k] -= h
            let numeric = (try loss(plus) - loss(minus)) / Double(2 * h)
            worst = max(worst, abs(numeric - Double(grad[k])))
            XCTAssertEqual(Double(grad[k]), numeric, accuracy: 2e-3, "weight \(k), Gram-KL weight \(options.gramWeight)")
        }
        XCTAssertLessThan(worst, 2e-3)
    }

    func testTrainingLowersTheLossAndIgnoresTheThreadCount() throws {
        let (features, teacher, rows) = Self.problem()
        var results: [[Float]] = []
        for threads in [1, 3] {
            var o = StaticDistillOptions()
            (o.epochs, o.batchSize, o.learningRate, o.threads) = (30, 4, 0.05, threads)
            let s = try StaticDistiller(rows: rows, count: 9, dim: 5, options: o)
            var losses: [Double] = []
            teacher.withUnsafeBufferPointer { s.train(features: features, teacher: $0.baseAddress!) { _, _, l in losses.append(l) } }
            XCTAssertEqual(losses.count, 30 * 3)
            let first = losses.prefix(3).reduce(0, +), last = losses.suffix(3).reduce(0, +)
            XCTAssertLessThan(last, first * 0.8, "the loss falls: \(first / 3) -> \(last / 3)")
            results.append(s.rows)
        }
        XCTAssertEqual(results[0], results[1], "1 and 3 threads give the same rows, bit for bit")
    }

    func testAnchorKeepsRowsNearTheirStart() throws {
        let (features, teacher, rows) = Self.problem()
        func drift(anchor: Float) throws -> Float {
            var o = StaticDistillOptions()
            (o.epochs, o.batchSize, o.learningRate, o.anchor) = (20, 4, 0.05, anchor)
            let s = try StaticDistiller(rows: rows, count: 9, dim: 5, options: o)
            teacher.withUnsafeBufferPointer { s.train(features: features, teacher: $0.baseAddress!) }
            return zip(s.rows, rows).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
        let free = try drift(anchor: 0), held = try drift(anchor: 15)
        XCTAssertLessThan(held, free * 0.5, "anchored rows move less: \(held) vs \(free)")
    }

    func testStaticNetworkRoundTripsThroughTheModelFile() throws {
        let (features, _, rows) = Self.problem()
        let s = try StaticDistiller(rows: rows, count: 9, dim: 5, options: StaticDistillOptions())
        let net = try s.network()
        XCTAssertTrue(net.isStatic)
        XCTAssertEqual(net.dims, [5])
        var out = [Float](repeating: 0, count: 12 * 5), scratch = [Float](repeating: 0, count: net.scratchCount(batch: 12))
        out.withUnsafeMutableBufferPointer { o in scratch.withUnsafeMutableBufferPointer { net.embed(features, into: o.baseAddress!, scratch: $0.baseAddress!) } }
        XCTAssertEqual(out, s.embed(features), "the network's output is the normalised row sum, no ReLU")
        XCTAssertTrue(out.contains { $0 < 0 }, "negative values survive (no ReLU)")
    }
}

/// The Jacobi eigen-solver behind `distill-static --dims` (PCA of the teacher's space).
final class SymmetricEigenTests: XCTestCase {
    func testReconstructsARandomSymmetricMatrix() {
        let n = 7
        var rng = SplitMix64(seed: 9)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in i..<n { let x = Double(rng.nextUnitFloat()) * 2 - 1; a[i * n + j] = x; a[j * n + i] = x } }
        let (values, vectors) = SymmetricEigen.decompose(a, n: n)
        XCTAssertEqual(values, values.sorted(by: >), "descending")
        for i in 0..<n {
            for j in 0..<n {
                // A = V diag(values) Vᵀ, and VᵀV = I
                let rebuilt = (0..<n).reduce(0.0) { $0 + vectors[i * n + $1] * values[$1] * vectors[j * n + $1] }
                XCTAssertEqual(rebuilt, a[i * n + j], accuracy: 1e-10)
                let gram = (0..<n).reduce(0.0) { $0 + vectors[$1 * n + i] * vectors[$1 * n + j] }
                XCTAssertEqual(gram, i == j ? 1 : 0, accuracy: 1e-10)
            }
        }
        XCTAssertEqual(SymmetricEigen.decompose([2, 1, 1, 2], n: 2).values[0], 3, accuracy: 1e-12)
    }
}
