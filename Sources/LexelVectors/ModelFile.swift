import LexelCore
import LexelIO
import LexelText

/// Lexel's word-model file (`.bin`): vocabulary with counts, training arguments, and the input matrix with
/// its subword rows, stored raw and 64-byte aligned so it is memory-mapped in place. See docs/model-format.md.
public enum ModelFile {
    static let magic: [UInt8] = Array("LXWMODEL".utf8)
    /// The version written. Version 2 is version 1 with an 8-byte checksum trailer; both are read.
    public static let version: UInt32 = 2
    /// Bytes after the matrix in a version 2 file: CRC-32 of everything before the matrix, CRC-32 of the matrix.
    static let trailerSize = 8

    static func hasMagic(_ f: MappedFile) -> Bool {
        (0..<8).allSatisfy { f.base.load(fromByteOffset: $0, as: UInt8.self) == magic[$0] }
    }

    /// Writes a model atomically (temp file + rename), with CRC-32 checksums of the header part and of the
    /// matrix in its last 8 bytes (version 2). Throws, writing nothing, when a vector holds NaN or infinity.
    public static func write(path: String, vectors v: WordVectors) throws {
        let (vocabulary, rowCount, dim) = (v.vocabulary, v.rowCount, v.dim)
        let (minn, maxn, bucket, metadata) = (v.minn, v.maxn, v.bucket, v.metadata)
        try v.checkFinite(file: path, matrixOffset: nil)
        var h = HeaderBytes()
        h.bytes += magic
        h.put(version)
        h.put(UInt32(dim))
        h.put(UInt64(vocabulary.count))
        h.put(UInt64(rowCount))
        h.put(UInt32(minn))
        h.put(UInt32(maxn))
        h.put(UInt64(bucket))
        h.put(UInt64(vocabulary.totalTokens))
        h.put(UInt64(v.usedBuckets.count))
        h.put(UInt32(metadata.count))
        for (k, v) in metadata {
            h.put(k)
            h.put(v)
        }
        for i in 0..<vocabulary.count {
            let b = vocabulary.bytes(i)
            h.put(UInt32(b.count))
            h.bytes += b
            h.put(UInt64(vocabulary.counts[i]))
        }
        h.pad(to: 64)
        for b in v.usedBuckets { h.put(b) }
        h.pad(to: 64)
        let matrix = UnsafeRawBufferPointer(start: v.rows, count: rowCount * dim * 4)
        let w = try AtomicFileWriter(path: path)
        try h.bytes.withUnsafeBytes { try w.write($0) }
        try w.write(matrix)
        try w.write(h.bytes.withUnsafeBytes { CRC32.checksum($0) })
        try w.write(CRC32.checksum(matrix))
        try w.commit()
    }

    /// The part of the file before the matrix, built in memory so that it can be checksummed.
    struct HeaderBytes {
        var bytes: [UInt8] = []
        mutating func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
        mutating func put(_ s: String) {
            put(UInt32(s.utf8.count))
            bytes += Array(s.utf8)
        }
        mutating func pad(to a: Int) { bytes += [UInt8](repeating: 0, count: (a - bytes.count % a) % a) }
    }

    /// Reads a mapped model; the matrix stays in the mapping, read once here to check its checksum (version 2)
    /// and that every value is finite.
    static func read(_ f: MappedFile) throws -> WordVectors {
        var r = f.reader(at: 8)
        func bad(_ at: Int, _ why: String) -> LexelError { LexelError(file: f.path, offset: Int64(at), why) }
        let v = try r.read(UInt32.self, "version")
        guard v == 1 || v == 2 else { throw bad(8, "unsupported model version \(v) (this build reads versions 1 and 2)") }
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
        let need = rowCount * dim * 4, trailer = v >= 2 ? trailerSize : 0
        guard f.size - r.offset == need + trailer else {
            let what = trailer > 0 ? " and its \(trailer)-byte checksum trailer" : ""
            throw bad(r.offset, "matrix section\(what) has \(f.size - r.offset) bytes, expected \(need + trailer) (\(rowCount) x \(dim) floats\(what)): truncated or corrupt")
        }
        let matrixStart = r.offset
        if trailer > 0 {
            let stored = (f.base + f.size - trailer).loadUnaligned(as: (UInt32, UInt32).self)
            guard CRC32.checksum(UnsafeRawBufferPointer(start: f.base, count: matrixStart)) == UInt32(littleEndian: stored.0) else {
                throw bad(0, "header, vocabulary or bucket list (bytes 0..<\(matrixStart)): CRC-32 mismatch: corrupt")
            }
            guard CRC32.checksum(UnsafeRawBufferPointer(start: f.base + matrixStart, count: need)) == UInt32(littleEndian: stored.1) else {
                throw bad(matrixStart, "matrix (\(rowCount) x \(dim) floats): CRC-32 mismatch: corrupt")
            }
        }
        let vocab = Vocabulary(words: words, counts: counts, totalTokens: Int64(totalTokens))
        let rows = (f.base + matrixStart).assumingMemoryBound(to: Float.self)
        let vectors = WordVectors(vocabulary: vocab, rows: rows, rowCount: rowCount, dim: dim, minn: minn, maxn: maxn,
                                  bucket: bucket, usedBuckets: used, metadata: metadata, owners: [f])
        try vectors.checkFinite(file: f.path, matrixOffset: matrixStart)
        return vectors
    }

    static func readString(_ r: inout ByteReader) throws -> String {
        let n = Int(try r.read(UInt32.self, "string length"))
        return String(decoding: try r.bytes(n, "string"), as: UTF8.self)
    }
}
