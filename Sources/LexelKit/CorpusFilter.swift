import LexelClassifier
import LexelCore
import LexelIO

/// The `filter` use case (quality filtering of pretraining data, as DCLM's and datatrove's fastText filters do):
/// streams a corpus, scores every document with a classifier on all threads, and writes the documents whose
/// score for the kept labels reaches `minScore`, as they were (JSON objects stay whole), in input order.
public struct CorpusFilter {
    /// Labels whose probability is the score (the largest, when several).
    public var keep: [String]
    public var minScore: Float = 0.5
    public var threads = onlineCPUs
    /// Documents per batch.
    public var batch = 4096

    public init(keep: [String]) { self.keep = keep }

    public struct Summary: Sendable { public var documents = 0, kept = 0 }

    /// Filters `input` into `output` (standard output when nil); with `scores`, writes one JSON line per document
    /// (`{"index": i, "score": s, "kept": true|false}`) there too. Both files are written atomically.
    @discardableResult
    public func run(_ input: DocumentInput, model: any LineClassifier, output: String?, scores: String?,
                    progress: (StreamProgress) -> Void = { _ in }) throws -> Summary {
        guard (1...1024).contains(threads) else { throw LexelError("--threads must be 1...1024 (got \(threads))") }
        guard minScore >= 0, minScore <= 1 else { throw LexelError("--min-score must be in [0, 1] (got \(minScore))") }
        let names = model.labelNames
        let keepIDs = try keep.map { k -> Int in
            guard let i = names.firstIndex(of: k) else {
                throw LexelError("--keep \(quoted(k)) is not a label of the model (its labels: \(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? ", ..." : ""))")
            }
            return i
        }
        let reader = try input.reader()
        let out = try output.map { try AtomicFileWriter(path: $0) }
        let scoreOut = try scores.map { try AtomicFileWriter(path: $0) }
        let workspaces = (0..<threads).map { _ in model.makeWorkspace() }
        var texts: [UInt8] = [], textEnds: [Int] = [], lines: [UInt8] = [], lineEnds: [Int] = []
        var summary = Summary()
        let start = monotonicSeconds()
        func flush() throws {
            let n = textEnds.count
            guard n > 0 else { return }
            let predictions = texts.withUnsafeBufferPointer {
                model.predict(batch: $0, ends: textEnds, k: -1, threshold: 0, workspaces: workspaces)
            }
            let values = predictions.map { p in p.filter { keepIDs.contains($0.label) }.map(\.probability).max() ?? 0 }
            var kept = [UInt8](), scoreText = ""
            for i in 0..<n {
                let keepIt = values[i] >= minScore
                if keepIt {
                    kept += lines[(i == 0 ? 0 : lineEnds[i - 1])..<lineEnds[i]]
                    kept.append(0x0A)
                    summary.kept += 1
                }
                if scoreOut != nil { scoreText += "{\"index\": \(summary.documents + i), \"score\": \(values[i]), \"kept\": \(keepIt)}\n" }
            }
            summary.documents += n
            if let out { try kept.withUnsafeBytes { try out.write($0) } } else { StandardOutput.shared.write(String(decoding: kept, as: UTF8.self)) }
            try scoreOut?.write(scoreText)
            (texts, textEnds, lines, lineEnds) = ([], [], [], [])
            progress(StreamProgress(documents: summary.documents, seconds: monotonicSeconds() - start,
                                    fraction: reader.fileSize.map { Double(reader.bytesRead) / Double(max(1, $0)) }))
        }
        try reader.forEachDocument { text, line, _ in
            texts.append(contentsOf: text); textEnds.append(texts.count)
            lines.append(contentsOf: line); lineEnds.append(lines.count)
            if textEnds.count == batch { try flush() }
        }
        try flush()
        try out?.commit()
        try scoreOut?.commit()
        if out == nil { try StandardOutput.shared.flush() }
        return summary
    }
}
