#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import LexelKit

/// Document streams (plain or zstd): `DocumentReader` in JSON Lines mode (`field` "text", the text in a
/// top-level string member) and in plain mode (one document per line), with a 6 MiB document limit (a seed is
/// a zstd file with a 5 MiB line, longer than the reader's 4 MiB buffer, so pieces are joined), then in JSON
/// Lines mode again with a 100-byte limit, so that the limit's error path runs on ordinary inputs. Every
/// document must be valid UTF-8 within the limit, numbered 0, 1, 2, ...; plain documents hold no newline.
let file = FuzzFile(ext: "jsonl")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

func read(field: String?, limit: Int) throws {
    let r = try DocumentReader(path: file.path, field: field)
    r.maxDocumentBytes = limit
    var next = 0
    try r.forEach { text, index in
        precondition(index == next, "document \(index) after \(next - 1)")
        next += 1
        precondition(text.count <= limit, "a document of \(text.count) bytes, over the limit of \(limit)")
        precondition(firstInvalidUTF8(text) == nil, "document \(index) is not valid UTF-8")
        if field == nil, let p = text.baseAddress, text.count > 0 { precondition(memchr(p, 0x0A, text.count) == nil) }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    file.write(data, size)
    expectOnlyLexelErrors { try read(field: "text", limit: 6 << 20) }
    expectOnlyLexelErrors { try read(field: nil, limit: 6 << 20) }
    expectOnlyLexelErrors { try read(field: "text", limit: 100) }
    return 0
}
