import LexelCore
import LexelText
import LexelIO

/// fastText's `test`: precision and recall at k over the labelled lines of a file.
public enum ClassifierEvaluation {
    public struct Metrics: Sendable, Equatable {
        /// Lines with at least one known label (and input rows) that were predicted.
        public var examples = 0
        public var gold = 0, predicted = 0, correct = 0
        /// correct / predicted (fastText's P@k).
        public var precision: Double { predicted > 0 ? Double(correct) / Double(predicted) : 0 }
        /// correct / gold labels (fastText's R@k).
        public var recall: Double { gold > 0 ? Double(correct) / Double(gold) : 0 }
    }

    /// Runs `model` over every line of `path` (`-` for standard input; at most 1 MiB a line) as fastText's `test`
    /// does: lines without a known label, or without input rows, are skipped.
    public static func test(_ model: Classifier, path: String, k: Int, threshold: Float) throws -> Metrics {
        var m = Metrics()
        let w = model.workspace()
        try QueryLines.forEach(path: path) { line, _ in
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBufferPointer { b in
                model.dictionary.line(UnsafeBufferPointer(b), features: &w.features, labels: &w.labels)
            }
            guard !w.labels.isEmpty, !w.features.isEmpty else { return }
            let labels = w.labels
            let p = model.predict(features: w.features, k: k, threshold: threshold, w)
            m.examples += 1
            m.gold += labels.count
            m.predicted += p.count
            m.correct += p.filter { labels.contains(Int32($0.label)) }.count
        }
        return m
    }
}
