#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore

/// Streams a corpus line by line through a fixed buffer: memory stays bounded whatever the file size.
/// A line longer than the buffer is handed out in pieces cut at whitespace (a single token longer than the
/// buffer is cut too); only the piece that ends at a newline has `endsLine == true`. With `cutLongLines` false,
/// such a line is an error instead (queries, where a cut would change the answer).
public final class LineReader {
    public let source: ByteSource
    let capacity: Int
    let buffer: UnsafeMutablePointer<UInt8>
    /// File offset of the byte at buffer index 0 (decompressed offset for zstd input).
    var bufferOffset: Int64 = 0
    let cutLongLines: Bool

    public init(_ source: ByteSource, capacity: Int = 1 << 22, cutLongLines: Bool = true) {
        self.source = source
        self.cutLongLines = cutLongLines
        self.capacity = max(capacity, 64)
        buffer = .allocate(capacity: self.capacity)
    }

    /// Opens `path` (plain or zstd) for line reading.
    public convenience init(path: String, capacity: Int = 1 << 22) throws {
        self.init(try openByteSource(path), capacity: capacity)
    }

    deinit { buffer.deallocate() }

    /// Calls `body(bytes, endsLine, offset)` for every line (without its newline), in order.
    /// `offset` is the position of the line's first byte in the (decompressed) stream.
    public func forEachLine(
        _ body: (_ line: UnsafeBufferPointer<UInt8>, _ endsLine: Bool, _ offset: Int64) throws -> Void
    ) throws {
        var start = 0, end = 0
        var atEOF = false
        while true {
            // Hand out every complete line in the buffer.
            while start < end {
                let p = memchr(buffer + start, 0x0A, end - start)
                guard let p else { break }
                let nl = buffer.distance(to: p.assumingMemoryBound(to: UInt8.self))
                try body(UnsafeBufferPointer(start: buffer + start, count: nl - start), true,
                         bufferOffset + Int64(start))
                start = nl + 1
            }
            if atEOF {
                if start < end {
                    try body(UnsafeBufferPointer(start: buffer + start, count: end - start), false,
                             bufferOffset + Int64(start))
                }
                return
            }
            if start == 0 && end == capacity {
                guard cutLongLines else {
                    throw LexelError(file: source.path, offset: bufferOffset,
                                     "a line longer than \(capacity) bytes (no newline within \(byteCount(capacity)))")
                }
                // One line fills the whole buffer: cut it at the last whitespace.
                var cut = end
                while cut > start && !isSeparator(buffer[cut - 1]) { cut -= 1 }
                if cut == start { cut = end }
                try body(UnsafeBufferPointer(start: buffer + start, count: cut - start), false, bufferOffset)
                start = cut
            }
            // Move the partial line to the front and refill.
            if start > 0 {
                let rest = end - start
                if rest > 0 { memmove(buffer, buffer + start, rest) }
                bufferOffset += Int64(start)
                start = 0
                end = rest
            }
            let n = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
            if n == 0 { atEOF = true } else { end += n }
        }
    }
}
