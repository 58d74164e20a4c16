import LexelKernels

/// The seam for output layers (after fastText's `Loss` hierarchy): a loss owns its output rows and whatever it
/// samples, and turns a hidden vector and a target into a gradient. Workers are generic over it, so each loss
/// is compiled into its own specialised training loop. Negative sampling and hierarchical softmax live here;
/// the classifier adds softmax and one-vs-all.
///
/// Targets are announced with `prepare` before `update` consumes them, in the same order, at most two ahead:
/// negative sampling draws a pair's negatives and prefetches their rows while the previous pair trains.
public protocol Loss {
    /// Announces the next target to be updated (draws and prefetches what it will need).
    mutating func prepare(_ target: Int32, _ rng: inout SplitMix64)
    /// Scores `target` from `hidden`, adds `lr * -dLoss/dhidden` into `grad`, moves the output rows it touched, and
    /// returns the loss. Consumes the oldest prepared target, which must be `target`.
    mutating func update(_ target: Int32, hidden: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, lr: Float) -> Float
    /// A supervised step for a line with labels `targets`, of which `drawn` was picked at random (fastText trains
    /// the drawn one; one-vs-all trains them all). Defaults to `prepare` + `update` of `drawn`.
    mutating func update(targets: UnsafeBufferPointer<Int32>, drawn: Int32, hidden: UnsafePointer<Float>,
                         grad: UnsafeMutablePointer<Float>, lr: Float, _ rng: inout SplitMix64) -> Float
    /// Frees buffers (workers call it when they finish).
    mutating func release()
}

/// Negative sampling: the target as a positive, `count` words drawn from the unigram^power table as negatives.
public struct NegativeSamplingLoss<A: Activation>: Loss {
    let activation: A
    let output: SharedRows
    unowned(unsafe) let sampler: NegativeSampler
    let count: Int
    /// Two slots of `count` negatives: the pair being trained and the next one.
    var slots: UnsafeMutablePointer<Int32>
    var head = 0, prepared = 0

    public init(activation: A, output: SharedRows, sampler: NegativeSampler, count: Int) {
        (self.activation, self.output, self.sampler, self.count) = (activation, output, sampler, count)
        slots = .allocate(capacity: 2 * max(1, count))
    }

    @inline(__always)
    public mutating func prepare(_ target: Int32, _ rng: inout SplitMix64) {
        let buffer = slots + ((head + prepared) & 1) * count
        prepared += 1
        Kernels.prefetch(output.row(Int(target)), output.cols)
        for k in 0..<count {
            var n: Int32
            repeat { n = sampler.sample(&rng) } while n == target
            buffer[k] = n
            Kernels.prefetch(output.row(Int(n)), output.cols)
        }
    }

    @inline(__always)
    public mutating func update(_ target: Int32, hidden: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>,
                                lr: Float) -> Float {
        let negatives = UnsafeBufferPointer(start: slots + head * count, count: count)
        head ^= 1
        prepared -= 1
        return Losses.negativeSampling(activation, hidden: hidden, grad: grad, output: output, target: target,
                                       negatives: negatives, lr: lr)
    }

    public mutating func release() { slots.deallocate() }
}

/// Hierarchical softmax: one binary decision per inner node on the target's Huffman path.
public struct HierarchicalSoftmaxLoss<A: Activation>: Loss {
    let activation: A
    let output: SharedRows
    unowned(unsafe) let tree: HuffmanTree

    public init(activation: A, output: SharedRows, tree: HuffmanTree) {
        (self.activation, self.output, self.tree) = (activation, output, tree)
    }

    @inline(__always) public mutating func prepare(_ target: Int32, _ rng: inout SplitMix64) {}

    @inline(__always)
    public mutating func update(_ target: Int32, hidden: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>,
                                lr: Float) -> Float {
        Losses.hierarchicalSoftmax(activation, hidden: hidden, grad: grad, output: output,
                                   path: tree.path(Int(target)), codes: tree.codes(Int(target)), lr: lr)
    }

    public mutating func release() {}
}
