import XCTest
import LexelIO
import LexelCore
import LexelKernels
@testable import LexelTraining

/// The loss steps must move parameters along minus the true gradient: with lr = 1, the update written to
/// `grad` equals -dL/dh and the change of each output row equals -dL/drow, checked by central differences.
final class GradientTests: XCTestCase {
    let dim = 5

    func makeRows(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<(n * dim)).map { _ in rng.nextUnitFloat() - 0.5 }
    }

    /// Loss of binary decisions (row, label) at hidden h, in Double, written independently of the trainer.
    func loss(_ h: [Double], _ rows: [Double], _ decisions: [(Int, Bool)]) -> Double {
        var l = 0.0
        for (r, label) in decisions {
            var z = 0.0
            for k in 0..<dim { z += h[k] * rows[r * dim + k] }
            let s = 1 / (1 + exp(-z))
            l -= label ? log(s) : log(1 - s)
        }
        return l
    }

    func check(decisions: [(Int, Bool)], rowCount: Int,
               step: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, SharedRows) -> Float) {
        let hidden = makeRows(1, seed: 1)
        let rows0 = makeRows(rowCount, seed: 2)
        var rows = rows0
        var grad = [Float](repeating: 0, count: dim)
        let reported = rows.withUnsafeMutableBufferPointer { pr in
            grad.withUnsafeMutableBufferPointer { pg in
                hidden.withUnsafeBufferPointer { ph in
                    step(ph.baseAddress!, pg.baseAddress!, SharedRows(base: pr.baseAddress!, rows: rowCount, cols: dim))
                }
            }
        }
        let h = hidden.map(Double.init), r = rows0.map(Double.init)
        XCTAssertEqual(Double(reported), loss(h, r, decisions), accuracy: 1e-3, "reported loss")
        let eps = 1e-4
        for k in 0..<dim {
            var hp = h, hm = h
            hp[k] += eps
            hm[k] -= eps
            let numeric = (loss(hp, r, decisions) - loss(hm, r, decisions)) / (2 * eps)
            XCTAssertEqual(Double(grad[k]), -numeric, accuracy: 1e-4, "dL/dh[\(k)]")
        }
        for i in 0..<(rowCount * dim) {
            var rp = r, rm = r
            rp[i] += eps
            rm[i] -= eps
            let numeric = (loss(h, rp, decisions) - loss(h, rm, decisions)) / (2 * eps)
            XCTAssertEqual(Double(rows[i] - rows0[i]), -numeric, accuracy: 1e-4, "dL/drow[\(i / dim)][\(i % dim)]")
        }
    }

    func testNegativeSamplingGradientMatchesFiniteDifferences() {
        let negatives: [Int32] = [1, 3, 2]
        check(decisions: [(0, true), (1, false), (3, false), (2, false)], rowCount: 4) { h, g, out in
            negatives.withUnsafeBufferPointer {
                Losses.negativeSampling(ExactActivation(), hidden: h, grad: g, output: out, target: 0, negatives: $0, lr: 1)
            }
        }
    }

    func testHierarchicalSoftmaxGradientMatchesFiniteDifferences() {
        let tree = HuffmanTree(counts: [9, 5, 3, 2, 1])
        for word in 0..<5 {
            let path = tree.path(word), codes = tree.codes(word)
            let decisions = (0..<path.count).map { (Int(path[$0]), codes[$0] != 0) }
            check(decisions: decisions, rowCount: 4) { h, g, out in
                Losses.hierarchicalSoftmax(ExactActivation(), hidden: h, grad: g, output: out, path: path, codes: codes, lr: 1)
            }
        }
    }

    func testHuffmanCodesArePrefixFreeAndFrequentWordsAreShorter() {
        let counts: [Int64] = [50, 20, 10, 10, 5, 3, 1, 1]
        let tree = HuffmanTree(counts: counts)
        let codes = (0..<counts.count).map { i in tree.codes(i).map { $0 == 0 ? "0" : "1" }.joined() }
        for i in codes.indices {
            XCTAssertFalse(codes[i].isEmpty)
            for j in codes.indices where i != j {
                // Codes run leaf to root: reversed they must be prefix-free.
                XCTAssertFalse(String(codes[j].reversed()).hasPrefix(String(codes[i].reversed())), "\(codes)")
            }
        }
        XCTAssert(codes[0].count <= codes[7].count)
        for i in 0..<counts.count { XCTAssert(tree.path(i).allSatisfy { $0 >= 0 && $0 < counts.count - 1 }) }
    }
}
