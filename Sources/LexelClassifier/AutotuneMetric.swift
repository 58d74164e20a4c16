import LexelCore
import LexelIO

/// What autotuning maximises on the validation file (fastText's `-autotune-metric`): F1 over all labels or one
/// label, or precision at a recall (recall at a precision), over all labels or one label.
public enum AutotuneMetric: Sendable, Equatable, CustomStringConvertible {
    case f1
    case f1Label(String)
    case precisionAtRecall(Double, label: String?)
    case recallAtPrecision(Double, label: String?)

    /// Parses fastText's spellings: `f1`, `f1:LABEL`, `precisionAtRecall:30`, `precisionAtRecall:30:LABEL`,
    /// `recallAtPrecision:30`, `recallAtPrecision:30:LABEL` (percentages).
    public init(parsing s: String) throws {
        let parts = s.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        func percent(_ p: String) throws -> Double {
            guard let v = Double(p), v > 0, v <= 100 else { throw LexelError("-autotune-metric \(s): \(quoted(p)) is not a percentage in (0, 100]") }
            return v / 100
        }
        switch (parts[0], parts.count) {
        case ("f1", 1): self = .f1
        case ("f1", 2) where !parts[1].isEmpty: self = .f1Label(parts[1])
        case ("precisionAtRecall", 2...): self = .precisionAtRecall(try percent(parts[1]), label: parts.count > 2 ? parts[2] : nil)
        case ("recallAtPrecision", 2...): self = .recallAtPrecision(try percent(parts[1]), label: parts.count > 2 ? parts[2] : nil)
        default:
            throw LexelError("-autotune-metric: \(quoted(s)) is not one of f1, f1:LABEL, precisionAtRecall:P[:LABEL], recallAtPrecision:P[:LABEL]")
        }
    }

    public var description: String {
        switch self {
        case .f1: "f1"
        case .f1Label(let l): "f1:\(l)"
        case .precisionAtRecall(let r, let l): "precisionAtRecall:\(Int((r * 100).rounded()))" + (l.map { ":" + $0 } ?? "")
        case .recallAtPrecision(let p, let l): "recallAtPrecision:\(Int((p * 100).rounded()))" + (l.map { ":" + $0 } ?? "")
        }
    }

    /// The label the metric names, if any.
    var label: String? {
        switch self {
        case .f1: nil
        case .f1Label(let l): l
        case .precisionAtRecall(_, let l), .recallAtPrecision(_, let l): l
        }
    }

    /// The metric of `model` on the labelled lines of `path`, predicting `k` labels a line for the F1 metrics.
    public func score(_ model: some LineClassifier, path: String, k: Int) throws -> Double {
        var labelIndex: Int? = nil
        if let name = label {
            guard let i = model.labelNames.firstIndex(of: name) else {
                throw LexelError(file: path, "-autotune-metric \(self): \(quoted(name)) is not a label of the training file")
            }
            labelIndex = i
        }
        switch self {
        case .f1:
            let m = try ClassifierEvaluation.test(model, path: path, k: k, threshold: 0)
            return m.predicted + m.gold > 0 ? 2 * Double(m.correct) / Double(m.predicted + m.gold) : 0
        case .f1Label:
            return try ClassifierEvaluation.test(model, path: path, k: k, threshold: 0).f1(label: labelIndex!) ?? 0
        case .precisionAtRecall(let target, _), .recallAtPrecision(let target, _):
            let curve = try Self.curve(model, path: path, label: labelIndex)
            if case .precisionAtRecall = self {
                return curve.filter { $0.recall >= target }.map(\.precision).max() ?? 0
            }
            return curve.filter { $0.precision >= target }.map(\.recall).max() ?? 0
        }
    }

    /// Precision and recall at every threshold: each (line, label) pair scored by the model, the label's own pairs
    /// when one is named, taken in order of decreasing probability.
    static func curve(_ model: some LineClassifier, path: String, label: Int?) throws -> [(precision: Double, recall: Double)] {
        var pairs: [(score: Float, correct: Bool)] = [], gold = 0
        let w = model.makeWorkspace()
        try QueryLines.forEachBytes(path: path) { line, _ in
            guard let (g, predictions) = model.evaluate(line, k: -1, threshold: 0, workspace: w) else { return }
            let labels = Set(g)
            gold += label.map { labels.contains(Int32($0)) ? 1 : 0 } ?? labels.count
            for p in predictions where label == nil || p.label == label {
                pairs.append((p.probability, labels.contains(Int32(p.label))))
            }
        }
        pairs.sort { $0.score > $1.score }
        var out: [(precision: Double, recall: Double)] = [], correct = 0
        for (i, p) in pairs.enumerated() {
            if p.correct { correct += 1 }
            // one point per distinct threshold: after the last pair of equal score
            if i + 1 == pairs.count || pairs[i + 1].score != p.score {
                out.append((Double(correct) / Double(i + 1), gold > 0 ? Double(correct) / Double(gold) : 0))
            }
        }
        return out
    }
}
