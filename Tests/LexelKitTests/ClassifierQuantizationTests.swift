import Foundation
import XCTest
import LexelKit
import LexelTestSupport

/// `lexel quantize` end to end: a trained classifier, cut to its largest rows, retrained and product-quantised,
/// is written as a smaller .ftz that reads back and still classifies; the same seed writes the same bytes.
final class ClassifierQuantizationTests: XCTestCase {
    func testCutoffRetrainQuantizeKeepsPredictions() throws {
        var rng = SplitMix64(seed: 11)
        let topics = (0..<3).map { t in (0..<120).map { "t\(t)w\($0)" } }
        func line(_ t: Int) -> String {
            "__label__t\(t) " + (0..<10).map { _ in topics[t][rng.next(below: 120)] }.joined(separator: " ")
        }
        let dir = TestTemporaryFiles.folder("quantize")
        let train = dir + "/train.txt", test = dir + "/test.txt"
        try ((0..<600).map { line($0 % 3) }.joined(separator: "\n") + "\n").write(toFile: train, atomically: false, encoding: .utf8)
        try ((0..<90).map { line($0 % 3) }.joined(separator: "\n") + "\n").write(toFile: test, atomically: false, encoding: .utf8)
        var a = SupervisedArguments()
        (a.threads, a.seed, a.model.dim, a.model.epoch) = (1, 3, 8, 5)
        let dense = try ClassifierTraining.run(input: train, outputPrefix: dir + "/m", arguments: a)
        XCTAssertEqual(dense.dictionary.wordCount, 361)  // 360 words and </s>

        var o = ClassifierQuantization.Options()
        (o.cutoff, o.retrain, o.input, o.qnorm, o.threads, o.epoch, o.lr) = (300, true, train, true, 1, 2, 0.05)
        let r = try ClassifierQuantization.run(prefix: dir + "/m", options: o)
        XCTAssertEqual(r.keptRows, 300)
        let ftz = try ModelFiles.classifier(dir + "/m.ftz", for: "test")
        XCTAssertEqual(ftz.dictionary.wordCount, 300)
        XCTAssertEqual(ftz.dictionary.labels, dense.dictionary.labels)
        XCTAssertNotNil(ftz.dictionary.id(of: Array("</s>".utf8)), "</s> is always kept")
        let size = { (p: String) in (try FileManager.default.attributesOfItem(atPath: p)[.size] as! NSNumber).intValue }
        XCTAssertLessThan(try size(dir + "/m.ftz"), try size(dir + "/m.bin"), "(at dim 8 the 256 centroids a part weigh most)")
        // the size autotuning fits models to is the size the writer writes
        XCTAssertEqual(FastTextClassifierWriter.byteCount(ftz), Int64(try size(dir + "/m.ftz")))
        XCTAssertEqual(FastTextClassifierWriter.byteCount(dense), Int64(try size(dir + "/m.bin")))
        let before = try ClassifierEvaluation.test(dense, path: test, k: 1, threshold: 0)
        let after = try ClassifierEvaluation.test(ftz, path: test, k: 1, threshold: 0)
        XCTAssertGreaterThan(before.precision, 0.95)
        XCTAssertGreaterThan(after.precision, 0.9, "quantised with 300 of 361 rows")

        // reproducible: the same seed, the same file
        let first = try Data(contentsOf: URL(fileURLWithPath: dir + "/m.ftz"))
        try ClassifierQuantization.run(prefix: dir + "/m", options: o)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/m.ftz")), first)

        // a quantised model cannot be quantised again; -qout needs 256 labels
        try FileManager.default.copyItem(atPath: dir + "/m.ftz", toPath: dir + "/q.bin")
        XCTAssertThrowsError(try ClassifierQuantization.run(prefix: dir + "/q", options: o)) {
            XCTAssert("\($0)".contains("quantised already"), "\($0)")
        }
        o.qout = true
        XCTAssertThrowsError(try ClassifierQuantization.run(prefix: dir + "/m", options: o)) {
            XCTAssert("\($0)".contains("output matrix (-qout)") && "\($0)".contains("3 rows are too few to quantise"), "\($0)")
        }
    }
}
