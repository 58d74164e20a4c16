import LexelCore
import LexelKernels
import LexelText

/// word2vec's binary format (`-binary 1`): a `count dim` text line, then for each word its UTF-8 bytes, a space,
/// `dim` little-endian float32 and (usually) a newline. Also `.npy` export of the matrix with a keys file.
public enum Word2VecBinary {
    /// Reads a word2vec binary file.
    public static func read(path: String) throws -> WordVectors {
        var words: [[UInt8]] = []
        var m: Matrix? = nil
        try forEachRow(path: path, header: { n, dim in
            m = Matrix(rows: n, cols: dim)
            words.reserveCapacity(n)
        }) { word, row in
            UnsafeMutableRawPointer(m!.row(words.count)).copyMemory(from: row, byteCount: m!.cols * 4)
            words.append(Array(word))
            return true
        }
        let n = words.count
        let counts = (0..<n).map { Int64(n - $0) }
        let vocab = Vocabulary(words: words, counts: counts, totalTokens: counts.reduce(0, +))
        return WordVectors(vocabulary: vocab, rows: UnsafePointer(m!.pointer), rowCount: n, dim: m!.cols, minn: 0, maxn: 0,
                           bucket: 0, usedBuckets: UnsafeBufferPointer(start: nil, count: 0),
                           metadata: [("source", "word2vec binary")], owners: [m!])
    }

    /// The dimension of a word2vec binary file, from its header.
    public static func dimension(path: String) throws -> Int {
        var dim = 0
        try forEachRow(path: path, header: { _, d in dim = d }) { _, _ in false }
        return dim
    }

    /// Streams a word2vec binary file through its mapping: `header(count, dim)`, then `body(word, vector)` for
    /// each word in order until it returns false. Throws naming the offset of the first malformed entry or
    /// non-finite value.
    public static func forEachRow(path: String, header: (Int, Int) -> Void = { _, _ in },
                                  _ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<Float>) throws -> Bool) throws {
        let f = try MappedFile(path: path)
        var r = f.reader()
        func bad(_ why: String) -> LexelError { LexelError(file: path, offset: Int64(r.offset), why) }
        var headerLine: [UInt8] = []
        while true {
            let b = try r.read(UInt8.self, "header line")
            if b == 0x0A { break }
            headerLine.append(b)
            if headerLine.count > 64 { throw bad("no 'count dim' header line: not a word2vec binary file") }
        }
        let parts = String(decoding: headerLine, as: UTF8.self).split(separator: " ")
        guard parts.count == 2, let n = Int(parts[0]), let dim = Int(parts[1]), n > 0, dim > 0, dim <= 100_000,
              n <= f.size / (dim * 4) else {
            throw bad("header \(quoted(String(decoding: headerLine, as: UTF8.self), limit: 40)) is not a plausible 'count dim'")
        }
        header(n, dim)
        let row = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { row.deallocate() }
        for i in 0..<n {
            while r.offset < f.size, f.base.load(fromByteOffset: r.offset, as: UInt8.self) == 0x0A { r.offset += 1 }
            let start = r.offset
            while true {
                let b = try r.read(UInt8.self, "word \(i)")
                if b == 0x20 { break }
                if r.offset - start > 10_000 { throw bad("word \(i) is longer than 10000 bytes: corrupt file") }
            }
            let word = UnsafeBufferPointer(start: (f.base + start).assumingMemoryBound(to: UInt8.self), count: r.offset - start - 1)
            if let e = firstInvalidUTF8(word) {
                throw LexelError(file: path, offset: Int64(start + e), "invalid UTF-8 in word \(i)")
            }
            let vectorStart = r.offset
            let v = try r.bytes(dim * 4, "vector of word \(i)")
            UnsafeMutableRawPointer(row).copyMemory(from: v.baseAddress!, byteCount: dim * 4)
            if let k = Kernels.firstNonFinite(row, dim) {
                throw LexelError(file: path, offset: Int64(vectorStart + 4 * k),
                                 "word \(i) (\(quoted(String(decoding: word, as: UTF8.self), limit: 40))), value \(k + 1) of \(dim) is \(row[k]): vectors must be finite numbers")
            }
            guard try body(word, row) else { return }
            if i % 65_536 == 65_535 { f.release(upTo: r.offset) }  // streamed: keep RSS flat
        }
    }

    /// Writes word vectors in word2vec's binary format, atomically.
    public static func write(_ v: WordVectors, path: String) throws {
        let w = try AtomicFileWriter(path: path)
        try w.write("\(v.vocabulary.count) \(v.dim)\n")
        let row = UnsafeMutablePointer<Float>.allocate(capacity: v.dim)
        defer { row.deallocate() }
        for i in 0..<v.vocabulary.count {
            try w.write(UnsafeRawBufferPointer(v.vocabulary.bytes(i)))
            try w.write(" ")
            v.wordVector(i, into: row)
            try w.write(UnsafeRawBufferPointer(start: row, count: v.dim * 4))
            try w.write("\n")
        }
        try w.commit()
    }

    /// Writes the word vectors as a float32 `.npy` array (count x dim) and the words, one per line, to
    /// `path` with `.keys.txt` in place of `.npy`.
    public static func writeNpy(_ v: WordVectors, path: String) throws {
        let n = v.vocabulary.count, dim = v.dim
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(n), \(dim)), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let w = try AtomicFileWriter(path: path)
        try [UInt8]([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0]).withUnsafeBytes { (b: UnsafeRawBufferPointer) in try w.write(b) }
        try w.write(UInt16(header.utf8.count))
        try w.write(header)
        let row = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { row.deallocate() }
        for i in 0..<n {
            v.wordVector(i, into: row)
            try w.write(UnsafeRawBufferPointer(start: row, count: dim * 4))
        }
        let keysPath = (path.hasSuffix(".npy") ? String(path.dropLast(4)) : path) + ".keys.txt"
        let k = try AtomicFileWriter(path: keysPath)
        for i in 0..<n {
            try k.write(UnsafeRawBufferPointer(v.vocabulary.bytes(i)))
            try k.write("\n")
        }
        try w.commit()
        try k.commit()
    }
}
