import LexelCore
import LexelKernels
import LexelStore
import LexelVectors

/// Word-vector queries on any vector file, for the front ends that take "a vector file" from their users (the C
/// library, the Python package, the server's `/similar`): a `.lxv` is queried where it lies (mapped, quantised,
/// with its OOV vectors); a fastText or Lexel `.bin`, word2vec `.bin` or `.vec` text file is read into memory.
/// Rows are numbered as in the file (for a `.bin`, the vocabulary's order).
public final class WordQueries: @unchecked Sendable {
    enum Source { case file(VectorFile), memory(WordVectors) }
    let source: Source

    /// Opens `path` by what it holds (any vector file; models of other kinds are refused with what they are).
    public init(path: String) throws {
        switch try ModelFiles.kind(of: path) {
        case .vectorFile: source = .file(try ModelFiles.vectorFile(path, for: "the vector queries"))
        default: source = .memory(try ModelFiles.wordVectors(path, for: "the vector queries"))
        }
    }

    public var dim: Int {
        switch source { case .file(let f): f.dim; case .memory(let v): v.dim }
    }

    /// Rows (words) in the file.
    public var count: Int {
        switch source { case .file(let f): f.count; case .memory(let v): v.vocabulary.count }
    }

    /// The row of a word in the file, or nil for an out-of-vocabulary word.
    public func row(of word: String) -> Int? {
        switch source { case .file(let f): f.row(of: word); case .memory(let v): v.vocabulary.id(of: word) }
    }

    /// The word of row `r` (0 ..< count).
    public func word(_ r: Int) throws -> String {
        switch source { case .file(let f): try f.key(r); case .memory(let v): v.vocabulary.word(r) }
    }

    /// The vector of any word: its row, or for an out-of-vocabulary word the mean of its subword rows (fastText)
    /// or its spelling neighbours (a `.lxv`); all zeros where neither exists.
    public func vector(for word: String, into out: UnsafeMutablePointer<Float>) throws {
        switch source {
        case .file(let f):
            let v = try f.vector(for: word)
            for i in 0..<dim { out[i] = v[i] }
        case .memory(let m):
            let v = m.vector(for: word) ?? [Float](repeating: 0, count: dim)
            for i in 0..<dim { out[i] = v[i] }
        }
    }

    /// The `k` rows nearest by cosine to the sum of the positive words' unit vectors minus the negative ones'
    /// (gensim's `most_similar`; an analogy a : b :: c : ? is positive [b, c], negative [a]). The given words are
    /// left out.
    public func mostSimilar(positive: [String], negative: [String] = [], k: Int, threads: Int) throws -> [(row: Int, score: Float)] {
        guard !positive.isEmpty || !negative.isEmpty else { throw LexelError("give at least one word") }
        guard k >= 1 else { throw LexelError("k must be at least 1 (got \(k))") }
        switch source {
        case .file(let f):
            return try f.mostSimilar(positive: positive, negative: negative, k: k, options: SearchOptions(threads: threads))
                .map { ($0.row, $0.score) }
        case .memory(let v):
            var q = [Float](repeating: 0, count: dim), u = [Float](repeating: 0, count: dim)
            for (words, sign) in [(positive, Float(1)), (negative, Float(-1))] {
                for w in words {
                    try u.withUnsafeMutableBufferPointer { p in
                        try vector(for: w, into: p.baseAddress!)
                        _ = Kernels.normalize(p.baseAddress!, dim)
                    }
                    for i in 0..<dim { q[i] += sign * u[i] }
                }
            }
            let skip = Set((positive + negative).compactMap { v.vocabulary.id(of: $0) })
            return nearest(v, q, k: k, excluding: skip)
        }
    }

    /// The `k` rows nearest by cosine to a vector.
    public func nearest(to query: [Float], k: Int, threads: Int) throws -> [(row: Int, score: Float)] {
        guard query.count == dim else { throw LexelError("the query has \(query.count) values; the vectors have \(dim)") }
        guard k >= 1 else { throw LexelError("k must be at least 1 (got \(k))") }
        switch source {
        case .file(let f): return try f.mostSimilar(to: query, k: k, options: SearchOptions(threads: threads)).map { ($0.row, $0.score) }
        case .memory(let v): return nearest(v, query, k: k, excluding: [])
        }
    }

    private func nearest(_ v: WordVectors, _ q: [Float], k: Int, excluding: Set<Int>) -> [(row: Int, score: Float)] {
        v.nearest(to: q, k: k, excluding: excluding).map { (v.vocabulary.id(of: $0.word) ?? -1, $0.score) }
    }
}
