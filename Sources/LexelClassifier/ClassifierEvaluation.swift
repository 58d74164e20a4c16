import LexelCore
import LexelText
import LexelIO

/// fastText's `test`: precision and recall at k over the labelled lines of a file.
public enum ClassifierEvaluation {
    public struct Metrics: Sendable, Equatable {
        /// Lines with at least one known label (and input rows) that were predicted.
        public var examples = 0
        public var gold = 0, predicted = 0, correct = 0
        /// Per label: lines holding it (support), times predicted, times predicted correctly.
        public var labelGold: [Int] = [], labelPredicted: [Int] = [], labelCorrect: [Int] = []
        /// `confusion[g][p]`: lines with true label g whose most probable label was p (one count per true label).
        public var confusion: [[Int]] = []

        init(labels: Int) {
            labelGold = [Int](repeating: 0, count: labels)
            labelPredicted = labelGold
            labelCorrect = labelGold
            confusion = [[Int]](repeating: [Int](repeating: 0, count: labels), count: labels)
        }

        /// Per-label precision, recall and F1 (nil where undefined: nothing predicted, no true line), as fastText.
        public func precision(label i: Int) -> Double? { labelPredicted[i] > 0 ? Double(labelCorrect[i]) / Double(labelPredicted[i]) : nil }
        public func recall(label i: Int) -> Double? { labelGold[i] > 0 ? Double(labelCorrect[i]) / Double(labelGold[i]) : nil }
        public func f1(label i: Int) -> Double? {
            labelPredicted[i] + labelGold[i] > 0 ? 2 * Double(labelCorrect[i]) / Double(labelPredicted[i] + labelGold[i]) : nil
        }
        /// correct / predicted (fastText's P@k).
        public var precision: Double { predicted > 0 ? Double(correct) / Double(predicted) : 0 }
        /// correct / gold labels (fastText's R@k).
        public var recall: Double { gold > 0 ? Double(correct) / Double(gold) : 0 }
    }

    /// Runs `model` over every line of `path` (`-` for standard input; at most 1 MiB a line) as fastText's `test`
    /// does: lines without a known label, or without input rows, are skipped.
    public static func test(_ model: some LineClassifier, path: String, k: Int, threshold: Float) throws -> Metrics {
        var m = Metrics(labels: model.labelNames.count)
        let w = model.makeWorkspace()
        try QueryLines.forEachBytes(path: path) { line, _ in
            guard let (labels, p) = model.evaluate(line, k: k, threshold: threshold, workspace: w) else { return }
            m.examples += 1
            m.gold += labels.count
            m.predicted += p.count
            m.correct += p.filter { labels.contains(Int32($0.label)) }.count
            for q in p {
                m.labelPredicted[q.label] += 1
                if labels.contains(Int32(q.label)) { m.labelCorrect[q.label] += 1 }
            }
            let top = p.first?.label
            for g in labels { m.labelGold[Int(g)] += 1 }  // as fastText: a label repeated on a line counts twice
            if let top { for g in Set(labels) { m.confusion[Int(g)][top] += 1 } }
        }
        return m
    }
}
