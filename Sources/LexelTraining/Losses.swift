import LexelKernels

/// The output-layer steps shared by skip-gram and CBOW. Each takes the hidden vector `h`, adds
/// `lr * (-dLoss/dh)` into `grad`, moves the touched output rows by `lr * (-dLoss/drow)`, and returns the loss.
/// Generic over the activation so that tests check them with the exact sigmoid against finite differences.
public enum Losses {
    /// Binary logistic loss of one output row: -log s(row.h) for a positive, -log(1 - s(row.h)) for a negative.
    @inlinable @inline(__always)
    public static func binaryLogistic<A: Activation>(
        _ act: A, hidden: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>,
        row: UnsafeMutablePointer<Float>, label: Bool, lr: Float, dim: Int
    ) -> Float {
        let s = act.sigmoid(Kernels.dot(hidden, row, dim))
        let g = lr * ((label ? 1 : 0) - s)
        Kernels.fusedUpdate(g, row: row, hidden: hidden, grad: grad, dim)
        return label ? -act.log(s) : -act.log(1 - s)
    }

    /// Negative sampling: the target as a positive, then each row in `negatives` as a negative.
    /// All scores are computed first, four rows per pass (their cache misses overlap), then every row is updated;
    /// the result equals one row at a time unless a negative is drawn twice (then both use the pre-update score).
    @inlinable
    public static func negativeSampling<A: Activation>(
        _ act: A, hidden: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, output: SharedRows,
        target: Int32, negatives: UnsafeBufferPointer<Int32>, lr: Float
    ) -> Float {
        let dim = output.cols
        let total = 1 + negatives.count
        @inline(__always) func row(_ k: Int) -> UnsafeMutablePointer<Float> {
            output.row(Int(k == 0 ? target : negatives[k - 1]))
        }
        return withUnsafeTemporaryAllocation(of: Float.self, capacity: total + 3) { scores in
            var k = 0
            while k < total {
                let last = total - 1
                let d = Kernels.dot4(hidden, row(k), row(min(k + 1, last)), row(min(k + 2, last)),
                                     row(min(k + 3, last)), dim)
                scores[k] = d[0]
                scores[k + 1] = d[1]
                scores[k + 2] = d[2]
                scores[k + 3] = d[3]
                k += 4
            }
            var loss: Float = 0
            for k in 0..<total {
                let s = act.sigmoid(scores[k])
                let label = k == 0
                Kernels.fusedUpdate(lr * ((label ? 1 : 0) - s), row: row(k), hidden: hidden, grad: grad, dim)
                loss -= label ? act.log(s) : act.log(1 - s)
            }
            return loss
        }
    }

    /// Hierarchical softmax: one binary decision per inner node on the target's Huffman path.
    @inlinable
    public static func hierarchicalSoftmax<A: Activation>(
        _ act: A, hidden: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, output: SharedRows,
        path: UnsafeBufferPointer<Int32>, codes: UnsafeBufferPointer<UInt8>, lr: Float
    ) -> Float {
        var loss: Float = 0
        for k in 0..<path.count {
            loss += binaryLogistic(act, hidden: hidden, grad: grad, row: output.row(Int(path[k])),
                                   label: codes[k] != 0, lr: lr, dim: output.cols)
        }
        return loss
    }
}
