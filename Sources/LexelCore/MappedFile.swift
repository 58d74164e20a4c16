#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSupport

/// A read-only memory map of a whole file. Pages load on first touch; nothing is read at open.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let base: UnsafeRawPointer
    public let size: Int
    let signalSlot: Int32

    /// Maps `path`. With `randomAccess`, the kernel is told not to read ahead around each page touched: a
    /// lookup in a vector file then reads a few pages from disk instead of megabytes (measured on a disk with
    /// 8 MB read-ahead: a disk-cold open read 10-20 MB without it).
    public init(path: String, randomAccess: Bool = false) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw LexelError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LexelError(file: path, "cannot stat: \(String(cString: strerror(errno)))") }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw LexelError(file: path, "is a directory, not a file") }
        size = Int(st.st_size)
        if size == 0 { throw LexelError(file: path, "the file is empty") }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw LexelError(file: path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        if randomAccess { _ = madvise(p, size, MADV_RANDOM) }
        base = UnsafeRawPointer(p)
        // A bus error in the mapping (another program truncated the file) is reported naming the file.
        installSignalHandlers()
        signalSlot = lexel_mapping_add(base, size, path)
    }

    /// Tells the kernel that `range` (byte offsets) will be read sequentially: read ahead again there.
    public func adviseSequential(_ range: Range<Int>) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound / page * page
        guard range.upperBound > start, range.upperBound <= size else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), range.upperBound - start, MADV_SEQUENTIAL)
    }

    /// Drops this process's mapping of the pages before byte `offset` (they stay in the page cache, and are
    /// mapped again if touched), so that a streaming pass over a large file keeps its RSS flat.
    public func release(upTo offset: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = min(offset, size) / page * page
        if end > 0 { _ = madvise(UnsafeMutableRawPointer(mutating: base), end, MADV_DONTNEED) }
    }

    deinit {
        lexel_mapping_remove(signalSlot)
        munmap(UnsafeMutableRawPointer(mutating: base), size)
    }

    /// A little-endian bounds-checked reader over the mapping.
    public func reader(at offset: Int = 0) -> ByteReader { ByteReader(file: self, offset: offset) }
}

/// Reads little-endian values from a mapped file, throwing (with the offset) instead of reading past the end.
public struct ByteReader {
    public let file: MappedFile
    public var offset: Int

    @inlinable
    public mutating func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
        let n = MemoryLayout<T>.size
        guard offset >= 0, offset + n <= file.size else {
            throw LexelError(file: file.path, offset: Int64(offset), "truncated: \(what) runs past the end of the file")
        }
        let v = (file.base + offset).loadUnaligned(as: T.self)
        offset += n
        return T(littleEndian: v)
    }

    public mutating func readDouble(_ what: String) throws -> Double { Double(bitPattern: try read(UInt64.self, what)) }

    public mutating func bytes(_ n: Int, _ what: String) throws -> UnsafeRawBufferPointer {
        guard n >= 0, offset + n <= file.size else {
            throw LexelError(file: file.path, offset: Int64(offset), "truncated: \(what) (\(n) bytes) runs past the end of the file")
        }
        defer { offset += n }
        return UnsafeRawBufferPointer(start: file.base + offset, count: n)
    }

    public mutating func align(_ a: Int) { offset = (offset + a - 1) / a * a }
}

/// The whole file at `path` as bytes (at most `limit`; a larger file is an error naming it), read with POSIX calls
/// (no Foundation).
public func readWholeFile(_ path: String, limit: Int = 1 << 30) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw LexelError(file: path, "cannot open: \(errnoText())") }
    defer { close(fd) }
    var st = stat()
    if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { throw LexelError(file: path, "is a directory, not a file") }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw LexelError(file: path, offset: Int64(out.count), "read failed: \(errnoText())")
        }
        if n == 0 { return out }
        guard out.count + n <= limit else { throw LexelError(file: path, "larger than \(byteCount(limit)): not a file of this kind") }
        out.append(contentsOf: chunk[0..<n])
    }
}
