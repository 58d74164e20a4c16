import LexelKernels
import LexelText
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

/// A word2vec/fastText text file (with a `count dim` header) or a GloVe file (without), read line by line.
public struct TextVectorRows: VectorRowSource {
    public let path: String
    public let dim: Int
    public var metadata: [(String, String)] { [] }
    public var subwordRows: WordVectors? { nil }

    /// Reads just enough of the file to know its dimension.
    public init(path: String) throws {
        self.path = path
        dim = try TextVectors.dimension(path: path)
    }

    public func forEachRow(_ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<Float>) throws -> Bool) throws {
        try TextVectors.forEachRow(path: path) { key, row in try body(key, row) }
    }
}

/// A word2vec binary file, read through its mapping row by row.
public struct Word2VecBinaryRows: VectorRowSource {
    public let path: String
    public let dim: Int
    public var metadata: [(String, String)] { [] }
    public var subwordRows: WordVectors? { nil }

    public init(path: String) throws {
        self.path = path
        dim = try Word2VecBinary.dimension(path: path)
    }

    public func forEachRow(_ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<Float>) throws -> Bool) throws {
        try Word2VecBinary.forEachRow(path: path) { key, row in try body(key, row) }
    }
}
