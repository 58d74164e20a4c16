import LexelKit
import Synchronization

// The C library's functions (include/lexel.h documents them). Every entry point catches its errors and turns
// them into a code and a message; nothing here traps on bad input.

/// What a `lexel_model *` points to. Never freed: a closed handle must stay valid to answer LEXEL_ERR_CLOSED.
/// The lock guards only taking the model and closing it; embedding runs outside it, on the model taken.
final class ModelHandle: @unchecked Sendable {
    let model: Mutex<LexicalModel?>
    init(_ model: LexicalModel) { self.model = Mutex(model) }
    var current: LexicalModel? { model.withLock { $0 } }
}

enum Code: Int32 { case ok = 0, argument = 1, file = 2, closed = 3, input = 4 }

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

nonisolated(unsafe) let versionString: UnsafeMutablePointer<CChar> = {
    let s = Array("lexel \(BuildInfo.version) (git \(BuildInfo.gitHash))".utf8CString)
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: s.count)
    p.initialize(from: s, count: s.count)
    return p
}()

@_cdecl("lexel_version")
public func lexelVersion() -> UnsafePointer<CChar> { UnsafePointer(versionString) }

@_cdecl("lexel_model_open")
public func lexelModelOpen(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                           _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    useHostSignalHandling()  // the host (Python, ...) keeps its SIGINT, SIGPIPE and SIGBUS handling
    guard let path, let out else { return fail(.argument, "lexel_model_open: path and model must not be NULL", error, length) }
    do {
        let model = try ModelFiles.lexicalModel(String(cString: path), for: "the C library", verify: false)
        out.pointee = OpaquePointer(Unmanaged.passRetained(ModelHandle(model)).toOpaque())
        return Code.ok.rawValue
    } catch let e {
        return fail(.file, "\(e)", error, length)
    }
}

func handle(_ p: OpaquePointer?) -> ModelHandle? {
    p.map { Unmanaged<ModelHandle>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
}

@_cdecl("lexel_model_dim")
public func lexelModelDim(_ p: OpaquePointer?) -> Int32 {
    guard let h = handle(p), let m = h.current else { return -1 }
    return Int32(m.outputDim)
}

@_cdecl("lexel_model_close")
public func lexelModelClose(_ p: OpaquePointer?) -> Int32 {
    guard let h = handle(p) else { return Code.argument.rawValue }
    return h.model.withLock { m -> Int32 in
        guard m != nil else { return Code.closed.rawValue }
        m = nil
        return Code.ok.rawValue
    }
}

@_cdecl("lexel_embed")
public func lexelEmbed(_ p: OpaquePointer?, _ offsets: UnsafeRawPointer?, _ offsetBits: Int32, _ data: UnsafePointer<UInt8>?,
                       _ count: Int64, _ out: UnsafeMutablePointer<Float>?, _ threads: Int32,
                       _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    guard let h = handle(p) else { return fail(.argument, "lexel_embed: the model is NULL", error, length) }
    guard let model = h.current else { return fail(.closed, "lexel_embed: the model was closed", error, length) }
    guard count >= 0 else { return fail(.argument, "lexel_embed: count \(count) is negative", error, length) }
    if count == 0 { return Code.ok.rawValue }
    guard let offsets, let data, let out else {
        return fail(.argument, "lexel_embed: offsets, data and out must not be NULL", error, length)
    }
    guard offsetBits == 32 || offsetBits == 64 else {
        return fail(.argument, "lexel_embed: offset_bits must be 32 or 64 (got \(offsetBits))", error, length)
    }
    let n = Int(count), column = ArrowOffsets(base: offsets, bits: offsetBits)
    for i in 0..<n {
        let (lo, hi) = (column[i], column[i + 1])
        guard lo >= 0, hi >= lo else {
            return fail(.argument, "lexel_embed: offsets go backwards at text \(i) (\(lo) -> \(hi))", error, length)
        }
        if let bad = firstInvalidUTF8Fast(UnsafeBufferPointer(start: data + lo, count: hi - lo)) {
            return fail(.input, "lexel_embed: text \(i) is not valid UTF-8 (byte \(bad))", error, length)
        }
    }
    let bytes = Unchecked(data)
    BatchEmbedding.embed(model, count: n, threads: threads > 0 ? Int(threads) : onlineCPUs, into: out) { i in
        UnsafeBufferPointer(start: bytes.value + column[i], count: column[i + 1] - column[i])
    }
    return Code.ok.rawValue
}

/// The offsets of an Arrow string column: 32-bit (StringArray) or 64-bit (LargeStringArray).
struct ArrowOffsets: @unchecked Sendable {
    let base: UnsafeRawPointer, bits: Int32
    subscript(_ i: Int) -> Int {
        bits == 32 ? Int(base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
            : Int(base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
    }
}
