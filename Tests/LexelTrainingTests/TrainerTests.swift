import XCTest
import LexelTestSupport
import LexelIO
import LexelCore
import LexelKernels
import LexelText
@testable import LexelTraining

/// A small corpus with structure: two topics whose words co-occur only within their own lines.
func topicCorpus(lines: Int = 400, seed: UInt64 = 5) -> String {
    let animals = ["cat", "dog", "horse", "cow", "sheep", "goat"]
    let tools = ["hammer", "saw", "drill", "wrench", "chisel", "pliers"]
    var rng = SplitMix64(seed: seed)
    var out = ""
    for i in 0..<lines {
        let topic = i % 2 == 0 ? animals : tools
        out += (0..<12).map { _ in topic[rng.next(below: topic.count)] }.joined(separator: " ") + "\n"
    }
    return out
}

func writeTemp(_ text: String) -> String {
    let path = TestTemporaryFiles.folder("train") + "/corpus.txt"
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

final class TrainerTests: XCTestCase {
    func args(_ model: ModelKind, _ loss: LossKind = .ns, maxn: Int = 0, thread: Int = 1, seed: UInt64 = 7) -> TrainingArguments {
        var a = TrainingArguments()
        a.model = model
        a.loss = loss
        a.dim = 16
        a.epoch = 5
        a.minCount = 1
        a.maxn = maxn
        a.minn = 3
        a.bucket = 1000
        a.thread = thread
        a.seed = seed
        a.t = 0
        a.lr = 0.05
        a.verbose = 0
        return a
    }

    func cosine(_ t: TrainedVectors, _ a: String, _ b: String) -> Float {
        let ia = t.vocabulary.id(of: a)!, ib = t.vocabulary.id(of: b)!
        let pa = t.input.row(ia), pb = t.input.row(ib)
        return Kernels.dot(pa, pb, t.input.cols) / (Kernels.norm(pa, t.input.cols) * Kernels.norm(pb, t.input.cols))
    }

    func testEveryModeLearnsTheTopics() throws {
        let path = writeTemp(topicCorpus())
        for (model, loss, maxn) in [(ModelKind.skipgram, LossKind.ns, 0), (.skipgram, .hs, 0), (.cbow, .ns, 0),
                                    (.cbow, .hs, 0), (.skipgram, .ns, 4)] {
            let t = try Trainer.train(path: path, arguments: args(model, loss, maxn: maxn, thread: 2))
            let same = cosine(t, "cat", "dog"), other = cosine(t, "cat", "hammer")
            XCTAssert(same > other + 0.2, "\(model) \(loss) maxn \(maxn): same-topic \(same) vs other \(other)")
            XCTAssert(t.finalLoss.isFinite && t.finalLoss > 0)
        }
    }

    func testSingleThreadWithSeedIsDeterministic() throws {
        let path = writeTemp(topicCorpus(lines: 60))
        let a = try Trainer.train(path: path, arguments: args(.skipgram, maxn: 4))
        let b = try Trainer.train(path: path, arguments: args(.skipgram, maxn: 4))
        let c = try Trainer.train(path: path, arguments: args(.skipgram, maxn: 4, seed: 8))
        let n = a.input.rows * a.input.cols
        XCTAssertEqual(Array(UnsafeBufferPointer(start: a.input.pointer, count: n)),
                       Array(UnsafeBufferPointer(start: b.input.pointer, count: n)))
        XCTAssertNotEqual(Array(UnsafeBufferPointer(start: a.input.pointer, count: n)),
                          Array(UnsafeBufferPointer(start: c.input.pointer, count: n)))
    }

    func testAbsurdArgumentsAreRejectedWithTheFlagName() {
        var a = TrainingArguments()
        a.dim = 0
        XCTAssertThrowsError(try a.validate()) { XCTAssert("\($0)".contains("-dim")) }
        a = TrainingArguments()
        a.thread = 0
        XCTAssertThrowsError(try a.validate()) { XCTAssert("\($0)".contains("-thread")) }
        a = TrainingArguments()
        a.minn = 5
        a.maxn = 3
        XCTAssertThrowsError(try a.validate()) { XCTAssert("\($0)".contains("-minn")) }
        a = TrainingArguments()
        a.lr = .nan
        XCTAssertThrowsError(try a.validate())
        a = TrainingArguments()
        a.maxn = 0
        a.minn = 5
        XCTAssertNoThrow(try a.validate(), "minn is ignored without subwords")
        XCTAssertEqual(a.effectiveBucket, 0)
    }

    func testOnlyUsedBucketsGetRowsSoHugeBucketCountsCostNothing() throws {
        let path = writeTemp("alpha beta gamma\n")
        var a = args(.skipgram, maxn: 3)
        a.bucket = 1_000_000_000
        a.dim = 1000
        let t = try Trainer.train(path: path, arguments: a)
        // 4 words (with </s>); "<alpha>" has 5 3-grams, "<beta>" 4, "<gamma>" 5: at most 14 n-gram rows.
        XCTAssertEqual(t.vocabulary.count, 4)
        XCTAssert(t.input.rows <= 4 + 14 && t.input.rows > 4, "\(t.input.rows) rows")
        XCTAssertEqual(t.input.rows, t.subwords.rowCount)
    }
}
