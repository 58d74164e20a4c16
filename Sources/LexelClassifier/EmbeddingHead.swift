import LexelCore
import LexelKernels

/// A classifier head on document embeddings: softmax regression (`linear`), or one hidden ReLU layer then
/// softmax (`mlp`). Weights are row-major: `w1` is `hidden x inputDim` (mlp only), `w2` is `labels x width`
/// where width is `hidden` (mlp) or `inputDim` (linear).
public struct EmbeddingHead: Sendable {
    public enum Kind: String, Sendable { case linear, mlp }
    public let kind: Kind
    public let inputDim: Int
    public let hidden: Int
    public let labels: [String]
    var w1: [Float], b1: [Float], w2: [Float], b2: [Float]

    /// The width of the layer the output reads.
    var width: Int { kind == .mlp ? hidden : inputDim }
    /// Parameters in storage order (w1, b1, w2, b2).
    public var parameterCount: Int { w1.count + b1.count + w2.count + b2.count }

    /// A head with zero output weights and small seeded hidden weights (He-uniform).
    public init(kind: Kind, inputDim: Int, hidden: Int, labels: [String], seed: UInt64) {
        (self.kind, self.inputDim, self.labels) = (kind, inputDim, labels)
        self.hidden = kind == .mlp ? hidden : 0
        var rng = SplitMix64(seed: seed)
        let bound = (6 / Float(inputDim)).squareRoot()
        w1 = (0..<(self.hidden * inputDim)).map { _ in (rng.nextUnitFloat() * 2 - 1) * bound }
        b1 = [Float](repeating: 0, count: self.hidden)
        let width = kind == .mlp ? hidden : inputDim
        let outBound = kind == .mlp ? (6 / Float(width)).squareRoot() * 0.1 : 0
        w2 = (0..<(labels.count * width)).map { _ in (rng.nextUnitFloat() * 2 - 1) * outBound }
        b2 = [Float](repeating: 0, count: labels.count)
    }

    /// A head from stored parameters (in `parameters` order); nil when the count does not match the shape.
    public init?(kind: Kind, inputDim: Int, hidden: Int, labels: [String], parameters p: [Float]) {
        let h = kind == .mlp ? hidden : 0, width = kind == .mlp ? hidden : inputDim
        let sizes = [h * inputDim, h, labels.count * width, labels.count]
        guard inputDim > 0, !labels.isEmpty, kind == .linear || hidden > 0, p.count == sizes.reduce(0, +) else { return nil }
        (self.kind, self.inputDim, self.hidden, self.labels) = (kind, inputDim, h, labels)
        var at = 0
        func take(_ n: Int) -> [Float] { defer { at += n }; return Array(p[at..<(at + n)]) }
        (w1, b1, w2, b2) = (take(sizes[0]), take(sizes[1]), take(sizes[2]), take(sizes[3]))
    }

    /// The parameters in storage order.
    public var parameters: [Float] { w1 + b1 + w2 + b2 }

    /// Softmax probabilities of every label for the embedding `x`; `hiddenOut` (at least `hidden` floats) receives
    /// the hidden layer's activations.
    public func probabilities(_ x: UnsafePointer<Float>, into p: UnsafeMutablePointer<Float>, hiddenOut h: UnsafeMutablePointer<Float>) {
        var input = x
        if kind == .mlp {
            w1.withUnsafeBufferPointer { w in
                for j in 0..<hidden { h[j] = max(0, Kernels.dot(w.baseAddress! + j * inputDim, x, inputDim) + b1[j]) }
            }
            input = UnsafePointer(h)
        }
        let width = width
        var top = -Float.infinity
        w2.withUnsafeBufferPointer { w in
            for l in 0..<labels.count {
                p[l] = Kernels.dot(w.baseAddress! + l * width, input, width) + b2[l]
                top = max(top, p[l])
            }
        }
        var sum: Float = 0
        for l in 0..<labels.count { p[l] = expf(p[l] - top); sum += p[l] }
        for l in 0..<labels.count { p[l] /= sum }
    }

    /// The `k` most probable labels (all with k = -1) of probability at least `threshold`, most probable first
    /// (ties: lower label first).
    public func predict(_ x: UnsafePointer<Float>, k: Int, threshold: Float, scratch: UnsafeMutablePointer<Float>) -> [Prediction] {
        let p = scratch, h = scratch + labels.count
        probabilities(x, into: p, hiddenOut: h)
        let order = (0..<labels.count).filter { p[$0] >= threshold }.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
        return order.prefix(k < 0 ? labels.count : k).map { Prediction(label: $0, probability: p[$0]) }
    }

    /// Floats of scratch space `predict` needs.
    public var scratchCount: Int { labels.count + max(1, hidden) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
