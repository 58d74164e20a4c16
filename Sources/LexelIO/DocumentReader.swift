#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore

/// Streams the documents of a corpus file: plain or zstd-compressed (detected from the content), either one
/// document per line or JSON Lines with the text in a string field.
///
/// - Plain lines (`field == nil`): every line is a document, **empty lines included** (an empty document), so
///   that document `i` is always line `i + 1` of the file and per-document outputs (embeddings, labels) line up
///   with the input the way `paste`, `wc -l` and fastText's one-example-per-line files do. A trailing `\r`
///   (CRLF files) is dropped; a final line without a newline is a document; an empty file has none.
/// - JSON Lines (`field` set): every non-blank line is one JSON object, and the document is the value of the
///   string member `field` at the top level of that object (a member of the same name inside a nested object
///   or array does not count; with duplicate names the last wins, as in Python's `json`). Blank lines
///   (whitespace only) are skipped, as most JSONL readers do; `index` counts documents, not lines.
///
/// A line is a whole document up to `maxDocumentBytes` (32 MiB by default; pieces of lines longer than the read
/// buffer are joined): a longer line, or input without newlines (`/dev/zero`), is an error naming the line, so
/// memory stays bounded on any input. Errors
/// name the file, the byte offset (in the decompressed stream for zstd input) and the line number: invalid
/// UTF-8, malformed JSON, a missing field, a field that is not a string, an unpaired `\uD800`-`\uDFFF` escape.
/// `path` may be `-` or `/dev/stdin` for standard input (plain text; zstd is detected only in a regular file or
/// a redirected one, not in a pipe). Not thread-safe; each `forEach` call reads the file from the start
/// (standard input only once).
public final class DocumentReader {
    public let path: String
    /// The JSON member holding the text, or nil for one document per line.
    public let field: String?
    let fieldBytes: [UInt8]
    var source: ByteSource?
    var started = false
    /// The longest document accepted, in bytes (a line of JSON Lines counts whole).
    public var maxDocumentBytes = DocumentReader.defaultMaxDocumentBytes
    /// 32 MiB. Embedding a document takes up to ~8 bytes of memory per byte of text (a line of one-letter words,
    /// the worst case: 406 MB measured for 50 MB; its n-grams are counted in blocks of bounded size).
    public static let defaultMaxDocumentBytes = 32 << 20
    /// Line pieces being joined; the decoded text; a decoded key with escapes.
    var pending = GrowableBytes(), decoded = GrowableBytes(), key = GrowableBytes()

    /// Opens `path` (`-` is standard input); `field` selects JSON Lines mode.
    public init(path: String, field: String?) throws {
        self.path = path
        self.field = field
        fieldBytes = Array((field ?? "").utf8)
        source = try openByteSource(path == "-" ? "/dev/stdin" : path)
    }

    deinit {
        pending.base.deallocate()
        decoded.base.deallocate()
        key.base.deallocate()
    }

    /// The input's name in error messages: the path, or `standard input`.
    public var displayName: String { path == "-" || path == "/dev/stdin" ? "standard input" : path }

    /// Size of the input file in bytes (compressed size for zstd), or nil when unknown (a pipe).
    public var fileSize: Int64? {
        var st = stat()
        guard stat(path == "-" ? "/dev/stdin" : path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(st.st_size)
    }

    /// Bytes of the file read so far by the running `forEach` (compressed bytes for zstd): for progress.
    public var bytesRead: Int64 {
        switch source {
        case let f as FileByteSource: return f.offset
        case let z as ZstdByteSource: return z.file.offset
        default: return 0
        }
    }

    /// Calls body(text, index) for each document in order; text is valid UTF-8 (JSON escapes decoded, incl.
    /// \uXXXX surrogate pairs), index counts documents from 0. The buffer is valid only during the call.
    public func forEach(_ body: (_ text: UnsafeBufferPointer<UInt8>, _ index: Int) throws -> Void) throws {
        try forEachDocument { text, _, index in try body(text, index) }
    }

    /// Like `forEach`, also handing out the document's whole line as read (the JSON object for JSON Lines,
    /// without its newline), for outputs that copy documents through (`lexel filter`).
    public func forEachDocument(_ body: (_ text: UnsafeBufferPointer<UInt8>, _ line: UnsafeBufferPointer<UInt8>,
                                         _ index: Int) throws -> Void) throws {
        if started || source == nil {
            guard path != "-" && path != "/dev/stdin" else {
                throw LexelError(file: displayName, "can be read only once")
            }
            source = try openByteSource(path)
        }
        started = true
        let reader = LineReader(source!)
        var index = 0, lineNumber = 0
        var pendingOffset: Int64 = 0
        try reader.forEachLine { piece, endsLine, offset in
            if pending.count == 0 { pendingOffset = offset }
            guard pending.count + piece.count <= maxDocumentBytes else {
                throw LexelError(file: displayName, offset: pendingOffset,
                                 "line \(lineNumber + 1): a document longer than \(byteCount(maxDocumentBytes)) (no newline "
                                 + "within \(byteCount(maxDocumentBytes))); documents are lines: split it, or raise the "
                                 + "limit (--max-document-mb)")
            }
            if !endsLine {
                pending.append(piece)
                return
            }
            lineNumber += 1
            if pending.count > 0 {
                pending.append(piece)
                try document(pending.buffer, offset: pendingOffset, line: lineNumber, &index, body)
                pending.count = 0
            } else {
                try document(piece, offset: offset, line: lineNumber, &index, body)
            }
        }
        if pending.count > 0 {  // the last line, without a newline
            try document(pending.buffer, offset: pendingOffset, line: lineNumber + 1, &index, body)
            pending.count = 0
        }
    }

    func document(_ line: UnsafeBufferPointer<UInt8>, offset: Int64, line number: Int, _ index: inout Int,
                  _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        if number == 1, line.starts(with: [0xEF, 0xBB, 0xBF]) {  // a UTF-8 byte order mark is not text
            return try document(UnsafeBufferPointer(rebasing: line[3...]), offset: offset + 3, line: 0, &index, body)
        }
        let number = max(number, 1)
        func fail(_ at: Int, _ message: String) -> LexelError {
            LexelError(file: displayName, offset: offset + Int64(at), "line \(number): \(message)")
        }
        if let bad = firstInvalidUTF8Fast(line) { throw fail(bad, "invalid UTF-8") }
        guard field != nil else {
            let n = line.count > 0 && line[line.count - 1] == 0x0D ? line.count - 1 : line.count
            try body(UnsafeBufferPointer(rebasing: line[0..<n]), UnsafeBufferPointer(rebasing: line[0..<n]), index)
            index += 1
            return
        }
        var i = 0
        while i < line.count && isJSONSpace(line[i]) { i += 1 }
        if i == line.count { return }  // a blank line
        decoded.reserve(line.count)
        var scanner = JSONScanner(p: line.baseAddress!, n: line.count, i: i)
        do {
            guard try scanner.findStringMember(fieldBytes, into: decoded.base, keyBuffer: &key) else {
                throw JSONScanError(at: i, "no member \"\(field!)\" at the top level of the object")
            }
            try body(UnsafeBufferPointer(start: decoded.base, count: scanner.decodedCount), line, index)
        } catch let e as JSONScanError {
            throw fail(e.at, e.message)
        }
        index += 1
    }
}

/// A byte buffer that grows by doubling and is reused across documents.
struct GrowableBytes {
    var base: UnsafeMutablePointer<UInt8> = .allocate(capacity: 64)
    var capacity = 64
    var count = 0

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        var c = capacity
        while c < n { c *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: c)
        b.update(from: base, count: count)
        base.deallocate()
        (base, capacity) = (b, c)
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        reserve(count + bytes.count)
        if let src = bytes.baseAddress { (base + count).update(from: src, count: bytes.count) }
        count += bytes.count
    }
}

/// Writes scalar `v` as UTF-8 at `out`; returns the byte count.
@inline(__always) func encodeUTF8(_ v: UInt32, _ out: UnsafeMutablePointer<UInt8>) -> Int {
    if v < 0x80 { out[0] = UInt8(v); return 1 }
    if v < 0x800 { out[0] = UInt8(0xC0 | v >> 6); out[1] = UInt8(0x80 | v & 0x3F); return 2 }
    if v < 0x10000 {
        out[0] = UInt8(0xE0 | v >> 12); out[1] = UInt8(0x80 | (v >> 6) & 0x3F); out[2] = UInt8(0x80 | v & 0x3F)
        return 3
    }
    out[0] = UInt8(0xF0 | v >> 18); out[1] = UInt8(0x80 | (v >> 12) & 0x3F)
    out[2] = UInt8(0x80 | (v >> 6) & 0x3F); out[3] = UInt8(0x80 | v & 0x3F)
    return 4
}
