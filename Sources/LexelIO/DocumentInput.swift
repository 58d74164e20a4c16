import LexelCore

/// The one rule every command uses to read documents (`embed`, `similar`, `ngrams`, `distill`, and later the
/// classifier and clustering): how a path's documents are laid out.
///
/// - `--plain` reads one document per line, whatever the name.
/// - `--field NAME` reads JSON Lines, the text in the top-level string member NAME.
/// - Otherwise the name decides: `*.jsonl`, `*.ndjson` and `*.json`, each optionally followed by `.zst` or
///   `.zstd`, are JSON Lines with the text in `text`; anything else (including `-`, standard input) is one
///   document per line. zstd compression is detected from the content, not the name.
public struct DocumentInput: Sendable, Equatable {
    public var path: String
    /// The JSON member holding the text, or nil for one document per line.
    public var field: String?
    /// The longest document accepted.
    public var maxDocumentBytes: Int

    /// Name suffixes (before an optional `.zst`/`.zstd`) that mean JSON Lines.
    public static let jsonLinesSuffixes = [".jsonl", ".ndjson", ".json"]

    public init(path: String, field: String? = nil, plain: Bool = false,
                maxDocumentBytes: Int = DocumentReader.defaultMaxDocumentBytes) throws {
        if plain && field != nil { throw LexelError("--plain and --field contradict each other: choose one") }
        if let field, field.isEmpty { throw LexelError("--field must name a JSON member (got an empty name)") }
        guard maxDocumentBytes > 0 else { throw LexelError("the maximum document size must be positive") }
        self.path = path
        self.field = plain ? nil : field ?? (DocumentInput.isJSONLinesName(path) ? "text" : nil)
        self.maxDocumentBytes = maxDocumentBytes
    }

    /// Whether `path`'s name says JSON Lines.
    public static func isJSONLinesName(_ path: String) -> Bool {
        var name = path.lowercased()
        for z in [".zst", ".zstd"] where name.hasSuffix(z) { name.removeLast(z.count) }
        return jsonLinesSuffixes.contains { name.hasSuffix($0) }
    }

    /// A reader of these documents (opens the file now: a wrong path fails at once).
    public func reader() throws -> DocumentReader {
        let r = try DocumentReader(path: path, field: field)
        r.maxDocumentBytes = maxDocumentBytes
        return r
    }
}
