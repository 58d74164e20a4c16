import LexelCore
import LexelKernels

/// How an embedding head trains: mini-batch AdamW on softmax cross-entropy, the step decaying linearly to 0,
/// examples shuffled by `seed` every epoch (one thread: the same seed gives the same head).
public struct HeadTrainingOptions: Sendable {
    public var epochs = 10
    public var learningRate: Float = 0.01
    public var batch = 32
    /// Decoupled weight decay (AdamW) per step, relative to the learning rate.
    public var weightDecay: Float = 0
    public var seed: UInt64 = 0
    /// Per-label weights of the loss (nil: all 1).
    public var labelWeights: [Float]?
    /// Train on standardised inputs (each value minus its mean, over its standard deviation), folded into the
    /// first layer's weights at the end, so that the stored head still reads raw embeddings.
    public var standardize = false
    /// L2 penalty on the weights (not the biases) as scikit-learn's `C`: the loss is the mean cross-entropy plus
    /// `|W|^2 / (2 C n)` for n examples; 0 for none.
    public var inverseC: Float = 1
    public init() {}

    /// The defaults for a kind of head (measured on TREC-6, sentence polarity and paragraph-source): softmax
    /// regression takes 30 epochs at 0.03, the MLP 10 epochs at 0.01; both C = 1.
    public init(for kind: EmbeddingHead.Kind) {
        (epochs, learningRate) = kind == .linear ? (30, 0.03) : (10, 0.01)
    }
}

extension EmbeddingHead {
    /// Trains the head on `n` embeddings at `x` (row-major `n x inputDim`) with one label index each; reports each
    /// epoch's mean loss.
    public mutating func train(_ x: UnsafePointer<Float>, count n: Int, labels y: [Int32], options o: HeadTrainingOptions,
                               epochDone: (Int, Double) -> Void = { _, _ in }) {
        precondition(y.count == n && n > 0)
        if o.standardize {
            let (mean, scale) = Self.moments(x, count: n, dim: inputDim)
            var z = [Float](repeating: 0, count: n * inputDim)
            for r in 0..<n { for j in 0..<inputDim { z[r * inputDim + j] = (x[r * inputDim + j] - mean[j]) * scale[j] } }
            var raw = o
            raw.standardize = false
            z.withUnsafeBufferPointer { train($0.baseAddress!, count: n, labels: y, options: raw, epochDone: epochDone) }
            fold(mean: mean, scale: scale)
            return
        }
        var theta = parameters
        let d = inputDim, hsize = hidden, width = self.width, L = labels.count, mlp = kind == .mlp
        let (o1, o2, o3) = (hsize * d, hsize * d + hsize, hsize * d + hsize + L * width)  // offsets of b1, w2, b2
        var grad = [Float](repeating: 0, count: theta.count), m = grad, v = grad
        let h = UnsafeMutablePointer<Float>.allocate(capacity: max(1, hsize)), dh = UnsafeMutablePointer<Float>.allocate(capacity: max(1, hsize))
        defer { h.deallocate(); dh.deallocate() }
        var p = [Float](repeating: 0, count: L)
        var order = Array(0..<n), rng = SplitMix64(seed: o.seed)
        let steps = o.epochs * ((n + o.batch - 1) / o.batch)
        var step = 0
        let (beta1, beta2, eps): (Float, Float, Float) = (0.9, 0.999, 1e-8)
        for epoch in 0..<o.epochs {
            for i in stride(from: n - 1, to: 0, by: -1) { order.swapAt(i, rng.next(below: i + 1)) }
            var lossSum = 0.0
            var start = 0
            while start < n {
                let end = min(n, start + o.batch)
                for k in 0..<grad.count { grad[k] = 0 }
                theta.withUnsafeMutableBufferPointer { t in
                    grad.withUnsafeMutableBufferPointer { g in
                        let T = t.baseAddress!, G = g.baseAddress!
                        for r in order[start..<end] {
                            let xr = x + r * d
                            var input = xr
                            if mlp {
                                for j in 0..<hsize { h[j] = max(0, Kernels.dot(T + j * d, xr, d) + T[o1 + j]) }
                                input = UnsafePointer(h)
                            }
                            var top = -Float.infinity
                            for l in 0..<L { p[l] = Kernels.dot(T + o2 + l * width, input, width) + T[o3 + l]; top = max(top, p[l]) }
                            var sum: Float = 0
                            for l in 0..<L { p[l] = expf(p[l] - top); sum += p[l] }
                            let label = Int(y[r]), weight = o.labelWeights?[label] ?? 1
                            lossSum += Double(-logf(max(p[label] / sum, 1e-30)) * weight)
                            if mlp { for j in 0..<hsize { dh[j] = 0 } }
                            for l in 0..<L {
                                let dz = (p[l] / sum - (l == label ? 1 : 0)) * weight
                                if dz == 0 { continue }
                                Kernels.axpy(dz, input, G + o2 + l * width, width)
                                G[o3 + l] += dz
                                if mlp { Kernels.axpy(dz, T + o2 + l * width, dh, hsize) }
                            }
                            if mlp {
                                for j in 0..<hsize where h[j] > 0 && dh[j] != 0 {
                                    Kernels.axpy(dh[j], xr, G + j * d, d)
                                    G[o1 + j] += dh[j]
                                }
                            }
                        }
                    }
                }
                step += 1
                let lr = o.learningRate * max(0, 1 - Float(step - 1) / Float(steps))
                let scale = 1 / Float(end - start)
                let c1 = 1 - powf(beta1, Float(step)), c2 = 1 - powf(beta2, Float(step))
                let l2 = o.inverseC / Float(n)
                for k in 0..<theta.count {
                    let isBias = (k >= o1 && k < o2) || k >= o3
                    let g = grad[k] * scale + (isBias ? 0 : l2 * theta[k])
                    m[k] = beta1 * m[k] + (1 - beta1) * g
                    v[k] = beta2 * v[k] + (1 - beta2) * g * g
                    theta[k] -= lr * ((m[k] / c1) / ((v[k] / c2).squareRoot() + eps) + o.weightDecay * theta[k])
                }
                start = end
            }
            epochDone(epoch, lossSum / Double(n))
        }
        self = EmbeddingHead(kind: kind, inputDim: d, hidden: hsize, labels: labels, parameters: theta)!
    }

    /// Per value: the mean, and 1 / standard deviation (1 where the value is constant).
    static func moments(_ x: UnsafePointer<Float>, count n: Int, dim d: Int) -> (mean: [Float], scale: [Float]) {
        var sum = [Double](repeating: 0, count: d), sq = sum
        for r in 0..<n { for j in 0..<d { let v = Double(x[r * d + j]); sum[j] += v; sq[j] += v * v } }
        let mean = sum.map { $0 / Double(n) }
        let scale = (0..<d).map { j -> Float in
            let variance = max(0, sq[j] / Double(n) - mean[j] * mean[j])
            return variance > 1e-12 ? Float(1 / variance.squareRoot()) : 1
        }
        return (mean.map { Float($0) }, scale)
    }

    /// Makes a head trained on `(x - mean) * scale` read raw `x`: the first layer's weights times `scale`, its
    /// biases minus the weights' dot product with `mean * scale`.
    mutating func fold(mean: [Float], scale: [Float]) {
        let d = inputDim
        func foldLayer(_ w: inout [Float], _ b: inout [Float]) {
            for row in 0..<b.count {
                var shift: Float = 0
                for j in 0..<d {
                    w[row * d + j] *= scale[j]
                    shift += w[row * d + j] * mean[j]
                }
                b[row] -= shift
            }
        }
        if kind == .mlp { foldLayer(&w1, &b1) } else { foldLayer(&w2, &b2) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
