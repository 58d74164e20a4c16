import LexelCore
import LexelKernels

/// How an embedding head trains: mini-batch AdamW on softmax cross-entropy, the step decaying linearly to 0,
/// examples shuffled by `seed` every epoch (one thread: the same seed gives the same head).
public struct HeadTrainingOptions: Sendable {
    public var epochs = 10
    public var learningRate: Float = 0.01
    public var batch = 32
    /// Decoupled weight decay (AdamW) per step, relative to the learning rate.
    public var weightDecay: Float = 1e-4
    public var seed: UInt64 = 0
    /// Per-label weights of the loss (nil: all 1).
    public var labelWeights: [Float]?
    public init() {}
}

extension EmbeddingHead {
    /// Trains the head on `n` embeddings at `x` (row-major `n x inputDim`) with one label index each; reports each
    /// epoch's mean loss.
    public mutating func train(_ x: UnsafePointer<Float>, count n: Int, labels y: [Int32], options o: HeadTrainingOptions,
                               epochDone: (Int, Double) -> Void = { _, _ in }) {
        precondition(y.count == n && n > 0)
        var theta = parameters
        let d = inputDim, hsize = hidden, width = self.width, L = labels.count, mlp = kind == .mlp
        let (o1, o2, o3) = (hsize * d, hsize * d + hsize, hsize * d + hsize + L * width)  // offsets of b1, w2, b2
        var grad = [Float](repeating: 0, count: theta.count), m = grad, v = grad
        var h = [Float](repeating: 0, count: max(1, hsize)), dh = h, p = [Float](repeating: 0, count: L)
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
                                input = h.withUnsafeBufferPointer { UnsafePointer($0.baseAddress!) }
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
                                if mlp { Kernels.axpy(dz, T + o2 + l * width, &dh, hsize) }
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
                for k in 0..<theta.count {
                    let g = grad[k] * scale
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
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
