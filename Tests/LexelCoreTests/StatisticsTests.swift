import XCTest
import LexelCore

final class StatisticsTests: XCTestCase {
    func testSpearmanOnHandComputedCases() {
        XCTAssertEqual(spearmanCorrelation([1, 2, 3, 4] as [Double], [10, 30, 20, 40]), 0.8, accuracy: 1e-12)
        XCTAssertEqual(spearmanCorrelation([5, 5, 7] as [Float], [1, 2, 3]), 1.5 / (1.5 * 2).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(spearmanCorrelation([2, 2, 2] as [Double], [1, 2, 3]), 0, "a constant side has no correlation")
        XCTAssertEqual(averageRanks([10, 20, 20, 5] as [Double]), [2, 3.5, 3.5, 1])
    }

    func testTopKKeepsTheBestInOrderAndEarlierTiesFirst() {
        var t = TopK(k: 3)
        for (i, s) in [0.1, 0.9, 0.5, 0.9, 0.3, 0.95].enumerated() { t.offer(i, Float(s)) }
        XCTAssertEqual(t.items.map(\.0), [5, 1, 3])
        XCTAssertEqual(TopK(k: 0).threshold, .infinity, "k 0 keeps nothing")
    }
}
