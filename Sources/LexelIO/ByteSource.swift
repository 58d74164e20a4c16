import CZstd
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore

/// A forward-only stream of bytes: a plain file or a zstd-compressed one.
public protocol ByteSource: AnyObject {
    /// Fills up to `buffer.count` bytes; returns 0 at the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// The path, for error messages.
    var path: String { get }
}

/// Opens `path` for streaming, decompressing it on the fly when it starts with the zstd magic number.
public func openByteSource(_ path: String) throws -> ByteSource {
    let file = try FileByteSource(path)
    var magic = [UInt8](repeating: 0, count: 4)
    let n = magic.withUnsafeMutableBytes { pread(file.fd, $0.baseAddress, 4, 0) }
    if n == 4 && magic == [0x28, 0xB5, 0x2F, 0xFD] { return try ZstdByteSource(file) }
    return file
}

/// A plain file read with POSIX `read`.
public final class FileByteSource: ByteSource {
    public let path: String
    let fd: Int32
    public private(set) var offset: Int64 = 0

    public init(_ path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw LexelError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw LexelError(file: path, "is a directory, not a file")
        }
    }

    deinit { close(fd) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = systemRead(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { offset += Int64(n); return n }
            if errno == EINTR { continue }
            throw LexelError(file: path, offset: offset, "read failed: \(String(cString: strerror(errno)))")
        }
    }
}

/// A zstd-compressed file, decompressed as a stream (frames need not carry their content size).
public final class ZstdByteSource: ByteSource {
    public var path: String { file.path }
    let file: FileByteSource
    let dctx: OpaquePointer
    let inCapacity = ZSTD_DStreamInSize()
    let inBuffer: UnsafeMutableRawPointer
    var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
    var lastResult = 0
    var eof = false

    init(_ file: FileByteSource) throws {
        self.file = file
        guard let ctx = ZSTD_createDCtx() else { throw LexelError(file: file.path, "cannot create a zstd context") }
        dctx = ctx
        inBuffer = .allocate(byteCount: inCapacity, alignment: 64)
    }

    deinit {
        ZSTD_freeDCtx(dctx)
        inBuffer.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        while output.pos == 0 {
            if input.pos == input.size {
                if eof { break }
                let n = try file.read(into: UnsafeMutableRawBufferPointer(start: inBuffer, count: inCapacity))
                if n == 0 { eof = true; break }
                input = ZSTD_inBuffer(src: UnsafeRawPointer(inBuffer), size: n, pos: 0)
            }
            let r = ZSTD_decompressStream(dctx, &output, &input)
            if ZSTD_isError(r) != 0 {
                throw LexelError(file: path, offset: file.offset - Int64(input.size - input.pos),
                                 "corrupt zstd data: \(String(cString: ZSTD_getErrorName(r)))")
            }
            lastResult = r
        }
        if output.pos == 0 && lastResult != 0 {
            throw LexelError(file: path, offset: file.offset, "truncated zstd stream (the last frame is incomplete)")
        }
        return output.pos
    }
}
