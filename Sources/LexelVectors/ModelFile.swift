import LexelCore
import LexelText

/// Lexel's word-model file (`.bin`): vocabulary with counts, training arguments, and the input matrix with
/// its subword rows, stored raw and 64-byte aligned so it is memory-mapped in place. See docs/model-format.md.
public enum ModelFile {
    static let magic: [UInt8] = Array("LXWMODEL".utf8)
    public static let version: UInt32 = 1

    static func hasMagic(_ f: MappedFile) -> Bool {
        (0..<8).allSatisfy { f.base.load(fromByteOffset: $0, as: UInt8.self) == magic[$0] }
    }

    /// Writes a model atomically (temp file + rename).
    public static func write(path: String, vectors v: WordVectors) throws {
        let (vocabulary, rows, rowCount, dim) = (v.vocabulary, v.rows, v.rowCount, v.dim)
        let (minn, maxn, bucket, metadata) = (v.minn, v.maxn, v.bucket, v.metadata)
        let w = try AtomicFileWriter(path: path)
        try magic.withUnsafeBytes { try w.write($0) }
        try w.write(version)
        try w.write(UInt32(dim))
        try w.write(UInt64(vocabulary.count))
        try w.write(UInt64(rowCount))
        try w.write(UInt32(minn))
        try w.write(UInt32(maxn))
        try w.write(UInt64(bucket))
        try w.write(UInt64(vocabulary.totalTokens))
        try w.write(UInt64(v.usedBuckets.count))
        try w.write(UInt32(metadata.count))
        for (k, v) in metadata {
            try writeString(w, k)
            try writeString(w, v)
        }
        for i in 0..<vocabulary.count {
            let b = vocabulary.bytes(i)
            try w.write(UInt32(b.count))
            try w.write(UnsafeRawBufferPointer(b))
            try w.write(UInt64(vocabulary.counts[i]))
        }
        try w.pad(to: 64)
        try w.write(UnsafeRawBufferPointer(v.usedBuckets))
        try w.pad(to: 64)
        try w.write(UnsafeRawBufferPointer(start: rows, count: rowCount * dim * 4))
        try w.commit()
    }

    static func writeString(_ w: AtomicFileWriter, _ s: String) throws {
        try w.write(UInt32(s.utf8.count))
        try w.write(s)
    }

    /// Reads a mapped model; the matrix stays in the mapping (nothing of it is read here).
    static func read(_ f: MappedFile) throws -> WordVectors {
        var r = f.reader(at: 8)
        func bad(_ at: Int, _ why: String) -> LexelError { LexelError(file: f.path, offset: Int64(at), why) }
        let v = try r.read(UInt32.self, "version")
        guard v == version else { throw bad(8, "unsupported model version \(v) (this build reads \(version))") }
        let dim = Int(try r.read(UInt32.self, "dim"))
        let nwords64 = try r.read(UInt64.self, "word count")
        let rowCount64 = try r.read(UInt64.self, "row count")
        let minn = Int(try r.read(UInt32.self, "minn"))
        let maxn = Int(try r.read(UInt32.self, "maxn"))
        let bucket64 = try r.read(UInt64.self, "bucket")
        let totalTokens = try r.read(UInt64.self, "token count")
        let usedCount64 = try r.read(UInt64.self, "used bucket count")
        guard dim > 0, dim <= 100_000 else { throw bad(12, "implausible dim \(dim)") }
        // Checked as UInt64 before any conversion or arithmetic: a word takes at least 12 bytes of the file and a
        // used bucket 4, and n-gram hashes are 32-bit, so larger values are corrupt (and would trap below).
        guard nwords64 <= UInt64(f.size), usedCount64 <= UInt64(f.size) / 4, bucket64 <= UInt64(UInt32.max),
              totalTokens <= UInt64(Int64.max)
        else { throw bad(16, "inconsistent header (words \(nwords64), rows \(rowCount64), bucket \(bucket64), used buckets \(usedCount64), tokens \(totalTokens))") }
        let (nwords, bucket, usedCount) = (Int(nwords64), Int(bucket64), Int(usedCount64))
        guard rowCount64 == nwords64 + usedCount64, usedCount <= bucket, maxn <= 64, minn <= max(maxn, 64)
        else { throw bad(16, "inconsistent header (words \(nwords), rows \(rowCount64), bucket \(bucket))") }
        let rowCount = Int(rowCount64)
        let metaCount = Int(try r.read(UInt32.self, "metadata count"))
        guard metaCount <= 4096 else { throw bad(r.offset - 4, "implausible metadata count \(metaCount)") }
        var metadata: [(String, String)] = []
        for _ in 0..<metaCount { metadata.append((try readString(&r), try readString(&r))) }
        var words: [[UInt8]] = [], counts: [Int64] = []
        words.reserveCapacity(nwords)
        for _ in 0..<nwords {
            let n = Int(try r.read(UInt32.self, "word length"))
            let b = try r.bytes(n, "word")
            words.append(Array(b))
            counts.append(Int64(bitPattern: try r.read(UInt64.self, "word count")))
        }
        r.align(64)
        let bucketBytes = try r.bytes(usedCount * 4, "used bucket list")
        let used = bucketBytes.bindMemory(to: UInt32.self)
        for i in 0..<usedCount where used[i] >= UInt32(bucket) || (i > 0 && used[i] <= used[i - 1]) {
            throw bad(r.offset - usedCount * 4 + i * 4, "used bucket list is not ascending below \(bucket): corrupt")
        }
        r.align(64)
        let need = rowCount * dim * 4
        guard f.size - r.offset == need else {
            throw bad(r.offset, "matrix section has \(f.size - r.offset) bytes, expected \(need) (\(rowCount) x \(dim) floats): truncated or corrupt")
        }
        let vocab = Vocabulary(words: words, counts: counts, totalTokens: Int64(totalTokens))
        let rows = (f.base + r.offset).assumingMemoryBound(to: Float.self)
        return WordVectors(vocabulary: vocab, rows: rows, rowCount: rowCount, dim: dim, minn: minn, maxn: maxn,
                           bucket: bucket, usedBuckets: used, metadata: metadata, owners: [f])
    }

    static func readString(_ r: inout ByteReader) throws -> String {
        let n = Int(try r.read(UInt32.self, "string length"))
        return String(decoding: try r.bytes(n, "string"), as: UTF8.self)
    }
}
