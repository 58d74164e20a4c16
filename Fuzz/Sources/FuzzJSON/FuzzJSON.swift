#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import LexelKit

/// JSON documents (HF `tokenizer.json`, parsed whole): `JSONValue.parse` with the default depth limit and
/// with a limit of 4, then every value walked through the accessors. When the input is one line holding an
/// object, `DocumentReader` (whose JSON Lines scanner is separate code) must agree with it about the member
/// `text`: the same string when it is a string (the last of duplicate members wins in both), an error when it is
/// missing or not a string.
let file = FuzzFile(ext: "jsonl")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

func walk(_ v: JSONValue, depth: Int) {
    precondition(depth <= 128)
    switch v {
    case .object(let o):
        for (k, x) in o { precondition(v[k] == x); walk(x, depth: depth + 1) }
    case .array(let a): for x in a { walk(x, depth: depth + 1) }
    case .string(let s): precondition(v.stringValue == s && v.intValue == nil)
    case .number: _ = v.intValue
    case .bool, .null: precondition(v.intValue == nil && v.stringValue == nil && v.objectValue == nil)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var parsed: JSONValue?
    expectOnlyLexelErrors {
        let v = try JSONValue.parse(bytes, file: "input")
        walk(v, depth: 0)
        parsed = v
    }
    expectOnlyLexelErrors { walk(try JSONValue.parse(bytes, file: "input", maxDepth: 4), depth: 124) }
    guard case .object(let o) = parsed, size > 0, memchr(data, 0x0A, size) == nil else { return 0 }
    file.write(data, size)
    var documents: [[UInt8]] = []
    var failure: LexelError?
    do {
        try DocumentReader(path: file.path, field: "text").forEach { text, _ in documents.append(Array(text)) }
    } catch let e as LexelError {
        failure = e
    } catch {
        fatalError("DocumentReader threw something other than a LexelError: \(error)")
    }
    if case .string(let s) = o["text"] {
        precondition(failure == nil, "JSONValue reads member text as a string, DocumentReader fails: \(failure!)")
        precondition(documents == [Array(s.utf8)], "JSONValue and DocumentReader read different texts")
    } else {
        precondition(failure != nil, "member text is \(o["text"].map { "\($0)" } ?? "missing") but DocumentReader read \(documents.count) document(s)")
    }
    return 0
}
