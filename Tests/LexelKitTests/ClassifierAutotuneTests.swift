import Foundation
import XCTest
import LexelKit
import LexelTestSupport

/// Autotuning: fastText's metric spellings, a search that finds better arguments than the defaults on a set
/// where they are poor, the same result whatever the thread count, and a model that fits its size budget.
final class ClassifierAutotuneTests: XCTestCase {
    func testMetricSpellings() throws {
        XCTAssertEqual(try AutotuneMetric(parsing: "f1"), .f1)
        XCTAssertEqual(try AutotuneMetric(parsing: "f1:__label__a"), .f1Label("__label__a"))
        XCTAssertEqual(try AutotuneMetric(parsing: "precisionAtRecall:30"), .precisionAtRecall(0.3, label: nil))
        XCTAssertEqual(try AutotuneMetric(parsing: "recallAtPrecision:90:__label__b"), .recallAtPrecision(0.9, label: "__label__b"))
        XCTAssertEqual("\(try AutotuneMetric(parsing: "precisionAtRecall:30:x"))", "precisionAtRecall:30:x")
        for bad in ["f2", "precisionAtRecall", "precisionAtRecall:0", "recallAtPrecision:abc", "f1:"] {
            XCTAssertThrowsError(try AutotuneMetric(parsing: bad), bad)
        }
    }

    func corpus(_ dir: String) throws -> (train: String, valid: String) {
        var rng = SplitMix64(seed: 5)
        let topics = (0..<4).map { t in (0..<60).map { "t\(t)w\($0)" } }, shared = (0..<60).map { "s\($0)" }
        func line(_ t: Int) -> String {
            "__label__t\(t) " + (0..<12).map { i in i % 3 == 0 ? topics[t][rng.next(below: 60)] : shared[rng.next(below: 60)] }.joined(separator: " ")
        }
        let train = dir + "/train.txt", valid = dir + "/valid.txt"
        try ((0..<200).map { line($0 % 4) }.joined(separator: "\n") + "\n").write(toFile: train, atomically: false, encoding: .utf8)
        try ((0..<120).map { line($0 % 4) }.joined(separator: "\n") + "\n").write(toFile: valid, atomically: false, encoding: .utf8)
        return (train, valid)
    }

    func testSearchBeatsPoorDefaultsAndIsReproducible() throws {
        let dir = TestTemporaryFiles.folder("autotune")
        let (train, valid) = try corpus(dir)
        var base = SupervisedArguments()
        (base.seed, base.model.dim, base.model.epoch, base.lr) = (2, 10, 1, 0.02)  // a start that underfits
        var results: [ClassifierAutotune.Result] = []
        for threads in [1, 3] {
            var o = ClassifierAutotune.Options(validation: valid)
            (o.trials, o.threads) = (8, threads)
            results.append(try ClassifierAutotune.run(input: train, outputPrefix: dir + "/m\(threads)", base: base, options: o))
        }
        let first = try XCTUnwrap(results[0].best.score)
        XCTAssertEqual(results[0].trials, 8)
        XCTAssertEqual(results[0].best.flags, results[1].best.flags, "the thread count does not change the search")
        XCTAssertEqual(results[0].best.score, results[1].best.score)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/m1.bin")), try Data(contentsOf: URL(fileURLWithPath: dir + "/m3.bin")))
        var o = ClassifierAutotune.Options(validation: valid)
        o.trials = 1
        let defaults = try XCTUnwrap(try ClassifierAutotune.run(input: train, outputPrefix: dir + "/d", base: base, options: o).best.score)
        XCTAssertGreaterThan(first, defaults + 0.1, "the search improves on arguments that underfit")
    }

    func testModelSizeBudgetIsMet() throws {
        let dir = TestTemporaryFiles.folder("autotune")
        let (train, valid) = try corpus(dir)
        var base = SupervisedArguments()
        (base.seed, base.model.dim) = (2, 16)
        var o = ClassifierAutotune.Options(validation: valid)
        (o.trials, o.threads, o.modelSize) = (2, 2, 30_000)
        let r = try ClassifierAutotune.run(input: train, outputPrefix: dir + "/small", base: base, options: o)
        XCTAssert(r.output.hasSuffix(".ftz"))
        let size = (try FileManager.default.attributesOfItem(atPath: r.output)[.size] as! NSNumber).intValue
        XCTAssertLessThanOrEqual(size, 30_000)
        XCTAssertNotNil(r.best.dsub)
        o.modelSize = 1_000
        XCTAssertThrowsError(try ClassifierAutotune.run(input: train, outputPrefix: dir + "/tiny", base: base, options: o)) {
            XCTAssert("\($0)".contains("no trial succeeded"), "\($0)")
        }
    }
}
