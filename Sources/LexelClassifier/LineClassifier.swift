import LexelCore

/// What the commands need of a classifier, whatever its kind (a fastText model, a head on document embeddings):
/// label names, and per line its predictions and, for evaluation, its true labels.
public protocol LineClassifier: AnyObject, Sendable {
    var labelNames: [String] { get }
    /// Per-thread buffers.
    func makeWorkspace() -> AnyObject
    /// The `k` most probable labels (all with k = -1) of probability at least `threshold` for one line's text.
    func predict(_ text: UnsafeBufferPointer<UInt8>, k: Int, threshold: Float, workspace: AnyObject) -> [Prediction]
    /// A labelled line's true labels and the predictions for its text, or nil when the line is skipped (no known
    /// label, or nothing to classify), as fastText's `test` skips it.
    func evaluate(_ line: UnsafeBufferPointer<UInt8>, k: Int, threshold: Float, workspace: AnyObject) -> (gold: [Int32], predictions: [Prediction])?
}

extension LineClassifier {
    /// Predictions for a batch of texts held back to back in `texts` (text i ends at `ends[i]`), on as many threads
    /// as `workspaces` (one each), in input order.
    public func predict(batch texts: UnsafeBufferPointer<UInt8>, ends: [Int], k: Int, threshold: Float,
                        workspaces: [AnyObject]) -> [[Prediction]] {
        var results = [[Prediction]](repeating: [], count: ends.count)
        results.withUnsafeMutableBufferPointer { out in
            let (t, e, o, ws) = (Unchecked(texts), Unchecked(ends), Unchecked(out), Unchecked(workspaces))
            parallelFor(ends.count, threads: workspaces.count) { thread, range in
                for i in range {
                    let lo = i == 0 ? 0 : e.value[i - 1]
                    o.value[i] = self.predict(UnsafeBufferPointer(rebasing: t.value[lo..<e.value[i]]), k: k, threshold: threshold,
                                              workspace: ws.value[thread])
                }
            }
        }
        return results
    }
}

extension Classifier: LineClassifier {
    public var labelNames: [String] { dictionary.labels }
    public func makeWorkspace() -> AnyObject { workspace() }
    public func predict(_ text: UnsafeBufferPointer<UInt8>, k: Int, threshold: Float, workspace: AnyObject) -> [Prediction] {
        predict(text, k: k, threshold: threshold, workspace as! Workspace)
    }
    public func evaluate(_ line: UnsafeBufferPointer<UInt8>, k: Int, threshold: Float, workspace: AnyObject) -> (gold: [Int32], predictions: [Prediction])? {
        let w = workspace as! Workspace
        dictionary.line(line, features: &w.features, labels: &w.labels, hashes: &w.hashes)
        guard !w.labels.isEmpty, !w.features.isEmpty else { return nil }
        let gold = w.labels
        return (gold, predict(features: w.features, k: k, threshold: threshold, w))
    }
}
