import LexelCore
import LexelIO
import LexelKernels
import LexelText

/// Trained word vectors for querying: a vocabulary, a matrix of rows, and — for fastText-style models — the
/// subword settings that give any word, in the vocabulary or not, a vector (the mean of its rows).
public final class WordVectors: @unchecked Sendable {
    public let vocabulary: Vocabulary
    public let dim: Int
    /// Input rows: `vocabulary.count` word rows, then one row per used n-gram bucket.
    let rows: UnsafePointer<Float>
    public let rowCount: Int
    public let minn: Int
    public let maxn: Int
    public let bucket: Int
    /// The n-gram buckets that own a row, ascending (see `SubwordIndex`).
    public let usedBuckets: UnsafeBufferPointer<UInt32>
    /// `name value` pairs recorded at training time.
    public let metadata: [(String, String)]
    /// Keeps the storage of `rows` and `usedBuckets` alive (a mapped file or owned buffers).
    let owners: [AnyObject]
    private var wordMatrixCache: Matrix?

    public init(vocabulary: Vocabulary, rows: UnsafePointer<Float>, rowCount: Int, dim: Int, minn: Int, maxn: Int,
                bucket: Int, usedBuckets: UnsafeBufferPointer<UInt32>, metadata: [(String, String)], owners: [AnyObject]) {
        self.vocabulary = vocabulary
        self.rows = rows
        self.rowCount = rowCount
        self.dim = dim
        self.minn = minn
        self.maxn = maxn
        self.bucket = bucket
        self.usedBuckets = usedBuckets
        self.metadata = metadata
        self.owners = owners
    }

    /// Whether out-of-vocabulary words get vectors from character n-grams.
    public var hasSubwords: Bool { maxn > 0 && bucket > 0 }

    /// Whether every bucket owns a row (fastText's own layout) rather than only the used ones (Lexel's).
    public var denseBuckets: Bool { hasSubwords && usedBuckets.isEmpty && rowCount == vocabulary.count + bucket }

    /// Whether the file at `path` is a Lexel or fastText model (`.bin` with subword rows), by its magic.
    public static func isModelFile(path: String) -> Bool {
        guard let file = try? MappedFile(path: path) else { return false }
        return (file.size >= 8 && ModelFile.hasMagic(file)) || FastTextModel.hasMagic(file)
    }

    /// Opens a Lexel model or a fastText model (both `.bin`, told apart by their magic numbers), a word2vec binary
    /// file (any other `.bin`), or a word2vec/fastText/GloVe text file. Files whose magic number shows another
    /// kind (a `.lxv` or `.lxm` container, a `.npz` or `.npy`, zstd data) are refused with what they are.
    /// `warn` receives what does not stop the reading (a repeated word in a text file).
    public static func load(path: String, warn: (String) -> Void = ReaderChecks.standardError) throws -> WordVectors {
        let file = try MappedFile(path: path)
        if file.size >= 8 && ModelFile.hasMagic(file) { return try ModelFile.read(file) }
        if FastTextModel.hasMagic(file) { return try FastTextModel.read(path: path) }
        if let kind = foreignKind(file) {
            throw LexelError(file: path, offset: 0, "this is \(kind), not word vectors (expected a Lexel or fastText "
                             + "model .bin, a word2vec binary .bin, or a .vec / GloVe text file)")
        }
        if path.hasSuffix(".bin") { return try Word2VecBinary.read(path: path) }
        return try TextVectors.read(path: path, warn: warn)
    }

    /// What a file is, when its magic number shows a kind of file that does not hold word vectors.
    static func foreignKind(_ f: MappedFile) -> String? {
        let kind = FileKind.of(bytes: Array(UnsafeRawBufferPointer(start: f.base, count: min(f.size, 16))))
        switch kind {
        case .container:
            return "a Lexel container file (a .lxv vector file: query it with `lexel query`, or export it with "
                + "`lexel convert`; or a .lxm lexical model: use it with `lexel embed`)"
        case .zip: return "a ZIP archive (a NumPy .npz, such as a Luxical lexical model)"
        case .zstd: return "zstd-compressed data (decompress it first)"
        case .npy, .distillCheckpoint, .ngramTable: return kind.description
        default: return nil
        }
    }

    /// The matrix rows making up `word`'s vector: its own row (if known) and its n-gram rows.
    public func rowIndices(for word: String) -> [Int32] {
        SubwordIndex.rows(for: word, id: vocabulary.id(of: word), wordCount: vocabulary.count,
                          usedBuckets: usedBuckets, dense: denseBuckets, minn: minn, maxn: hasSubwords ? maxn : 0,
                          bucket: bucket)
    }

    /// The vector of `word`: the mean of its rows. Nil when the word is unknown and has no n-gram rows.
    public func vector(for word: String) -> [Float]? {
        let idx = rowIndices(for: word)
        if idx.isEmpty { return nil }
        var v = [Float](repeating: 0, count: dim)
        v.withUnsafeMutableBufferPointer { out in idx.withUnsafeBufferPointer { mean(ofRows: $0, into: out.baseAddress!) } }
        return v
    }

    /// Vectors of all vocabulary words (the mean of each word's rows), one per row, L2-normalised.
    /// Computed once and cached.
    public var unitWordMatrix: Matrix {
        if let m = wordMatrixCache { return m }
        let m = Matrix(rows: vocabulary.count, cols: dim)
        for i in 0..<vocabulary.count {
            wordVector(i, into: m.row(i))
            Kernels.normalize(m.row(i), dim)
        }
        wordMatrixCache = m
        return m
    }

    /// The mean of the given matrix rows (one or more).
    func mean(ofRows idx: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Float>) {
        Kernels.sumRows(idx, of: rows, into: out, dim)
        Kernels.scale(1 / Float(idx.count), out, dim)
    }

    /// Row `r` of the matrix as stored (a word row or an n-gram row).
    public func matrixRow(_ r: Int, into out: UnsafeMutablePointer<Float>) {
        out.update(from: rows + r * dim, count: dim)
    }

    /// The plain word vectors (not normalised), as written to `.vec` files.
    public func wordVector(_ i: Int, into out: UnsafeMutablePointer<Float>) {
        if hasSubwords {
            let idx = SubwordIndex.rows(for: vocabulary.word(i), id: i, wordCount: vocabulary.count,
                                        usedBuckets: usedBuckets, dense: denseBuckets, minn: minn, maxn: maxn,
                                        bucket: bucket)
            idx.withUnsafeBufferPointer { mean(ofRows: $0, into: out) }
        } else {
            out.update(from: rows + i * dim, count: dim)
        }
    }
}
