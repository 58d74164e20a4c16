import LexelCore
import LexelText
import LexelKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Dense float rows, mapped in place from a model file when aligned there, else copied; `owner` keeps them alive.
public struct RowMatrix: @unchecked Sendable {
    public let base: UnsafePointer<Float>
    public let rows: Int
    public let cols: Int
    let owner: AnyObject

    /// Rows at `base`, kept valid by `owner` (a mapped file, a `Matrix`).
    public init(base: UnsafePointer<Float>, rows: Int, cols: Int, owner: AnyObject) {
        (self.base, self.rows, self.cols, self.owner) = (base, rows, cols, owner)
    }

    /// The rows of a matrix, which this keeps alive.
    public init(_ m: Matrix) { self.init(base: UnsafePointer(m.pointer), rows: m.rows, cols: m.cols, owner: m) }

    @inline(__always) public func row(_ i: Int) -> UnsafePointer<Float> { base + i * cols }
}

/// One label and its probability.
public struct Prediction: Sendable, Equatable {
    public let label: Int
    public let probability: Float
}

/// A fastText-compatible text classifier: the hidden vector is the mean of a line's input rows (words, their
/// character n-grams, hashed word n-grams); the output layer scores every label by the model's loss (softmax,
/// one sigmoid per label for ns and ova, or the hierarchical softmax tree over label counts).
public final class Classifier: @unchecked Sendable {
    public let dictionary: SupervisedDictionary
    public let input: ClassifierRows
    public let output: ClassifierRows
    public var args: FastTextArgs { dictionary.args }
    public var labelCount: Int { dictionary.labelCount }
    let tree: LabelTree?
    /// Input rows projected on the output rows, when there are fewer output rows than dimensions.
    let projected: ProjectedRows?
    static let sigmoid = TableActivation()

    public init(dictionary: SupervisedDictionary, input: ClassifierRows, output: ClassifierRows) throws {
        (self.dictionary, self.input, self.output) = (dictionary, input, output)
        tree = dictionary.args.loss == .hs ? LabelTree(counts: Array(dictionary.counts[dictionary.wordCount...])) : nil
        projected = ProjectedRows.pays(outputRows: output.rows, dim: Int(dictionary.args.dim))
            ? ProjectedRows(rows: input.rows, width: output.rows) : nil
    }

    /// Per-thread buffers for `predict`.
    public final class Workspace {
        var features: [Int32] = [], labels: [Int32] = [], hashes: [Int32] = []
        let hidden: UnsafeMutablePointer<Float>
        let scores: UnsafeMutablePointer<Float>
        init(dim: Int, labels: Int) {
            hidden = .allocate(capacity: dim)
            scores = .allocate(capacity: max(1, labels + 1))
        }
        deinit { hidden.deallocate(); scores.deallocate() }
    }

    public func workspace() -> Workspace { Workspace(dim: Int(args.dim), labels: labelCount) }

    /// The `k` most probable labels of `text` (all with `k` <= 0) whose probability is at least `threshold`, most
    /// probable first (equal probabilities kept and ordered as fastText does). Probabilities are never above 1
    /// (fastText prints p + 1e-5). Empty when the line has no input rows.
    public func predict(_ text: UnsafeBufferPointer<UInt8>, k: Int, threshold: Float = 0, _ w: Workspace) -> [Prediction] {
        dictionary.line(text, features: &w.features, labels: &w.labels, hashes: &w.hashes)
        return predict(features: w.features, k: k, threshold: threshold, w)
    }

    /// Predictions from input rows already computed.
    public func predict(features: [Int32], k: Int, threshold: Float, _ w: Workspace) -> [Prediction] {
        guard !features.isEmpty else { return [] }
        let dim = Int(args.dim), rows = input.rows
        let want = k <= 0 ? labelCount : min(k, labelCount)
        let scale = 1 / Float(features.count)
        if let projected {
            // the output rows' scores directly: the mean of the rows' projections
            let width = projected.width
            Kernels.zero(w.scores, width)
            // rows are drawn at random from a large table: start loading a few rows ahead (memory-level parallelism)
            let ahead = 6
            features.withUnsafeBufferPointer { f in
                for i in 0..<f.count {
                    if i + ahead < f.count, Int(f[i + ahead]) < rows {
                        let next = projected.start(Int(f[i + ahead]))
                        Kernels.prefetchRead(next)
                        Kernels.prefetchRead(next + width)
                    }
                    let r = Int(f[i])
                    guard r < rows else { continue }
                    projected.add(r, input: input, output: output, dim: dim, scores: w.scores, scratch: w.hidden)
                }
            }
            for j in 0..<width { w.scores[j] = ClassifierRows.finite(w.scores[j] * scale) }
            if let tree { return tree.best(want, threshold: threshold) { w.scores[$0] } }
        } else {
            Kernels.zero(w.hidden, dim)
            let ahead = 4
            features.withUnsafeBufferPointer { f in
                for i in 0..<f.count {
                    if i + ahead < f.count, Int(f[i + ahead]) < rows { input.prefetch(row: Int(f[i + ahead])) }
                    if Int(f[i]) < rows { input.add(row: Int(f[i]), into: w.hidden) }
                }
            }
            Kernels.scale(scale, w.hidden, dim)
            if let tree { return tree.best(want, threshold: threshold) { self.output.dot(w.hidden, row: $0) } }
            for j in 0..<labelCount { w.scores[j] = output.dot(w.hidden, row: j) }
        }
        switch args.loss {
        case .softmax:
            var m = w.scores[0]
            for j in 0..<labelCount { m = max(m, w.scores[j]) }
            var z: Float = 0
            for j in 0..<labelCount { w.scores[j] = expf(w.scores[j] - m); z += w.scores[j] }
            for j in 0..<labelCount { w.scores[j] /= z }
        default:  // ns, ova: fastText's sigmoid table (512 steps over [-8, 8]), as its predictions use
            for j in 0..<labelCount { w.scores[j] = Classifier.sigmoid.sigmoid(w.scores[j]) }
        }
        // fastText's findKBest on log(p + 1e-5), so that equal scores resolve as in fastText
        var heap = PredictionHeap(k: want)
        for j in 0..<labelCount where w.scores[j] >= threshold {
            let s = LabelTree.stdLog(w.scores[j])
            if heap.isFull && s < heap.front { continue }
            heap.offer(s, j)
        }
        return heap.sorted().map { Prediction(label: $0.label, probability: w.scores[$0.label]) }
    }
}
