#if canImport(Glibc)
import Glibc
#endif
import LexelCore
import LexelIO
import LexelKernels
import LexelText

/// The word2vec / fastText / GloVe-with-header text format: a `count dim` line, then `word v1 ... vdim` lines.
public enum TextVectors {
    /// Writes every vocabulary word's vector, most frequent first, atomically.
    public static func write(_ vectors: WordVectors, path: String) throws {
        let w = try AtomicFileWriter(path: path)
        let dim = vectors.dim
        try w.write("\(vectors.vocabulary.count) \(dim)\n")
        let v = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { v.deallocate() }
        var line = ""
        for i in 0..<vectors.vocabulary.count {
            vectors.wordVector(i, into: v)
            line.removeAll(keepingCapacity: true)
            line += vectors.vocabulary.word(i)
            for k in 0..<dim {
                line += " "
                line += v[k].description
            }
            line += "\n"
            try w.write(line)
        }
        try w.commit()
    }

    /// Reads a text vector file. Words are kept in file order (taken as most frequent first); a repeated word
    /// keeps its first vector and `warn` is told once (see `forEachRow`).
    public static func read(path: String, warn: (String) -> Void = ReaderChecks.standardError) throws -> WordVectors {
        var words: [[UInt8]] = []
        var data: [Float] = []
        var dim = 0
        try forEachRow(path: path, header: { n, d in
            dim = d
            if n > 0 { data.reserveCapacity(min(n, 50_000_000 / d) * d); words.reserveCapacity(min(n, 10_000_000)) }
        }, warn: warn) { word, row in
            words.append(Array(word))
            data.append(contentsOf: UnsafeBufferPointer(start: row, count: dim))
            return true
        }
        let counts = (0..<words.count).map { Int64(words.count - $0) }
        let vocab = Vocabulary(words: words, counts: counts, totalTokens: counts.reduce(0, +))
        let m = Matrix(rows: words.count, cols: dim)
        data.withUnsafeBufferPointer { m.pointer.update(from: $0.baseAddress!, count: data.count) }
        return WordVectors(vocabulary: vocab, rows: UnsafePointer(m.pointer), rowCount: words.count, dim: dim,
                           minn: 0, maxn: 0, bucket: 0, usedBuckets: UnsafeBufferPointer(start: nil, count: 0),
                           metadata: [("source", "text vectors")], owners: [m])
    }

    /// The dimension of a text vector file, from its first line (header or first vector).
    public static func dimension(path: String) throws -> Int {
        var dim = 0
        try forEachRow(path: path, header: { _, d in dim = d }) { _, _ in false }  // stops at the first vector
        return dim
    }

    /// Streams a text vector file: `header(count, dim)` once (count -1 for GloVe files, which have no header),
    /// then `body(word, vector)` for each line, in order, until it returns false. A UTF-8 byte order mark at the
    /// start is skipped. A repeated word keeps its first vector, as gensim's `load_word2vec_format` does (fastText's
    /// own reader keeps the last); once the whole file is read, `warn` gets one line with how many lines repeated
    /// a word and the first of them. Throws naming the line and byte offset of the first malformed line or
    /// non-finite value (repeated words' lines included); when the whole file is read, also when a header's count
    /// does not match the lines.
    public static func forEachRow(path: String, header: (Int, Int) -> Void = { _, _ in },
                                  warn: (String) -> Void = ReaderChecks.standardError,
                                  _ body: (UnsafeBufferPointer<UInt8>, UnsafePointer<Float>) throws -> Bool) throws {
        let reader = try LineReader(path: path)
        var shape: (Int, Int)? = nil
        var lineNo = 0, vectorLines = 0, rows = 0
        var seen = Set<[UInt8]>()
        var repeats = 0, firstRepeat: (word: String, line: Int)? = nil
        var row: [Float] = []
        struct Stop: Error {}
        do {
            try reader.forEachLine { whole, endsLine, offset in
                lineNo += 1
                var line = whole, offset = offset
                if lineNo == 1 && line.starts(with: [0xEF, 0xBB, 0xBF]) {  // byte order mark
                    line = UnsafeBufferPointer(rebasing: line[3...])
                    offset += 3
                }
                guard endsLine || line.count > 0 else { return }
                if !endsLine { throw LexelError(file: path, offset: offset, "line \(lineNo) is longer than the read buffer or truncated") }
                var fields: [UnsafeBufferPointer<UInt8>] = []
                forEachToken(in: line) { tok, _ in fields.append(tok) }
                if fields.isEmpty { return }
                if shape == nil {
                    if fields.count == 2, let n = Int(String(decoding: fields[0], as: UTF8.self)),
                       let d = Int(String(decoding: fields[1], as: UTF8.self)) {
                        guard n >= 0, d > 0, d <= 100_000 else { throw LexelError(file: path, offset: offset, "implausible header '\(n) \(d)'") }
                        shape = (n, d)
                        header(n, d)
                        row = [Float](repeating: 0, count: d)
                        return
                    }
                    guard fields.count >= 2 else {
                        throw LexelError(file: path, offset: offset, "line \(lineNo) is a lone word with no values: not a vector file")
                    }
                    shape = (-1, fields.count - 1)  // GloVe style: no header
                    header(-1, fields.count - 1)
                    row = [Float](repeating: 0, count: fields.count - 1)
                }
                let dim = shape!.1
                guard fields.count == dim + 1 else {
                    throw LexelError(file: path, offset: offset, "line \(lineNo) has \(fields.count - 1) values, expected \(dim)")
                }
                if let bad = firstInvalidUTF8(fields[0]) {
                    throw LexelError(file: path, offset: offset + Int64(bad), "invalid UTF-8 in the word of line \(lineNo)")
                }
                vectorLines += 1
                for k in 1...dim {
                    guard let x = parseFloat(fields[k]), x.isFinite else {
                        let at = offset + Int64(fields[k].baseAddress! - line.baseAddress!)
                        throw LexelError(file: path, offset: at, "line \(lineNo): value \(k) \(quoted(String(decoding: fields[k], as: UTF8.self), limit: 40)) is not a finite number")
                    }
                    row[k - 1] = x
                }
                if !seen.insert(Array(fields[0])).inserted {  // keep the first vector of a repeated word
                    repeats += 1
                    if firstRepeat == nil { firstRepeat = (String(decoding: fields[0], as: UTF8.self), lineNo) }
                    return
                }
                rows += 1
                if try !row.withUnsafeBufferPointer({ try body(fields[0], $0.baseAddress!) }) { throw Stop() }
            }
        } catch is Stop {
            return
        }
        if let (word, line) = firstRepeat {
            warn("\(path): \(repeats) line\(repeats == 1 ? "" : "s") repeat\(repeats == 1 ? "s" : "") a word already read and "
                 + "\(repeats == 1 ? "was" : "were") skipped (the first vector of a word is kept); the first is line \(line), "
                 + "word \(quoted(word, limit: 40))")
        }
        guard let (n, _) = shape, rows > 0 else { throw LexelError(file: path, "no vectors in the file") }
        if n >= 0 && n != vectorLines {
            throw LexelError(file: path, "the header announces \(n) vectors but the file has \(vectorLines): truncated or corrupt")
        }
    }

    /// Parses a float from ASCII bytes with strtof; nil unless the whole field is a number.
    static func parseFloat(_ b: UnsafeBufferPointer<UInt8>) -> Float? {
        guard b.count > 0, b.count < 64 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: b.count + 1) { buf in
            for i in 0..<b.count { buf[i] = CChar(bitPattern: b[i]) }
            buf[b.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtof(buf.baseAddress!, &end)
            return end == buf.baseAddress! + b.count ? v : nil
        }
    }
}
