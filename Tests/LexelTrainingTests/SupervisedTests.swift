import Foundation
import XCTest
import LexelCore
import LexelKernels
import LexelText
import LexelTestSupport
@testable import LexelTraining

/// The classifier's losses against finite differences, and supervised training end to end on a small corpus.
final class SupervisedTests: XCTestCase {
    let dim = 5

    func rows(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(n * dim)).map { _ in rng.nextUnitFloat() - 0.5 }
    }

    /// -log softmax(W h)[target], in Double, written independently of the trainer.
    func softmaxLoss(_ h: [Double], _ w: [Double], _ n: Int, _ target: Int) -> Double {
        let z = (0..<n).map { i in (0..<dim).reduce(0.0) { $0 + h[$1] * w[i * dim + $1] } }
        let m = z.max()!
        let s = z.map { exp($0 - m) }.reduce(0, +)
        return -(z[target] - m - log(s))
    }

    func testSoftmaxStepIsMinusTheGradient() {
        let n = 4, target = 2
        let hidden = rows(1, seed: 1), w0 = rows(n, seed: 2)
        var w = w0
        var grad = [Float](repeating: 0, count: dim)
        let reported = w.withUnsafeMutableBufferPointer { pw in
            grad.withUnsafeMutableBufferPointer { pg in
                hidden.withUnsafeBufferPointer { ph -> Float in
                    var loss = SoftmaxLoss(output: SharedRows(base: pw.baseAddress!, rows: n, cols: dim))
                    defer { loss.release() }
                    return loss.update(Int32(target), hidden: ph.baseAddress!, grad: pg.baseAddress!, lr: 1)
                }
            }
        }
        let h = hidden.map(Double.init), wd = w0.map(Double.init), eps = 1e-4
        XCTAssertEqual(Double(reported), softmaxLoss(h, wd, n, target), accuracy: 1e-3)
        for k in 0..<dim {
            var hp = h, hm = h
            hp[k] += eps; hm[k] -= eps
            let numeric = (softmaxLoss(hp, wd, n, target) - softmaxLoss(hm, wd, n, target)) / (2 * eps)
            XCTAssertEqual(Double(grad[k]), -numeric, accuracy: 1e-4, "dL/dh[\(k)]")
        }
        for i in 0..<(n * dim) {
            var wp = wd, wm = wd
            wp[i] += eps; wm[i] -= eps
            let numeric = (softmaxLoss(h, wp, n, target) - softmaxLoss(h, wm, n, target)) / (2 * eps)
            XCTAssertEqual(Double(w[i] - w0[i]), -numeric, accuracy: 1e-4, "dL/dw[\(i / dim)][\(i % dim)]")
        }
    }

    func testOneVsAllTrainsEveryLabel() {
        let n = 3
        let hidden = rows(1, seed: 3), w0 = rows(n, seed: 4)
        var w = w0
        var grad = [Float](repeating: 0, count: dim)
        let targets: [Int32] = [0, 2]
        _ = w.withUnsafeMutableBufferPointer { pw in
            grad.withUnsafeMutableBufferPointer { pg in
                hidden.withUnsafeBufferPointer { ph in
                    targets.withUnsafeBufferPointer { t -> Float in
                        var loss = OneVsAllLoss(activation: ExactActivation(), output: SharedRows(base: pw.baseAddress!, rows: n, cols: dim))
                        var rng = SplitMix64(seed: 1)
                        return loss.update(targets: t, drawn: 0, hidden: ph.baseAddress!, grad: pg.baseAddress!, lr: 1, &rng)
                    }
                }
            }
        }
        for i in 0..<n {
            let z = (0..<dim).reduce(Float(0)) { $0 + hidden[$1] * w0[i * dim + $1] }
            let y: Float = targets.contains(Int32(i)) ? 1 : 0
            let alpha = y - 1 / (1 + expf(-z))
            for k in 0..<dim { XCTAssertEqual(w[i * dim + k] - w0[i * dim + k], alpha * hidden[k], accuracy: 1e-5) }
        }
    }

    /// Three topics, every line labelled: a softmax model separates held-out lines, and -thread 1 -seed S gives
    /// the same matrices twice.
    func testTrainingLearnsAndIsReproducible() throws {
        let topics = ["match goal team player coach league score", "kernel code program server compile memory",
                      "bread cheese recipe cook kitchen bake sauce"]
        var rng = SplitMix64(seed: 9)
        func line(_ t: Int) -> String {
            let words = topics[t].split(separator: " ")
            return "__label__t\(t) " + (0..<8).map { _ in words[rng.next(below: words.count)] }.joined(separator: " ")
        }
        let train = tempFile((0..<300).map { line($0 % 3) }.joined(separator: "\n") + "\n")
        var a = SupervisedArguments()
        (a.threads, a.seed, a.model.dim, a.model.epoch) = (1, 7, 16, 10)
        let m1 = try SupervisedTrainer.train(path: train, arguments: a)
        let m2 = try SupervisedTrainer.train(path: train, arguments: a)
        XCTAssertEqual(m1.dictionary.labelCount, 3)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: m1.input.pointer, count: m1.input.rows * 16)),
                       Array(UnsafeBufferPointer(start: m2.input.pointer, count: m2.input.rows * 16)), "bit-exact with one thread")
        XCTAssertEqual(Array(UnsafeBufferPointer(start: m1.output.pointer, count: 3 * 16)),
                       Array(UnsafeBufferPointer(start: m2.output.pointer, count: 3 * 16)))
        // held-out lines: the hidden vector's best output row is the line's topic
        var correct = 0
        for i in 0..<60 {
            let t = i % 3
            var features: [Int32] = [], labels: [Int32] = []
            Array(line(t).utf8).withUnsafeBufferPointer { m1.dictionary.line($0, features: &features, labels: &labels) }
            var h = [Float](repeating: 0, count: 16)
            for r in features { for k in 0..<16 { h[k] += m1.input.row(Int(r))[k] / Float(features.count) } }
            let scores = (0..<3).map { j in (0..<16).reduce(Float(0)) { $0 + h[$1] * m1.output.row(j)[$1] } }
            let label = m1.dictionary.labels[scores.indices.max { scores[$0] < scores[$1] }!]
            if label == "__label__t\(t)" { correct += 1 }
        }
        XCTAssertGreaterThanOrEqual(correct, 57, "held-out accuracy")
    }

    func testClassWeights() throws {
        let train = tempFile((0..<40).map { i in i % 4 == 0 ? "__label__rare r s" : "__label__common c d" }.joined(separator: "\n") + "\n")
        let dict = try SupervisedDictionary.count(path: train, args: FastTextArgs(), minCountLabel: 0)
        XCTAssertEqual(dict.labels, ["__label__common", "__label__rare"])
        XCTAssertEqual(try ClassWeights.balanced.weights(dict), [Float(40.0 / (2 * 30)), Float(40.0 / (2 * 10))])
        XCTAssertEqual(try ClassWeights.table(["__label__rare": 3]).weights(dict), [1, 3])
        XCTAssertThrowsError(try ClassWeights.table(["__label__nope": 3]).weights(dict))
        XCTAssertNil(try ClassWeights.none.weights(dict))
    }

    func testBadArgumentsNameTheFlag() {
        var a = SupervisedArguments()
        a.model.dim = 0
        XCTAssertThrowsError(try a.validate()) { XCTAssert("\($0)".contains("-dim"), "\($0)") }
        a = SupervisedArguments()
        a.lr = -1
        XCTAssertThrowsError(try a.validate()) { XCTAssert("\($0)".contains("-lr"), "\($0)") }
        XCTAssertThrowsError(try SupervisedTrainer.train(path: tempFile("no labels here\n"), arguments: SupervisedArguments())) {
            XCTAssert("\($0)".contains("no labels"), "\($0)")
        }
    }
}
