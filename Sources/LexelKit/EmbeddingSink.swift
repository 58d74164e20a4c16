import LexelCore
import LexelIO

/// Where embeddings go, chosen by the output's name: a float32 or int8 `.npy` (the row count is patched into
/// the header at the end), JSON Lines `{"embedding": [...]}` to a file, or JSON Lines on standard output when no
/// path is given. Files are written atomically (`AtomicFileWriter`); every write is checked.
public final class EmbeddingSink {
    public enum Format: Sendable { case npy, jsonl }

    public let dim: Int
    /// Codes `round(x * 127)` (clamped to -127...127) instead of float32: 4x smaller, cosine error < 0.01 for
    /// unit vectors.
    public let int8: Bool
    let npy: NumpyWriter?
    let jsonl: AtomicFileWriter?
    public private(set) var rows = 0
    var codes: [Int8] = []

    /// The format an output path asks for, or an error naming the path.
    public static func format(of path: String) throws -> Format {
        if path.hasSuffix(".npy") { return .npy }
        if path.hasSuffix(".jsonl") { return .jsonl }
        throw LexelError(file: path, "output must end in .npy or .jsonl")
    }

    /// Opens the output now (before any document is embedded), so that a bad path fails at once.
    public init(path: String?, dim: Int, int8: Bool) throws {
        (self.dim, self.int8) = (dim, int8)
        if let path, try EmbeddingSink.format(of: path) == .npy {
            npy = try NumpyWriter(path: path, dtype: int8 ? .i8 : .f32, cols: dim)
            jsonl = nil
        } else {
            npy = nil
            jsonl = try path.map { try AtomicFileWriter(path: $0) }
        }
    }

    /// Appends `count` rows of `dim` floats.
    public func append(_ x: UnsafePointer<Float>, count: Int) throws {
        if int8 {
            codes.removeAll(keepingCapacity: true)
            for i in 0..<(count * dim) { codes.append(Int8(max(-127, min(127, (x[i] * 127).rounded())))) }
        }
        if let npy {
            if int8 { try codes.withUnsafeBytes { try npy.append(rows: count, $0.baseAddress!) } } else { try npy.append(rows: count, x) }
        } else {
            var text = ""
            text.reserveCapacity(count * dim * 12)
            for r in 0..<count {
                text += "{\"embedding\": ["
                for j in 0..<dim {
                    if j > 0 { text += ", " }
                    text += int8 ? String(codes[r * dim + j]) : shortest(x[r * dim + j])
                }
                text += "]}\n"
            }
            if let jsonl { try jsonl.write(text) } else { StandardOutput.shared.write(text) }
        }
        rows += count
    }

    /// Finishes the output (renames the file into place; flushes and checks standard output).
    public func commit() throws {
        try npy?.commit()
        try jsonl?.commit()
        if npy == nil && jsonl == nil { try StandardOutput.shared.flush() }
    }

    func shortest(_ v: Float) -> String { v.isFinite ? "\(v)" : "0" }
}
