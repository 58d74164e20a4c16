import XCTest
import LexelText
import LexelTestSupport
import LexelIO
import LexelCore
import LexelKernels
@testable import LexelLexical

/// The trainer end to end on a toy problem: learning, thread independence, checkpoints, bad input.
final class DistillerTests: XCTestCase {
    /// A learnable toy problem: 300 features in 8 topics (feature f is in topic f % 8); a document draws 3-12
    /// features, mostly from one topic; its teacher vector (dim 12) is the TF-IDF-weighted sum of its features'
    /// topic centroids. The student is V=300 -> [16, 24, 8].
    private struct Toy {
        let v = 300, teacherDim = 12
        var docs: [SparseVector] = [], teacher: [Float] = []
        init(count: Int, seed: UInt64) {
            var rng = SplitMix64(seed: 99)  // the centroids are shared by every split
            let centroids = (0..<(8 * teacherDim)).map { _ in rng.nextUnitFloat() * 2 - 1 }
            var r = SplitMix64(seed: seed)
            for _ in 0..<count {
                let topic = r.next(below: 8), k = 3 + r.next(below: 10)
                var x = SparseVector()
                x.indices = Array(Set((0..<k).map { _ in
                    Int32(r.nextUnitFloat() < 0.8 ? topic + 8 * r.next(below: 37) : r.next(below: 296))
                })).sorted()
                x.values = x.indices.map { _ in r.nextUnitFloat() + 0.1 }
                let norm = x.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
                x.values = x.values.map { $0 / norm }
                var row = [Float](repeating: 0, count: teacherDim)
                for (f, val) in zip(x.indices, x.values) { for j in 0..<teacherDim { row[j] += val * centroids[Int(f) % 8 * teacherDim + j] } }
                docs.append(x)
                teacher += row
            }
        }
    }

    private func options(threads: Int = 2) -> DistillOptions {
        var o = DistillOptions()
        o.dims = [16, 24, 8]
        o.batchSize = 32
        o.epochs = 6
        o.learningRate = 1e-2
        o.threads = threads
        o.seed = 7
        return o
    }

    private func weights(_ d: Distiller) -> [[Float]] {
        d.checkpointArrays.map { Array(UnsafeBufferPointer(start: $0.0, count: $0.1)) }
    }

    private func train(_ d: Distiller, _ toy: Toy, stopAfter: Int? = nil, checkpoint: (String, Int)? = nil,
                       progress: ((DistillProgress) -> Void)? = nil) throws {
        try toy.teacher.withUnsafeBufferPointer {
            try d.train(features: toy.docs, teacher: $0.baseAddress!, teacherDim: toy.teacherDim, stopAfter: stopAfter,
                        checkpoint: checkpoint.map { (path: $0.0, every: $0.1) }, progress: progress)
        }
    }

    private func evaluate(_ d: Distiller, _ toy: Toy) throws -> DistillEvaluation {
        try toy.teacher.withUnsafeBufferPointer { try d.evaluate(features: toy.docs, teacher: $0.baseAddress!, teacherDim: toy.teacherDim) }
    }

    func testTrainingLowersHeldOutLossAndRaisesCorrelation() throws {
        let (train, heldOut) = (Toy(count: 320, seed: 1), Toy(count: 64, seed: 2))
        let d = try Distiller(inputDim: 300, options: options())
        let before = try evaluate(d, heldOut)
        var reports: [DistillProgress] = []
        try self.train(d, train) { reports.append($0) }
        let after = try evaluate(d, heldOut)
        let onTrain = try evaluate(d, train)
        print("toy distillation on the training set: loss \(onTrain.loss) spearman \(onTrain.spearman)")
        XCTAssertEqual(d.step, 60)
        XCTAssertEqual(reports.map(\.step), Array(1...60))
        XCTAssertEqual(reports.last!.learningRate, 0)  // WSD ends at 0
        XCTAssertEqual(reports[29].learningRate, 1e-2)
        XCTAssertEqual(before.pairs, 64 * 63 / 2)
        print("toy distillation: held-out loss \(before.loss) -> \(after.loss), spearman \(before.spearman) -> \(after.spearman)")
        XCTAssertLessThan(after.loss, 0.5 * before.loss)  // measured 0.113 -> 0.030
        XCTAssertGreaterThan(after.spearman, 0.6)  // measured -0.04 -> 0.81
    }

    func testResultsDoNotDependOnThreads() throws {
        let toy = Toy(count: 96, seed: 3)
        let (a, b) = (try Distiller(inputDim: 300, options: options(threads: 1)), try Distiller(inputDim: 300, options: options(threads: 3)))
        try train(a, toy, stopAfter: 5)
        try train(b, toy, stopAfter: 5)
        XCTAssertEqual(weights(a), weights(b))
    }

    func testCheckpointResumeIsExact() throws {
        let toy = Toy(count: 96, seed: 4)
        let path = TestTemporaryFiles.folder("distill") + "/run.ckpt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var o = options()
        o.lazyW0 = false
        o.adam.weightDecay = 0.01
        let whole = try Distiller(inputDim: 300, options: o)
        try train(whole, toy)
        let first = try Distiller(inputDim: 300, options: o)
        try train(first, toy, stopAfter: 7, checkpoint: (path, 3))
        XCTAssertEqual(first.step, 7)
        let resumed = try Distiller(checkpoint: path, threads: 1)
        XCTAssertEqual(resumed.step, 7)
        XCTAssertEqual(resumed.options.dims, o.dims)
        XCTAssertEqual(resumed.options.adam, o.adam)
        XCTAssertFalse(resumed.options.lazyW0)
        XCTAssertEqual(weights(resumed), weights(first))
        try train(resumed, toy)
        XCTAssertEqual(resumed.step, whole.step)
        XCTAssertEqual(weights(resumed), weights(whole))
        // resuming with other data is refused
        XCTAssertThrowsError(try train(try Distiller(checkpoint: path), Toy(count: 64, seed: 5))) {
            XCTAssertTrue("\($0)".contains("started with 96 documents"), "\($0)")
        }
    }

    func testCorruptCheckpointsAreRejected() throws {
        let path = TestTemporaryFiles.folder("distill") + "/bad.ckpt"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Distiller(inputDim: 300, options: options()).writeCheckpoint(path: path)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        func expect(_ bytes: Data, _ text: String) throws {
            try bytes.write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try Distiller(checkpoint: path)) { XCTAssertTrue("\($0)".contains(text), "\($0)") }
        }
        try expect(good.prefix(good.count - 100), "truncated")
        try expect(good.prefix(40), "truncated")
        var flipped = good
        flipped[good.count / 2] ^= 0x10
        try expect(flipped, "checksum mismatch")
        var magic = good
        magic[0] = 0
        try expect(magic, "not a Lexel distillation checkpoint")
        try expect(good + Data([1, 2, 3]), "unexpected bytes")
    }

    func testBadInputsAreRejected() throws {
        var toy = Toy(count: 64, seed: 6)
        let d = try Distiller(inputDim: 300, options: options())
        toy.docs[5].indices[0] = 300
        XCTAssertThrowsError(try train(d, toy)) { XCTAssertTrue("\($0)".contains("document 5 has feature 300"), "\($0)") }
        XCTAssertThrowsError(try train(d, Toy(count: 20, seed: 6))) { XCTAssertTrue("\($0)".contains("fewer than one batch"), "\($0)") }
        var nan = Toy(count: 64, seed: 6)
        nan.teacher[12 * 3 + 2] = .nan
        XCTAssertThrowsError(try train(d, nan)) { XCTAssertTrue("\($0)".contains("teacher row 3"), "\($0)") }
        var o = options()
        o.batchSize = 1
        XCTAssertThrowsError(try Distiller(inputDim: 300, options: o))
        o = options()
        o.learningRate = -1
        XCTAssertThrowsError(try Distiller(inputDim: 300, options: o))
        XCTAssertEqual(spearmanCorrelation([1, 2, 3, 4], [10, 20, 30, 45]), 1, accuracy: 1e-12)
        XCTAssertEqual(spearmanCorrelation([1, 2, 2, 4], [4, 3, 3, 1]), -1, accuracy: 1e-12)
    }
}
