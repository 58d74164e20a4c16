import XCTest
import LexelKernels
import LexelText
@testable import LexelTraining

/// Subsampling and negative sampling tables.
final class SamplingTests: XCTestCase {
    func testSubsamplingFormulas() {
        // f = 0.01, t = 1e-4: fastText keeps sqrt(0.01) + 0.01 = 0.11, the paper's formula sqrt(0.01) = 0.1.
        let counts: [Int64] = [100, 1]
        let ft = Subsampler(counts: counts, totalTokens: 10_000, t: 1e-4)
        let paper = Subsampler(counts: counts, totalTokens: 10_000, t: 1e-4, formula: .paper)
        XCTAssertEqual(ft.keepProbability(0), 0.11, accuracy: 1e-6)
        XCTAssertEqual(paper.keepProbability(0), 0.1, accuracy: 1e-6)
        XCTAssertEqual(ft.keepProbability(1), 1, "rare words are always kept")
        var rng = SplitMix64(seed: 9)
        var kept = 0
        for _ in 0..<100_000 where ft.keep(0, &rng) { kept += 1 }
        XCTAssertEqual(Double(kept) / 100_000, 0.11, accuracy: 0.005)
        let off = Subsampler(counts: counts, totalTokens: 10_000, t: 0)
        XCTAssertEqual(off.keepProbability(0), 1)
    }

    func testNegativeSamplerFollowsUnigramPower() {
        let counts: [Int64] = [1000, 300, 100, 10, 1]
        let s = NegativeSampler(counts: counts, power: 0.75)
        var rng = SplitMix64(seed: 11)
        var hist = [Int](repeating: 0, count: counts.count)
        let draws = 400_000
        for _ in 0..<draws { hist[Int(s.sample(&rng))] += 1 }
        let w = counts.map { pow(Double($0), 0.75) }
        let z = w.reduce(0, +)
        for i in 0..<counts.count {
            XCTAssertEqual(Double(hist[i]) / Double(draws), w[i] / z, accuracy: 0.004, "word \(i): \(hist)")
        }
    }
}
