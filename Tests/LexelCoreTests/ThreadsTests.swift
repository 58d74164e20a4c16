import XCTest
import LexelCore

final class ThreadsTests: XCTestCase {
    func testRunOnThreadsRunsEveryIndex() {
        let hits = UnsafeMutablePointer<Int>.allocate(capacity: 5)
        hits.initialize(repeating: 0, count: 5)
        defer { hits.deallocate() }
        let h = Unchecked(hits)
        runOnThreads(5) { i in h.value[i] += 1 }
        XCTAssertEqual((0..<5).map { hits[$0] }, [1, 1, 1, 1, 1])
    }

    func testParallelForCoversEveryIndexOnceWithAlignedSlices() {
        for (count, threads, align) in [(0, 3, 1), (1, 4, 1), (10, 3, 1), (100, 7, 8), (5, 1, 4)] {
            let hits = UnsafeMutablePointer<Int>.allocate(capacity: max(1, count))
            hits.initialize(repeating: 0, count: max(1, count))
            defer { hits.deallocate() }
            let h = Unchecked(hits)
            parallelFor(count, threads: threads, align: align) { _, range in
                if range.lowerBound % align != 0 { h.value[0] = -1000 }
                for i in range { h.value[i] += 1 }
            }
            XCTAssertEqual((0..<count).map { hits[$0] }, [Int](repeating: 1, count: count), "\(count) \(threads) \(align)")
        }
    }

    func testConcurrentlyRunsBothOnTwoThreadsAndPassesErrorsOn() throws {
        let (a, b) = try concurrently({ pthread_self() }, { pthread_self() })
        XCTAssertEqual(pthread_equal(a, b), 0, "the two bodies run on different threads")
        let (x, y) = try concurrently({ (1...100).reduce(0, +) }, { "done" })
        XCTAssertEqual(x, 5050)
        XCTAssertEqual(y, "done")
        XCTAssertThrowsError(try concurrently({ 1 }, { () throws -> Int in throw LexelError("second failed") })) {
            XCTAssertEqual(($0 as? LexelError)?.message, "second failed")
        }
        XCTAssertThrowsError(try concurrently({ () throws -> Int in throw LexelError("first failed") }, { 2 })) {
            XCTAssertEqual(($0 as? LexelError)?.message, "first failed")
        }
    }
}
