import LexelKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Loss {
    /// One supervised step (fastText's `Loss::forward` with backprop): the classifier trains the target drawn
    /// among the line's labels; one-vs-all overrides this to train every label at once.
    @inline(__always)
    public mutating func update(targets: UnsafeBufferPointer<Int32>, drawn: Int32, hidden: UnsafePointer<Float>,
                                grad: UnsafeMutablePointer<Float>, lr: Float, _ rng: inout SplitMix64) -> Float {
        prepare(drawn, &rng)
        return update(drawn, hidden: hidden, grad: grad, lr: lr)
    }
}

/// Softmax over every label (fastText's default supervised loss): the output is softmax(W h); each row moves by
/// lr * (1[target] - p) and the gradient gathers the same; the loss is -log p[target].
public struct SoftmaxLoss: Loss {
    let output: SharedRows
    let scores: UnsafeMutablePointer<Float>

    public init(output: SharedRows) {
        self.output = output
        scores = .allocate(capacity: max(1, output.rows))
    }

    public mutating func prepare(_ target: Int32, _ rng: inout SplitMix64) {}

    public mutating func update(_ target: Int32, hidden: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>,
                                lr: Float) -> Float {
        let n = output.rows, dim = output.cols
        var m = -Float.infinity
        for i in 0..<n {
            scores[i] = Kernels.dot(hidden, output.row(i), dim)
            m = max(m, scores[i])
        }
        var z: Float = 0
        for i in 0..<n { scores[i] = expf(scores[i] - m); z += scores[i] }
        for i in 0..<n {
            let p = scores[i] / z
            let alpha = lr * ((i == Int(target) ? 1 : 0) - p)
            Kernels.axpy(alpha, output.row(i), grad, dim)
            Kernels.axpy(alpha, hidden, output.row(i), dim)
        }
        return -logf(scores[Int(target)] / z + 1e-5)
    }

    public mutating func release() { scores.deallocate() }
}

/// One-vs-all (multi-label): an independent logistic loss per label, positive for every label of the line.
public struct OneVsAllLoss<A: Activation>: Loss {
    let activation: A
    let output: SharedRows

    public init(activation: A, output: SharedRows) { (self.activation, self.output) = (activation, output) }

    public mutating func prepare(_ target: Int32, _ rng: inout SplitMix64) {}

    public mutating func update(_ target: Int32, hidden: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>,
                                lr: Float) -> Float {
        var one = target
        return withUnsafePointer(to: &one) { p in
            var r = SplitMix64(seed: 0)
            return update(targets: UnsafeBufferPointer(start: p, count: 1), drawn: target, hidden: hidden, grad: grad, lr: lr, &r)
        }
    }

    public mutating func update(targets: UnsafeBufferPointer<Int32>, drawn: Int32, hidden: UnsafePointer<Float>,
                                grad: UnsafeMutablePointer<Float>, lr: Float, _ rng: inout SplitMix64) -> Float {
        var loss: Float = 0
        for i in 0..<output.rows {
            loss += Losses.binaryLogistic(activation, hidden: hidden, grad: grad, row: output.row(i),
                                          label: targets.contains(Int32(i)), lr: lr, dim: output.cols)
        }
        return loss
    }

    public mutating func release() {}
}
