import LexelCore
import LexelIO
import LexelLexical

/// Progress of a streaming job over a document file.
public struct StreamProgress: Sendable {
    /// Documents done.
    public var documents: Int
    /// Seconds since the job started.
    public var seconds: Double
    /// Share of the input read (by bytes), when the input's size is known.
    public var fraction: Double?
}

/// The `embed` use case: streams documents through a lexical model into a sink, in bounded memory.
public struct EmbedDocuments {
    public var threads = onlineCPUs
    /// Documents per batch through the dense layers.
    public var batch = 256
    /// Keep per-stage timings (tokenise, n-grams, W0, dense) for `report`.
    public var profile = false

    public init() {}

    /// Embeds every document of `input` with `model` into `sink`, calling `progress` about twice a second. Returns
    /// the pipeline (for its timing report) and the seconds spent.
    @discardableResult
    public func run(_ input: DocumentInput, model: LexicalModel, into sink: EmbeddingSink,
                    progress: (StreamProgress) -> Void = { _ in }) throws -> (pipeline: EmbedPipeline, seconds: Double) {
        guard (1...1024).contains(threads) else { throw LexelError("--threads must be 1...1024 (got \(threads))") }
        guard (1...4096).contains(batch) else { throw LexelError("--batch must be 1...4096 (got \(batch))") }
        let reader = try input.reader()
        let pipeline = EmbedPipeline(model: model, threads: threads, batch: batch, timed: profile)
        let start = monotonicSeconds()
        var last = start
        let size = reader.fileSize
        func fraction() -> Double? { size.map { Double(reader.bytesRead) / Double(max(1, $0)) } }
        try pipeline.run(reader) { rows, count in
            try sink.append(rows, count: count)
            let now = monotonicSeconds()
            if now - last > 0.5 {
                last = now
                progress(StreamProgress(documents: sink.rows, seconds: now - start, fraction: fraction()))
            }
        }
        try sink.commit()
        let seconds = monotonicSeconds() - start
        progress(StreamProgress(documents: sink.rows, seconds: seconds, fraction: 1))
        return (pipeline, seconds)
    }
}
