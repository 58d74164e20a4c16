#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file atomically: bytes go to `path.tmp-<pid>` in the same folder, which is renamed over `path`
/// only by `commit()`. If the process dies or `commit` is never called, an existing `path` is untouched.
public final class AtomicFileWriter {
    public let path: String
    let tempPath: String
    var fd: Int32
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity = 1 << 20
    var used = 0
    public private(set) var bytesWritten: Int64 = 0

    public init(path: String) throws {
        self.path = path
        tempPath = "\(path).tmp-\(getpid())"
        fd = open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw LexelError(file: path, "cannot create \(tempPath): \(String(cString: strerror(errno)))") }
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        if fd >= 0 {  // never committed: discard the partial file
            close(fd)
            unlink(tempPath)
        }
    }

    /// Appends raw bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if used + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try writeAll(base, bytes.count)
        } else {
            (UnsafeMutableRawPointer(buffer) + used).copyMemory(from: base, byteCount: bytes.count)
            used += bytes.count
        }
        bytesWritten += Int64(bytes.count)
    }

    public func write(_ s: String) throws {
        var s = s
        try s.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    public func write<T: FixedWidthInteger>(_ v: T) throws {
        var le = v.littleEndian
        try withUnsafeBytes(of: &le) { try write($0) }
    }

    public func write(_ v: Double) throws { try write(v.bitPattern) }

    /// Pads with zero bytes up to a multiple of `alignment`.
    public func pad(to alignment: Int) throws {
        let rem = Int(bytesWritten % Int64(alignment))
        if rem != 0 { try write(UnsafeRawBufferPointer([UInt8](repeating: 0, count: alignment - rem).withUnsafeBytes { $0 })) }
    }

    func flush() throws {
        if used > 0 { try writeAll(UnsafeRawPointer(buffer), used) }
        used = 0
    }

    func writeAll(_ p: UnsafeRawPointer, _ n: Int) throws {
        var off = 0
        while off < n {
            let w = Glibc.write(fd, p + off, n - off)
            if w < 0 {
                if errno == EINTR { continue }
                throw LexelError(file: path, "write failed: \(String(cString: strerror(errno)))")
            }
            off += w
        }
    }

    /// Overwrites bytes already written at `offset` (e.g. a header filled in last).
    public func patch(at offset: Int64, _ bytes: UnsafeRawBufferPointer) throws {
        try flush()
        var done = 0
        while done < bytes.count {
            let w = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if w < 0 {
                if errno == EINTR { continue }
                throw LexelError(file: path, "write failed: \(String(cString: strerror(errno)))")
            }
            done += w
        }
    }

    /// Flushes, syncs and renames the temp file over `path`.
    public func commit() throws {
        try flush()
        if fsync(fd) != 0 { throw LexelError(file: path, "fsync failed: \(String(cString: strerror(errno)))") }
        close(fd)
        fd = -1
        if rename(tempPath, path) != 0 {
            let msg = String(cString: strerror(errno))
            unlink(tempPath)
            throw LexelError(file: path, "cannot rename \(tempPath) into place: \(msg)")
        }
    }
}
