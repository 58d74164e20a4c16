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

    /// The score of the kept labels (their largest probability) of each document, batch by batch: the scores,
    /// and the documents' raw lines back to back (line i ends at `lineEnds[i]`).
    func forEachScoredBatch(_ reader: DocumentReader, model: any LineClassifier,
                            _ body: (_ scores: [Float], _ lines: [UInt8], _ lineEnds: [Int]) throws -> Void) throws {
        guard (1...1024).contains(threads) else { throw LexelError("--threads must be 1...1024 (got \(threads))") }
        let names = model.labelNames
        let keepIDs = try keep.map { k -> Int in
            guard let i = names.firstIndex(of: k) else {
                throw LexelError("--keep \(quoted(k)) is not a label of the model (its labels: \(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? ", ..." : ""))")
            }
            return i
        }
        let workspaces = (0..<threads).map { _ in model.makeWorkspace() }
        var texts: [UInt8] = [], textEnds: [Int] = [], lines: [UInt8] = [], lineEnds: [Int] = []
        func flush() throws {
            guard !textEnds.isEmpty else { return }
            let predictions = texts.withUnsafeBufferPointer {
                model.predict(batch: $0, ends: textEnds, k: -1, threshold: 0, workspaces: workspaces)
            }
            try body(predictions.map { p in p.filter { keepIDs.contains($0.label) }.map(\.probability).max() ?? 0 }, lines, lineEnds)
            (texts, textEnds, lines, lineEnds) = ([], [], [], [])
        }
        try reader.forEachDocument { text, line, _ in
            texts.append(contentsOf: text); textEnds.append(texts.count)
            lines.append(contentsOf: line); lineEnds.append(lines.count)
            if textEnds.count == batch { try flush() }
        }
        try flush()
    }

    /// Bins of the score histogram `threshold(keeping:)` builds (bounded memory whatever the corpus).
    static let bins = 1 << 20

    /// The lowest score that keeps at most the `fraction` of the corpus's documents that score highest (a first
    /// pass over the corpus, scoring every document into a histogram of 2^20 bins): ties at the threshold's bin
    /// make the kept share exceed `fraction` by at most that bin's documents. The input is read twice, so it must
    /// be a file.
    public func threshold(keeping fraction: Double, _ input: DocumentInput, model: any LineClassifier,
                          progress: (StreamProgress) -> Void = { _ in }) throws -> Float {
        guard fraction > 0, fraction <= 1 else { throw LexelError("--keep-fraction must be in (0, 1] (got \(fraction))") }
        let reader = try input.reader()
        guard reader.fileSize != nil, reader.displayName != "standard input" else { throw LexelError("--keep-fraction reads the corpus twice: give a file, not standard input") }
        var histogram = [Int](repeating: 0, count: Self.bins)
        var documents = 0
        let start = monotonicSeconds()
        try forEachScoredBatch(reader, model: model) { scores, _, _ in
            for v in scores { histogram[min(Self.bins - 1, max(0, Int(v * Float(Self.bins))))] += 1 }
            documents += scores.count
            progress(StreamProgress(documents: documents, seconds: monotonicSeconds() - start,
                                    fraction: reader.fileSize.map { Double(reader.bytesRead) / Double(max(1, $0)) }))
        }
        let wanted = Int((fraction * Double(documents)).rounded(.down))
        var above = 0, bin = Self.bins
        while bin > 0 && above + histogram[bin - 1] <= wanted { bin -= 1; above += histogram[bin] }
        // everything from `bin` up fits; the threshold is that bin's lower edge (nothing kept when bin is past the top)
        return bin == Self.bins ? Float.greatestFiniteMagnitude : Float(bin) / Float(Self.bins)
    }

    /// Filters `input` into `output` (standard output when nil); with `scores`, writes one JSON line per document
    /// (`{"index": i, "score": s, "kept": true|false}`) there too. Both files are written atomically.
    @discardableResult
    public func run(_ input: DocumentInput, model: any LineClassifier, output: String?, scores: String?,
                    progress: (StreamProgress) -> Void = { _ in }) throws -> Summary {
        guard minScore >= 0, minScore <= 1 || minScore == .greatestFiniteMagnitude else { throw LexelError("--min-score must be in [0, 1] (got \(minScore))") }
        let reader = try input.reader()
        let out = try output.map { try AtomicFileWriter(path: $0) }
        let scoreOut = try scores.map { try AtomicFileWriter(path: $0) }
        var summary = Summary()
        let start = monotonicSeconds()
        try forEachScoredBatch(reader, model: model) { values, lines, lineEnds in
            var kept = [UInt8](), scoreText = ""
            for i in 0..<values.count {
                let keepIt = values[i] >= minScore
                if keepIt {
                    kept += lines[(i == 0 ? 0 : lineEnds[i - 1])..<lineEnds[i]]
                    kept.append(0x0A)
                    summary.kept += 1
                }
                if scoreOut != nil { scoreText += "{\"index\": \(summary.documents + i), \"score\": \(values[i]), \"kept\": \(keepIt)}\n" }
            }
            summary.documents += values.count
            if let out { try kept.withUnsafeBytes { try out.write($0) } } else { StandardOutput.shared.write(String(decoding: kept, as: UTF8.self)) }
            try scoreOut?.write(scoreText)
            progress(StreamProgress(documents: summary.documents, seconds: monotonicSeconds() - start,
                                    fraction: reader.fileSize.map { Double(reader.bytesRead) / Double(max(1, $0)) }))
        }
        try out?.commit()
        try scoreOut?.commit()
        if out == nil { try StandardOutput.shared.flush() }
        return summary
    }
}
