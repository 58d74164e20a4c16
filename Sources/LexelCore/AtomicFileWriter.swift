import CSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes an output file so that nothing is lost (docs/architecture.md, "Safe outputs"):
/// - a regular file (or a new one) is written to `TARGET.tmp-<pid>` in the same folder and renamed over it only
///   by `commit()`; if the process fails, is interrupted (SIGINT, SIGTERM, SIGHUP) or never commits, the old file
///   is untouched and the temporary file is removed;
/// - a symbolic link is followed: its target is replaced, the link stays;
/// - a device, FIFO or socket (`/dev/null`, `/dev/stdout`, a named pipe) is written through, never replaced;
/// - every write, the final flush, fsync and close are checked: a full disk is an error, never a short file.
/// Inside `CommitGroup.run`, `commit()` only finishes the file; the group renames all of its files together.
public final class AtomicFileWriter {
    /// The path as given (for messages).
    public let path: String
    /// The file actually replaced: `path`, or the target of the symbolic link at `path`.
    public let target: String
    /// The temporary file, or nil when writing through to a device or FIFO.
    let tempPath: String?
    var fd: Int32
    var cleanupSlot: Int32 = -1
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity = 1 << 20
    var used = 0
    var finished = false
    public private(set) var bytesWritten: Int64 = 0

    /// Opens `path` for writing. With `seekable`, outputs that cannot be patched afterwards (a pipe) are refused
    /// up front, for formats whose header is written last.
    public init(path: String, seekable: Bool = false) throws {
        installSignalHandlers()
        self.path = path
        let resolved = try OutputPath.resolve(path)
        target = resolved.target
        if resolved.special {
            if seekable && !resolved.seekable {
                throw LexelError(file: path, "this output is written in two passes (its header last) and needs a "
                                 + "regular file or a seekable device, not a pipe")
            }
            fd = open(target, O_WRONLY | O_CLOEXEC)
            if fd < 0 { throw LexelError(file: path, "cannot open for writing: \(errnoText())") }
            if seekable && lseek(fd, 0, SEEK_CUR) < 0 {
                close(fd)
                throw LexelError(file: path, "this output is written in two passes (its header last) and needs a "
                                 + "regular file or a seekable device, not a pipe")
            }
            tempPath = nil
        } else {
            let temp = "\(target).tmp-\(getpid())"
            fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, resolved.mode)
            if fd < 0 { throw LexelError(file: path, "cannot create \(temp): \(errnoText())") }
            tempPath = temp
            cleanupSlot = lexel_cleanup_add(temp)
        }
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        buffer.deallocate()
        if fd >= 0 { close(fd) }
        if !published { discardTemporary() }
    }

    func discardTemporary() {
        if let tempPath, !published { unlink(tempPath) }
        lexel_cleanup_remove(cleanupSlot)
        cleanupSlot = -1
    }

    var published = false

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

    /// Writes `text` as the whole of the file at `path`, atomically.
    public static func write(_ text: String, to path: String) throws {
        let w = try AtomicFileWriter(path: path)
        try w.write(text)
        try w.commit()
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
        guard fd >= 0 else { throw LexelError(file: path, "write after commit") }
        var off = 0
        while off < n {
            let w = systemWrite(fd, p + off, n - off)
            if w < 0 {
                if errno == EINTR { continue }
                throw LexelError(file: path, "write failed: \(errnoText())")
            }
            if w == 0 { throw LexelError(file: path, "write failed: the output accepts no more bytes") }
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
                throw LexelError(file: path, "write failed: \(errnoText())")
            }
            done += w
        }
    }

    /// Flushes, syncs and closes the file, checking each step; the temporary file is not yet renamed.
    public func finish() throws {
        guard !finished else { return }
        try flush()
        if tempPath != nil && fsync(fd) != 0 { throw LexelError(file: path, "fsync failed: \(errnoText())") }
        let rc = close(fd)
        fd = -1
        if rc != 0 { throw LexelError(file: path, "close failed: \(errnoText())") }
        finished = true
    }

    /// Renames a finished temporary file over the target.
    public func publish() throws {
        guard let tempPath, !published else { return }
        if rename(tempPath, target) != 0 {
            let msg = errnoText()
            discardTemporary()
            throw LexelError(file: path, "cannot rename \(tempPath) into place: \(msg)")
        }
        published = true
        lexel_cleanup_remove(cleanupSlot)
        cleanupSlot = -1
    }

    /// Finishes the file and renames it into place (inside `CommitGroup.run`: only finishes it; the group
    /// renames all of its files once every one of them is finished).
    public func commit() throws {
        try finish()
        if CommitGroup.defer(self) { return }
        try publish()
    }
}

/// Commits several outputs together: inside `run`, `AtomicFileWriter.commit()` only finishes each file; when the
/// body returns, every file is renamed into place; when it throws, none is (and their temporary files are
/// removed). `lexel skipgram` uses it for its `.bin` and `.vec`: both are replaced or neither.
public final class CommitGroup: @unchecked Sendable {
    @TaskLocal static var current: CommitGroup?
    var writers: [AtomicFileWriter] = []

    public init() {}

    /// Runs `body`, then publishes the files it committed (all of them, or none if it throws).
    public func run<T>(_ body: () throws -> T) throws -> T {
        let result: T
        do {
            result = try CommitGroup.$current.withValue(self) { try body() }
        } catch {
            for w in writers { w.discardTemporary() }
            writers = []
            throw error
        }
        defer { writers = [] }
        for w in writers { try w.publish() }
        return result
    }

    static func `defer`(_ w: AtomicFileWriter) -> Bool {
        guard let g = current else { return false }
        g.writers.append(w)
        return true
    }
}

/// Checks and resolution of output paths.
public enum OutputPath {
    /// Where `path` really writes: the target of a symbolic link, whether that is a device, FIFO or socket (written
    /// through), and the permissions a new file gets (those of the file it replaces, else 0644).
    public static func resolve(_ path: String) throws -> (target: String, special: Bool, seekable: Bool, mode: mode_t) {
        guard !path.isEmpty else { throw LexelError("an output path is empty") }
        if path.hasSuffix("/") { throw LexelError(file: path, "names a folder, not an output file") }
        var target = path
        var st = stat()
        for _ in 0..<40 where lstat(target, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
            var buf = [CChar](repeating: 0, count: 4096)
            let n = readlink(target, &buf, buf.count - 1)
            guard n > 0 else { break }
            let link = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            target = link.hasPrefix("/") ? link : folder(of: target) + "/" + link
        }
        guard stat(target, &st) == 0 else {
            let dir = folder(of: target)
            var d = stat()
            guard stat(dir, &d) == 0, (d.st_mode & S_IFMT) == S_IFDIR else {
                throw LexelError(file: path, "cannot write: the folder \(dir) does not exist")
            }
            guard access(dir, W_OK | X_OK) == 0 else { throw LexelError(file: path, "cannot write: the folder \(dir) is not writable") }
            return (target, false, true, 0o644)
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: throw LexelError(file: path, "is a folder, not an output file")
        case S_IFREG:
            guard access(folder(of: target), W_OK | X_OK) == 0 else {
                throw LexelError(file: path, "cannot replace: its folder \(folder(of: target)) is not writable")
            }
            return (target, false, true, st.st_mode & 0o777)
        case S_IFIFO, S_IFSOCK:
            return (target, true, false, 0)
        default:
            return (target, true, true, 0)
        }
    }

    /// Checks, before hours of work, that `path` can be written (its folder exists and is writable, it is not a
    /// folder); throws an error naming it otherwise. Creates nothing.
    public static func checkWritable(_ path: String) throws {
        let r = try resolve(path)
        if r.special && access(r.target, W_OK) != 0 { throw LexelError(file: path, "is not writable: \(errnoText())") }
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// `strerror(errno)` as a String.
public func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

/// Installs the process's signal handlers once (CSupport): temporary outputs are removed on SIGINT/SIGTERM/SIGHUP,
/// and a bus error in a mapped file becomes an error message naming the file.
public func installSignalHandlers() { lexel_signals_install() }

/// For Lexel inside another process (the C library): never install signal handlers, the host's stay as they are.
public func useHostSignalHandling() { lexel_signals_library_mode() }
