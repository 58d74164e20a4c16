import LexelCore
import LexelKernels
import LexelText

/// Reads models saved by fastText 0.9 (`.bin`, format versions 11 and 12): arguments, dictionary and the input
/// matrix with its subword buckets. Vectors then equal fastText's `get_word_vector`, in and out of vocabulary.
public enum FastTextModel {
    public static let magic: Int32 = 793_712_314

    /// Whether a mapped file starts with fastText's magic number.
    public static func hasMagic(_ f: MappedFile) -> Bool {
        f.size >= 8 && Int32(littleEndian: f.base.loadUnaligned(as: Int32.self)) == magic
    }

    public static func read(path: String) throws -> WordVectors {
        let f = try MappedFile(path: path)
        var r = f.reader()
        func bad(_ why: String) -> LexelError { LexelError(file: path, offset: Int64(r.offset), why) }
        guard try r.read(Int32.self, "magic") == magic else { throw bad("not a fastText model (wrong magic)") }
        let version = try r.read(Int32.self, "version")
        guard version == 11 || version == 12 else { throw bad("unsupported fastText format version \(version)") }
        var args: [(String, Int32)] = []
        for name in ["dim", "ws", "epoch", "minCount", "neg", "wordNgrams", "loss", "model", "bucket", "minn", "maxn",
                     "lrUpdateRate"] {
            args.append((name, try r.read(Int32.self, name)))
        }
        let t = try r.readDouble("t")
        func arg(_ n: String) -> Int { Int(args.first { $0.0 == n }!.1) }
        let dim = arg("dim"), bucket = arg("bucket"), minn = arg("minn"), maxn = arg("maxn")
        guard dim > 0, dim <= 100_000, bucket >= 0, minn >= 0, maxn >= 0, maxn <= 64 else {
            throw bad("implausible arguments (dim \(dim), bucket \(bucket), minn \(minn), maxn \(maxn))")
        }
        let size = Int(try r.read(Int32.self, "dictionary size"))
        let nwords = Int(try r.read(Int32.self, "word count"))
        _ = try r.read(Int32.self, "label count")
        let ntokens = try r.read(Int64.self, "token count")
        let pruneSize = try r.read(Int64.self, "pruneidx size")
        guard size >= 0, nwords >= 0, nwords <= size, size <= f.size else { throw bad("implausible dictionary size \(size)") }
        var words: [[UInt8]] = [], counts: [Int64] = []
        for i in 0..<size {
            let start = r.offset
            while true {
                let b = try r.read(UInt8.self, "entry \(i)")
                if b == 0 { break }
            }
            let word = Array(UnsafeRawBufferPointer(start: f.base + start, count: r.offset - start - 1))
            let count = try r.read(Int64.self, "count of entry \(i)")
            let type = try r.read(Int8.self, "type of entry \(i)")
            if type == 0 && i < nwords {
                words.append(word)
                counts.append(count)
            }
        }
        guard words.count == nwords else { throw bad("dictionary holds \(words.count) words, header says \(nwords)") }
        guard pruneSize <= 0 else { throw bad("pruned (quantised) dictionaries are not supported") }
        guard try r.read(UInt8.self, "quant flag") == 0 else { throw bad("quantised models (.ftz) are not supported yet") }
        let m = Int(try r.read(Int64.self, "matrix rows")), n = Int(try r.read(Int64.self, "matrix cols"))
        guard n == dim, m == nwords + bucket || (maxn == 0 && m >= nwords) else {
            throw bad("input matrix is \(m) x \(n), expected \(nwords + bucket) x \(dim)")
        }
        guard m <= (f.size - r.offset) / (n * 4) else {  // before m * n * 4, which can overflow
            throw bad("truncated: input matrix (\(m) x \(n) floats) runs past the end of the file")
        }
        let matrixOffset = r.offset
        let data = try r.bytes(m * n * 4, "input matrix")
        let matrix = Matrix(rows: m, cols: n)
        UnsafeMutableRawPointer(matrix.pointer).copyMemory(from: data.baseAddress!, byteCount: data.count)
        let vocab = Vocabulary(words: words, counts: counts, totalTokens: ntokens)
        let meta = args.map { ($0.0, "\($0.1)") } + [("t", "\(t)"), ("source", "fastText .bin v\(version)")]
        let vectors = WordVectors(vocabulary: vocab, rows: UnsafePointer(matrix.pointer), rowCount: m, dim: dim, minn: minn,
                                  maxn: maxn, bucket: maxn > 0 ? bucket : 0, usedBuckets: UnsafeBufferPointer(start: nil, count: 0),
                                  metadata: meta, owners: [matrix])
        try vectors.checkFinite(file: path, matrixOffset: matrixOffset)
        return vectors
    }
}
