import LexelClassifier
import LexelCore
import LexelIO

/// The `predict` / `predict-prob` use case: labels (and probabilities) of every line of a file or standard input,
/// written to standard output in fastText's format, one output line per input line, in input order. Lines are
/// read in batches and predicted on `threads` threads.
public enum ClassifierPredictions {
    /// Lines per batch.
    static let batch = 4096

    /// Writes, for each line, its predicted labels separated by spaces, each followed by its probability when
    /// `probabilities` is set (`k` <= 0: every label).
    public static func run(_ model: Classifier, input: String, k: Int, threshold: Float, probabilities: Bool,
                           threads: Int = 1) throws {
        guard (1...1024).contains(threads) else { throw LexelError("--threads must be 1...1024 (got \(threads))") }
        let names = model.dictionary.labels
        let workspaces = (0..<threads).map { _ in model.workspace() }
        var bytes: [UInt8] = [], ends: [Int] = []
        var results = [[Prediction]](repeating: [], count: batch)
        func flush() {
            let n = ends.count
            guard n > 0 else { return }
            bytes.withUnsafeBufferPointer { text in
                results.withUnsafeMutableBufferPointer { out in
                    let (t, e, o, ws) = (Unchecked(text), Unchecked(ends), Unchecked(out), Unchecked(workspaces))
                    parallelFor(n, threads: threads) { thread, range in
                        for i in range {
                            let lo = i == 0 ? 0 : e.value[i - 1]
                            o.value[i] = model.predict(UnsafeBufferPointer(rebasing: t.value[lo..<e.value[i]]), k: k,
                                                       threshold: threshold, ws.value[thread])
                        }
                    }
                }
            }
            var text = ""
            for i in 0..<n {
                var first = true
                for p in results[i] {
                    if !first { text += " " }
                    first = false
                    text += names[p.label]
                    if probabilities { text += " \(p.probability)" }
                }
                text += "\n"
            }
            StandardOutput.shared.write(text)
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }
        try QueryLines.forEachBytes(path: input, maxLineBytes: DocumentReader.defaultMaxDocumentBytes) { line, _ in
            bytes.append(contentsOf: line)
            ends.append(bytes.count)
            if ends.count == batch { flush() }
        }
        flush()
    }
}
