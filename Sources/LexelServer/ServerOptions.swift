import LexelKit

/// What `lexel serve` is started with: the files it serves (chosen at start-up; requests never name a path), where
/// it listens, and its limits.
public struct ServerOptions: Sendable {
    /// The document model (.lxm or Luxical .npz); nil: the shipped one.
    public var model: String?
    /// A classifier for `/classify` (fastText .bin/.ftz, or an .lxm with a head).
    public var classifier: String?
    /// Word vectors for `/similar` with `word` (.lxv, .bin, .vec).
    public var vectors: String?
    /// Documents (lines or JSON Lines) embedded at start-up, searched by `/similar` with `input`.
    public var collection: String?
    /// The address to bind: loopback unless told otherwise.
    public var host = "127.0.0.1"
    public var port = 8080
    /// When set, every route but `/health` needs `Authorization: Bearer <key>`.
    public var apiKey: String?
    public var limits = ServerLimits()
    /// Threads that embed (all online CPUs by default).
    public var threads = onlineCPUs
    /// The model name reported by `/v1/embeddings` and `/info`.
    public var modelName = "lexel-minilm-distilled"

    public init() {}
}

/// The bounds that keep one client, or many, from taking the server's memory.
public struct ServerLimits: Sendable {
    /// Texts per request (more: 422, as TEI's max_client_batch_size).
    public var maxInputs = 2048
    /// Bytes per request body (more: 413).
    public var maxBodyBytes = 2 * 1024 * 1024
    /// Requests being handled at once (more: 429).
    public var maxConcurrent = 512
    /// Texts embedded together at most, when requests are batched across clients.
    public var maxBatch = 4096
    /// Neighbours per `/similar` query at most.
    public var maxK = 1000

    public init() {}
}
