import LexelKit
import Synchronization

// What every call of the C library shares (include/lexel.h documents the calls): handles, error codes and
// messages, and texts given as an Arrow string column. Every entry point catches its errors and turns them into a
// code and a message; nothing here traps on bad input.

/// The codes of lexel.h.
enum Code: Int32 { case ok = 0, argument = 1, file = 2, closed = 3, input = 4, kind = 5 }

/// An error a call returns: its code and message (the call's name is put in front).
struct CallError: Error {
    let code: Code, message: String
    init(_ code: Code, _ message: String) { (self.code, self.message) = (code, message) }
}

/// What a handle of lexel.h points to: one open model, vector file or classifier. Never freed, so that a closed
/// handle stays valid and answers LEXEL_ERR_CLOSED. The lock guards only taking the value and closing it; the work
/// runs outside it, on the value taken (which stays alive while in use).
class AnyHandle: @unchecked Sendable {
    /// "a lexical model", "word vectors", "a classifier": for the message when a handle of one kind is passed to
    /// another kind's call.
    var what: String { "a handle" }
}

final class Handle<Value: Sendable>: AnyHandle, @unchecked Sendable {
    private let value: Mutex<Value?>
    let kind: String
    init(_ value: Value, kind: String) {
        self.value = Mutex(value)
        self.kind = kind
    }
    override var what: String { kind }

    /// A retained pointer for the caller.
    var opaque: OpaquePointer { OpaquePointer(Unmanaged.passRetained(self as AnyHandle).toOpaque()) }

    /// The open value of the handle `p`, or the error for a NULL, closed or other-kind handle.
    static func open(_ p: OpaquePointer?) throws(CallError) -> Value {
        guard let p else { throw CallError(.argument, "the handle is NULL") }
        let any = Unmanaged<AnyHandle>.fromOpaque(UnsafeRawPointer(p)).takeUnretainedValue()
        guard let h = any as? Handle<Value> else { throw CallError(.kind, "this handle is \(any.what), not the kind this call takes") }
        guard let v = h.value.withLock({ $0 }) else { throw CallError(.closed, "the handle was closed") }
        return v
    }

    /// Closes the handle `p` (releases the value once no call uses it).
    static func close(_ p: OpaquePointer?) throws(CallError) {
        _ = try open(p)
        let h = Unmanaged<AnyHandle>.fromOpaque(UnsafeRawPointer(p!)).takeUnretainedValue() as! Handle<Value>
        let closed = h.value.withLock { v -> Bool in
            guard v != nil else { return false }
            v = nil
            return true
        }
        if !closed { throw CallError(.closed, "the handle was closed") }
    }
}

/// Runs a call's body: 0 when it returns, else the error's code with "name: message" in the caller's buffer.
/// Errors other than CallError (a file that cannot be read, a bad parameter found by an engine) get `otherwise`.
func call(_ name: String, _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int, otherwise: Code = .file,
          _ body: () throws -> Void) -> Int32 {
    do {
        try body()
        return Code.ok.rawValue
    } catch let e as CallError {
        return fail(e.code, "\(name): \(e.message)", buffer, length)
    } catch {
        return fail(otherwise, "\(name): \(error)", buffer, length)
    }
}

/// Writes `message` into the caller's buffer (cut at a character boundary, NUL-terminated) and returns `code`.
func fail(_ code: Code, _ message: String, _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    if let error, length > 0 {
        var bytes = Array(message.utf8.prefix(length - 1))
        while let last = bytes.last, last & 0xC0 == 0x80 { bytes.removeLast() }  // never half a character
        if let last = bytes.last, last >= 0xC0 { bytes.removeLast() }
        for (i, b) in bytes.enumerated() { error[i] = CChar(bitPattern: b) }
        error[bytes.count] = 0
    }
    return code.rawValue
}

/// A C string argument that must not be NULL.
func string(_ p: UnsafePointer<CChar>?, _ what: String) throws(CallError) -> String {
    guard let p else { throw CallError(.argument, "\(what) is NULL") }
    return String(cString: p)
}

/// A pointer argument that must not be NULL.
func required<T>(_ p: T?, _ what: String) throws(CallError) -> T {
    guard let p else { throw CallError(.argument, "\(what) is NULL") }
    return p
}

/// The threads a call uses: `threads` when above 0, else every online CPU.
func threadCount(_ threads: Int32) -> Int { threads > 0 ? min(Int(threads), 1024) : onlineCPUs }

/// The offsets of an Arrow string column: 32-bit (StringArray) or 64-bit (LargeStringArray).
struct ArrowOffsets: @unchecked Sendable {
    let base: UnsafeRawPointer, bits: Int32
    subscript(_ i: Int) -> Int {
        bits == 32 ? Int(base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
            : Int(base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
    }
}

/// `count` texts as an Arrow string column, checked: offsets that never go backwards, and valid UTF-8.
struct Texts: @unchecked Sendable {
    let data: UnsafePointer<UInt8>, offsets: ArrowOffsets, count: Int

    init(offsets: UnsafeRawPointer?, bits: Int32, data: UnsafePointer<UInt8>?, count: Int64) throws(CallError) {
        guard count >= 0 else { throw CallError(.argument, "count \(count) is negative") }
        guard bits == 32 || bits == 64 else { throw CallError(.argument, "offset_bits must be 32 or 64 (got \(bits))") }
        let offsets = try required(offsets, "offsets"), data = try required(data, "data")
        (self.data, self.offsets, self.count) = (data, ArrowOffsets(base: offsets, bits: bits), Int(count))
        for i in 0..<self.count {
            let (lo, hi) = (self.offsets[i], self.offsets[i + 1])
            guard lo >= 0, hi >= lo else { throw CallError(.argument, "offsets go backwards at text \(i) (\(lo) -> \(hi))") }
            if let bad = firstInvalidUTF8Fast(UnsafeBufferPointer(start: data + lo, count: hi - lo)) {
                throw CallError(.input, "text \(i) is not valid UTF-8 (byte \(bad))")
            }
        }
    }

    subscript(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: data + offsets[i], count: offsets[i + 1] - offsets[i])
    }

    /// Text `i` as a Swift string.
    func string(_ i: Int) -> String { String(decoding: self[i], as: UTF8.self) }
}
