import XCTest
import LexelText
import LexelIO
import LexelCore
import LexelKernels
@testable import LexelLexical

/// The quality numbers `lexel distill` prints: Spearman's rank correlation (hand-computed cases, ties), the pair
/// Spearman of two embeddings (invariant to rotations and to different dimensions; sampled pairs) and row cosines.
final class DistillEvaluationTests: XCTestCase {
    func testSpearmanOnHandComputedCases() {
        // One swap in four: 1 - 6 * sum(d^2) / (n (n^2 - 1)) = 1 - 6 * 2 / 60 = 0.8.
        XCTAssertEqual(spearmanCorrelation([1, 2, 3, 4], [10, 30, 20, 40]), 0.8, accuracy: 1e-12)
        XCTAssertEqual(spearmanCorrelation([1, 2, 3, 4], [4, 3, 2, 1]), -1, accuracy: 1e-12)
        XCTAssertEqual(spearmanCorrelation([1, 2, 3], [1, 8, 27]), 1, accuracy: 1e-12, "only the order counts")
        // Ties share their average rank: ranks (1.5, 1.5, 3) against (1, 2, 3): cov 1.5, variances 1.5 and 2.
        XCTAssertEqual(spearmanCorrelation([5, 5, 7], [1, 2, 3]), 1.5 / (1.5 * 2).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(spearmanCorrelation([2, 2, 2], [1, 2, 3]), 0, "a constant side has no correlation")
        XCTAssertEqual(spearmanCorrelation([1], [1]), 0)
    }

    /// Random unit rows.
    func units(_ n: Int, _ dim: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        var x = (0..<(n * dim)).map { _ in rng.nextUnitFloat() * 2 - 1 }
        for i in 0..<n {
            let norm = (0..<dim).reduce(Float(0)) { $0 + x[i * dim + $1] * x[i * dim + $1] }.squareRoot()
            for j in 0..<dim { x[i * dim + j] /= norm }
        }
        return x
    }

    func testPairSpearmanIsOneForTheSameGeometryInAnotherBasis() {
        let (n, dim) = (40, 6)
        let a = units(n, dim, seed: 1)
        // b = a rotated in the (0, 1) plane and padded with two zero columns: every dot product is unchanged.
        let (c, s) = (Float(0.6), Float(0.8))
        var b = [Float](repeating: 0, count: n * (dim + 2))
        for i in 0..<n {
            for j in 0..<dim { b[i * (dim + 2) + j] = a[i * dim + j] }
            b[i * (dim + 2) + 0] = c * a[i * dim] - s * a[i * dim + 1]
            b[i * (dim + 2) + 1] = s * a[i * dim] + c * a[i * dim + 1]
        }
        let all = pairSpearman(a, dim: dim, b, dim: dim + 2, count: n)
        XCTAssertEqual(all.pairs, n * (n - 1) / 2)
        XCTAssertEqual(all.spearman, 1, accuracy: 1e-6)
        let sampled = pairSpearman(a, dim: dim, b, dim: dim + 2, count: n, maxPairs: 100, seed: 7)
        XCTAssertEqual(sampled.pairs, 100)
        XCTAssertEqual(sampled.spearman, 1, accuracy: 1e-6)

        let other = units(n, dim, seed: 2)
        let unrelated = pairSpearman(a, dim: dim, other, dim: dim, count: n).spearman
        XCTAssertLessThan(abs(unrelated), 0.15, "independent embeddings do not correlate (got \(unrelated))")
        let negated = pairSpearman(a, dim: dim, a.map { -$0 }, dim: dim, count: n).spearman
        XCTAssertEqual(negated, 1, accuracy: 1e-6, "x.y = (-x).(-y)")
    }

    func testRowCosines() {
        let a: [Float] = [1, 0, 0, 1, 0, 0, 2, 2]
        let b: [Float] = [3, 0, 1, 1, 0, 0, -1, -1]
        let r = rowCosines(a, b, dim: 2, count: 4)
        // Rows: (1,0)/(3,0) -> 1; (0,1)/(1,1) -> 1/sqrt 2; zero/zero -> 1; (2,2)/(-1,-1) -> -1.
        XCTAssertEqual(r.mean, (1 + 0.5.squareRoot() + 1 - 1) / 4, accuracy: 1e-6)
        XCTAssertEqual(r.min, -1, accuracy: 1e-6)
        let zeroAgainstRow = rowCosines([0, 0], [1, 0], dim: 2, count: 1)
        XCTAssertEqual(zeroAgainstRow.mean, 0, "a zero row against a nonzero one has cosine 0")
        XCTAssertEqual(rowCosines([], [], dim: 2, count: 0).mean, 1)
    }
}
