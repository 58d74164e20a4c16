import LexelCore
import LexelText
import LexelKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// fastText's hierarchical softmax tree over the labels (built from label counts, in label order, as
/// `HierarchicalSoftmaxLoss::buildTree`), and its best-first search for the k most probable labels.
struct LabelTree: Sendable {
    let leaves: Int
    var left: [Int], right: [Int]

    init(counts: [Int64]) {
        let osz = counts.count
        leaves = osz
        let total = max(1, 2 * osz - 1)
        var count = [Int64](repeating: 1_000_000_000_000_000, count: total)
        left = [Int](repeating: -1, count: total)
        right = [Int](repeating: -1, count: total)
        for i in 0..<osz { count[i] = counts[i] }
        var leaf = osz - 1, node = osz
        for i in osz..<(2 * osz - 1) where osz > 1 {
            var mini = [0, 0]
            for j in 0..<2 {
                if leaf >= 0 && count[leaf] < count[node] { mini[j] = leaf; leaf -= 1 } else { mini[j] = node; node += 1 }
            }
            left[i] = mini[0]
            right[i] = mini[1]
            count[i] = count[mini[0]] + count[mini[1]]
        }
    }

    /// fastText's `std_log`: the log of `x + 1e-5`.
    @inline(__always) static func stdLog(_ x: Float) -> Float { logf(x + 1e-5) }

    /// The `k` best labels by the product of the branch probabilities on their paths (depth-first, pruned by the
    /// k-th best so far, as fastText's `dfs`); probabilities are exp of the summed logs without fastText's 1e-5.
    /// `score(n)` is inner node n's output (`output row n . hidden`).
    func best(_ k: Int, threshold: Float, score nodeScore: (Int) -> Float) -> [Prediction] {
        guard leaves > 1 else { return leaves == 1 ? [Prediction(label: 0, probability: 1)] : [] }
        var heap = PredictionHeap(k: k)
        let logThreshold = LabelTree.stdLog(threshold)
        func dfs(_ node: Int, _ score: Float) {
            if score < logThreshold { return }
            if heap.isFull && score < heap.front { return }
            if left[node] == -1 && right[node] == -1 {
                heap.offer(score, node)
                return
            }
            var f = nodeScore(node - leaves)
            f = 1 / (1 + expf(-f))
            dfs(left[node], score + LabelTree.stdLog(1 - f))
            dfs(right[node], score + LabelTree.stdLog(f))
        }
        dfs(2 * leaves - 2, 0)
        return heap.sorted().map { Prediction(label: $0.label, probability: min(1, expf($0.score))) }
    }
}
