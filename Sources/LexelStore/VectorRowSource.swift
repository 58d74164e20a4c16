import LexelVectors

/// Rows for `VectorFileWriter`, delivered in one sequential pass, so that a source never needs to hold its
/// vectors in memory (a text or word2vec file is parsed line by line while the `.lxv` is written).
public protocol VectorRowSource {
    var dim: Int { get }
    /// `name value` pairs to record as `arg.NAME` in the file's metadata.
    var metadata: [(String, String)] { get }
    /// Word vectors whose subword rows go into the file (fastText-style OOV vectors), or nil.
    var subwordRows: WordVectors? { get }
    /// Calls `body(key, row)` for each word in order (most frequent first) until it returns false.
    func forEachRow(_ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<Float>) throws -> Bool) throws
}

extension WordVectors: VectorRowSource {
    public var subwordRows: WordVectors? { hasSubwords ? self : nil }

    public func forEachRow(_ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<Float>) throws -> Bool) throws {
        let row = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { row.deallocate() }
        for i in 0..<vocabulary.count {
            wordVector(i, into: row)
            guard try body(vocabulary.bytes(i), row) else { return }
        }
    }
}

/// A word2vec/fastText text file (with a `count dim` header), a GloVe file (without), or a word2vec binary
/// file, read row by row.
public struct VectorFileRows: VectorRowSource {
    public enum Format: Sendable { case text, word2vecBinary }
    public let path: String
    public let format: Format
    public let dim: Int
    public var metadata: [(String, String)] { [] }
    public var subwordRows: WordVectors? { nil }

    /// Reads just enough of the file to know its dimension.
    public init(path: String, format: Format) throws {
        (self.path, self.format) = (path, format)
        dim = format == .text ? try TextVectors.dimension(path: path) : try Word2VecBinary.dimension(path: path)
    }

    public func forEachRow(_ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<Float>) throws -> Bool) throws {
        switch format {
        case .text: try TextVectors.forEachRow(path: path, body)
        case .word2vecBinary: try Word2VecBinary.forEachRow(path: path, body)
        }
    }
}
