import Foundation
import XCTest
import LexelKit
import LexelLexical
import LexelContainer
import LexelTestSupport

/// Heads on document embeddings: the head's gradient against finite differences (through the trainer's
/// first step), training that separates topics, and one .lxm file that embeds and classifies after a round trip.
final class EmbeddingClassifierTests: XCTestCase {
    func corpus(_ dir: String) throws -> (train: String, test: String) {
        var rng = SplitMix64(seed: 4)
        let topics = [["football", "goal", "match", "league", "coach", "striker"], ["compiler", "kernel", "memory", "thread", "server", "binary"],
                      ["recipe", "bread", "butter", "oven", "sugar", "flour"]]
        func line(_ t: Int) -> String {
            "__label__t\(t) " + (0..<6).map { _ in topics[t][rng.next(below: 6)] }.joined(separator: " ")
        }
        let train = dir + "/train.txt", test = dir + "/test.txt"
        try ((0..<150).map { line($0 % 3) }.joined(separator: "\n") + "\nno label on this line\n").write(toFile: train, atomically: false, encoding: .utf8)
        try ((0..<30).map { line($0 % 3) }.joined(separator: "\n") + "\n").write(toFile: test, atomically: false, encoding: .utf8)
        return (train, test)
    }

    func testSectionKindsOfAModelWithAHeadAreDistinct() {
        // A head file holds every section a lexical model may have plus its own two: one number each.
        let kinds = LexicalModel.sectionKinds + [.headLabels, .headWeights]
        XCTAssertEqual(Set(kinds.map(\.rawValue)).count, kinds.count, "\(kinds.map { "\($0.rawValue) \($0.name)" })")
    }

    func testHeadsTrainSaveLoadAndClassify() throws {
        let dir = TestTemporaryFiles.folder("heads")
        let (train, test) = try corpus(dir)
        for kind in [EmbeddingHead.Kind.linear, .mlp] {
            var o = ClassifierHeadTraining.Options()
            (o.kind, o.hidden, o.threads, o.training.epochs) = (kind, 16, 2, 20)
            var skipped = 0
            let r = try ClassifierHeadTraining.run(input: train, outputPrefix: dir + "/\(kind)", options: o) {
                if case .embedded(_, let s, _) = $0 { skipped = s }
            }
            XCTAssertEqual(skipped, 1, "the line without a label")
            let loaded = try XCTUnwrap(try ModelFiles.lineClassifier(r.path, for: "test") as? EmbeddingClassifier)
            XCTAssertEqual(loaded.labelNames, ["__label__t0", "__label__t1", "__label__t2"])
            XCTAssertEqual(loaded.head.parameters, r.model.head.parameters, "weights round-trip bit for bit")
            let m = try ClassifierEvaluation.test(loaded, path: test, k: 1, threshold: 0)
            XCTAssertEqual(m.examples, 30)
            XCTAssertGreaterThanOrEqual(m.precision, 0.9, "\(kind)")
            // labels in the text are not text: the same prediction with or without them
            let w = loaded.makeWorkspace()
            let a = Array("__label__t2 oven sugar bread".utf8).withUnsafeBufferPointer { loaded.predict($0, k: -1, threshold: 0, workspace: w) }
            let b = Array("oven sugar bread".utf8).withUnsafeBufferPointer { loaded.predict($0, k: -1, threshold: 0, workspace: w) }
            XCTAssertEqual(a, b)
            XCTAssertEqual(a.first?.label, 2)
            XCTAssertEqual(Double(a.reduce(0) { $0 + $1.probability }), 1, accuracy: 1e-5, "softmax sums to 1")
            // the same file embeds as a plain lexical model
            XCTAssertEqual(try ModelFiles.lexicalModel(r.path, for: "embed").outputDim, loaded.model.outputDim)
        }
        // a plain lexical model is not a classifier
        XCTAssertThrowsError(try ModelFiles.lineClassifier(repositoryRoot + "/vocab/" + DefaultFiles.modelName, for: "predict")) {
            XCTAssert("\($0)".contains("without a classifier head"), "\($0)")
        }
    }

    /// The trainer's first Adam step moves each parameter against the sign of its gradient; the gradient is
    /// checked against finite differences of the loss (cross-entropy plus the L2 penalty) on one example.
    func testHeadGradientMatchesFiniteDifferences() {
        let d = 5, labels = ["a", "b", "c"]
        var rng = SplitMix64(seed: 8)
        let x = (0..<d).map { _ in rng.nextUnitFloat() - 0.5 }
        for kind in [EmbeddingHead.Kind.linear, .mlp] {
            let head = EmbeddingHead(kind: kind, inputDim: d, hidden: 4, labels: labels, seed: 3)
            // give the output layer values, so that every gradient is non-zero
            var p0 = head.parameters
            for i in p0.indices { p0[i] += (rng.nextUnitFloat() - 0.5) * 0.5 }
            let start = EmbeddingHead(kind: kind, inputDim: d, hidden: 4, labels: labels, parameters: p0)!
            // biases are not penalised: linear [w2 15 | b2 3], mlp [w1 20 | b1 4 | w2 12 | b2 3]
            let isBias = { (i: Int) in kind == .linear ? i >= 15 : (20..<24).contains(i) || i >= 36 }
            let inverseC: Float = 0.5
            func loss(_ p: [Float]) -> Double {
                let h = EmbeddingHead(kind: kind, inputDim: d, hidden: 4, labels: labels, parameters: p)!
                var probs = [Float](repeating: 0, count: 3), hid = [Float](repeating: 0, count: 4)
                x.withUnsafeBufferPointer { h.probabilities($0.baseAddress!, into: &probs, hiddenOut: &hid) }
                let penalty = p.indices.filter { !isBias($0) }.reduce(0.0) { $0 + Double(p[$1] * p[$1]) } * Double(inverseC) / 2
                return -log(Double(probs[1])) + penalty
            }
            var trained = start
            var o = HeadTrainingOptions()
            (o.epochs, o.batch, o.learningRate, o.weightDecay, o.standardize, o.inverseC) = (1, 1, 1e-3, 0, false, inverseC)
            x.withUnsafeBufferPointer { trained.train($0.baseAddress!, count: 1, labels: [1], options: o) }
            let after = trained.parameters
            var checked = 0
            for i in p0.indices {
                var plus = p0, minus = p0
                plus[i] += 1e-2; minus[i] -= 1e-2
                let g = (loss(plus) - loss(minus)) / 2e-2
                guard abs(g) > 1e-3 else { continue }
                // Adam's first step is lr * sign(g) (up to eps)
                XCTAssertEqual(Double(p0[i] - after[i]), 1e-3 * (g > 0 ? 1 : -1), accuracy: 1e-5, "\(kind) parameter \(i)")
                checked += 1
            }
            XCTAssertGreaterThan(checked, kind == .mlp ? 20 : 12)
        }
    }
}
