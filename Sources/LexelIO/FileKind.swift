import LexelCore

/// What a file is, from its first bytes (never from its name): the one place that knows every format's magic
/// number, so that a command given the wrong kind of file can say what it got and what it wanted.
public enum FileKind: Equatable, Sendable {
    /// A Lexel section container (`.lxv` vector file or `.lxm` lexical model: its meta says which).
    case container
    /// A ZIP archive (NumPy `.npz`, a Luxical model).
    case zip
    /// A NumPy `.npy` array.
    case npy
    /// A Lexel word-vector model (`.bin` from `lexel skipgram` / `lexel cbow`).
    case lexelWordModel
    /// A `lexel distill` checkpoint.
    case distillCheckpoint
    /// A fastText model (`.bin` or `.ftz`).
    case fastTextModel
    /// An n-gram table (`lexel ngrams`).
    case ngramTable
    /// A zstd-compressed stream.
    case zstd
    /// An empty file.
    case empty
    /// Anything else: text (`.vec`, corpora) or word2vec binary, told apart by their readers.
    case other

    /// How messages name the kind.
    public var description: String {
        switch self {
        case .container: "a Lexel container (.lxv or .lxm)"
        case .zip: "a ZIP archive (.npz)"
        case .npy: "a NumPy .npy array"
        case .lexelWordModel: "a Lexel word-vector model (.bin from `lexel skipgram` or `lexel cbow`)"
        case .distillCheckpoint: "a `lexel distill` checkpoint"
        case .fastTextModel: "a fastText model"
        case .ngramTable: "an n-gram table (from `lexel ngrams`)"
        case .zstd: "a zstd-compressed file"
        case .empty: "an empty file"
        case .other: "text or word2vec binary vectors"
        }
    }

    /// The magic numbers, as the files start.
    public static let containerMagic = Array("LEXELVEC".utf8)
    public static let lexelWordModelMagic = Array("LXWMODEL".utf8)
    public static let distillCheckpointMagic = Array("LXDISTCK".utf8)
    static let table: [([UInt8], FileKind)] = [
        (containerMagic, .container), (lexelWordModelMagic, .lexelWordModel),
        (distillCheckpointMagic, .distillCheckpoint), ([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59], .npy),
        ([0x50, 0x4B, 0x03, 0x04], .zip), (Array("# lexel-ngrams".utf8), .ngramTable), ([0xBA, 0x16, 0x4F, 0x2F], .fastTextModel), ([0x28, 0xB5, 0x2F, 0xFD], .zstd),
    ]

    /// The kind of the file at `path` (reads at most 16 bytes); an unreadable file is an error naming it.
    public static func of(path: String) throws -> FileKind {
        let f = try FileByteSource(path)
        var head = [UInt8](repeating: 0, count: 16)
        var n = 0
        while n < head.count {
            let r = try head.withUnsafeMutableBytes { try f.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[n...])) }
            if r == 0 { break }
            n += r
        }
        return of(bytes: Array(head[0..<n]))
    }

    /// The kind of a file that starts with `bytes`.
    public static func of(bytes: [UInt8]) -> FileKind {
        if bytes.isEmpty { return .empty }
        for (magic, kind) in table where bytes.count >= magic.count && Array(bytes[0..<magic.count]) == magic { return kind }
        return .other
    }
}
