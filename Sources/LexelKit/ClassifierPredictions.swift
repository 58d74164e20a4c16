import LexelClassifier
import LexelCore
import LexelIO

/// The `predict` / `predict-prob` use case: labels (and probabilities) of every line of a file or standard input,
/// written to standard output in fastText's format, one output line per input line.
public enum ClassifierPredictions {
    /// Writes, for each line, its predicted labels separated by spaces, each followed by its probability when
    /// `probabilities` is set (`k` <= 0: every label).
    public static func run(_ model: Classifier, input: String, k: Int, threshold: Float, probabilities: Bool) throws {
        let w = model.workspace()
        let names = model.dictionary.labels
        try QueryLines.forEach(path: input) { line, _ in
            var bytes = Array(line.utf8)
            let p = bytes.withUnsafeMutableBufferPointer { model.predict(UnsafeBufferPointer($0), k: k, threshold: threshold, w) }
            StandardOutput.shared.line(p.map { probabilities ? "\(names[$0.label]) \($0.probability)" : names[$0.label] }
                .joined(separator: " "))
        }
    }
}
