import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output with every write checked: output goes through a buffer, and a failed write (a full disk,
/// a closed pipe) is remembered and reported by `flush()`, so that a command never exits 0 with truncated output.
public final class StandardOutput: Sendable {
    /// The process's standard output.
    public static let shared = StandardOutput(fd: 1, name: "standard output")

    let fd: Int32
    let name: String
    let state = Mutex(State())

    struct State: ~Copyable {
        var buffer: [UInt8] = []
        var error: String?
    }

    init(fd: Int32, name: String) { (self.fd, self.name) = (fd, name) }

    /// Appends `s` (flushed when the buffer holds 64 KB, and by `flush()`).
    public func write(_ s: String) {
        state.withLock { st in
            st.buffer.append(contentsOf: s.utf8)
            if st.buffer.count >= 1 << 16 { drain(&st) }
        }
    }

    /// Appends `s` and a newline.
    public func line(_ s: String) { write(s + "\n") }

    /// Writes out the buffer; throws if any write so far failed.
    public func flush() throws {
        let failure: String? = state.withLock { st in
            drain(&st)
            return st.error
        }
        if let failure { throw LexelError(file: name, "write failed: \(failure); the output is incomplete") }
    }

    func drain(_ st: inout State) {
        defer { st.buffer.removeAll(keepingCapacity: true) }
        guard st.error == nil else { return }
        st.buffer.withUnsafeBytes { b in
            var off = 0
            while off < b.count {
                let n = systemWrite(fd, b.baseAddress! + off, b.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { st.error = n < 0 ? errnoText() : "no bytes accepted"; return }
                off += n
            }
        }
    }
}

/// Writes `s` to standard error at once (progress lines, warnings); errors writing there are ignored, as there is
/// nowhere left to report them.
public func writeStderr(_ s: String) {
    var s = s
    s.withUTF8 { b in
        var off = 0
        while off < b.count {
            let n = systemWrite(2, b.baseAddress! + off, b.count - off)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            off += n
        }
    }
}
