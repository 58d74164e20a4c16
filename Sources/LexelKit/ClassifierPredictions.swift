import LexelClassifier
import LexelCore
import LexelIO

/// The `predict` / `predict-prob` use case: labels (and probabilities) of every document of a file or standard input,
/// written to standard output in fastText's format, one output line per input line, in input order. Lines are
/// read in batches and predicted on `threads` threads.
public enum ClassifierPredictions {
    /// Lines per batch.
    static let batch = 4096

    /// Predictions for every document of `documents` (lines, or JSON Lines with the text in a field). With `json`,
    /// one object per document: `{"index": i, "labels": [...], "probabilities": [...]}`.
    public static func run(_ model: any LineClassifier, documents: DocumentInput, k: Int, threshold: Float, probabilities: Bool,
                           threads: Int = 1, json: Bool) throws {
        guard (1...1024).contains(threads) else { throw LexelError("--threads must be 1...1024 (got \(threads))") }
        let names = model.labelNames
        let workspaces = (0..<threads).map { _ in model.makeWorkspace() }
        var bytes: [UInt8] = [], ends: [Int] = []
        var done = 0
        func flush() {
            let n = ends.count
            guard n > 0 else { return }
            let results = bytes.withUnsafeBufferPointer {
                model.predict(batch: $0, ends: ends, k: k, threshold: threshold, workspaces: workspaces)
            }
            var text = ""
            for i in 0..<n {
                if json {
                    text += "{\"index\": \(done + i), \"labels\": [" + results[i].map { "\"\(jsonEscaped(names[$0.label]))\"" }.joined(separator: ", ")
                        + "], \"probabilities\": [" + results[i].map { "\($0.probability)" }.joined(separator: ", ") + "]}\n"
                    continue
                }
                var first = true
                for p in results[i] {
                    if !first { text += " " }
                    first = false
                    text += names[p.label]
                    if probabilities { text += " \(p.probability)" }
                }
                text += "\n"
            }
            done += n
            StandardOutput.shared.write(text)
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }
        try documents.reader().forEach { text, _ in
            bytes.append(contentsOf: text)
            ends.append(bytes.count)
            if ends.count == batch { flush() }
        }
        flush()
    }
}
