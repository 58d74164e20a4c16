import LexelCore

/// A parsed JSON document (for small configuration members such as an HF `tokenizer.json`; documents in JSON
/// Lines are scanned in place by `DocumentReader` instead). Objects keep the last of duplicate members, as
/// Python's `json` does. Nesting deeper than `maxDepth` is an error, so hostile input cannot exhaust the stack.
public indirect enum JSONValue: Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    /// Parses one JSON value filling `bytes` (whitespace around it allowed); errors name the byte offset.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, file: String, maxDepth: Int = 128) throws -> JSONValue {
        guard let base = bytes.baseAddress, bytes.count > 0 else { throw LexelError(file: file, "empty JSON") }
        if let bad = firstInvalidUTF8Fast(bytes) { throw LexelError(file: file, offset: Int64(bad), "JSON: invalid UTF-8") }
        var s = JSONScanner(p: base, n: bytes.count, i: 0)
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count)
        defer { scratch.deallocate() }
        do {
            let v = try value(&s, scratch, depth: 0, maxDepth: maxDepth)
            s.skipSpace()
            if s.i < s.n { throw s.fail("only one JSON value\(s.found)") }
            return v
        } catch let e as JSONScanError {
            throw LexelError(file: file, offset: Int64(e.at), e.message)
        }
    }

    static func value(_ s: inout JSONScanner, _ scratch: UnsafeMutablePointer<UInt8>, depth: Int, maxDepth: Int) throws -> JSONValue {
        guard depth < maxDepth else { throw s.fail("nested more than \(maxDepth) levels deep") }
        s.skipSpace()
        guard s.i < s.n else { throw s.fail("a value") }
        switch s.p[s.i] {
        case 0x22:
            return .string(try string(&s, scratch))
        case 0x7B:
            s.i += 1
            var members: [String: JSONValue] = [:]
            s.skipSpace()
            if s.i < s.n && s.p[s.i] == 0x7D { s.i += 1; return .object(members) }
            while true {
                s.skipSpace()
                guard s.i < s.n && s.p[s.i] == 0x22 else { throw s.fail("a member name in double quotes\(s.found)") }
                let key = try string(&s, scratch)
                try s.expect(0x3A, "':' after a member name")
                members[key] = try value(&s, scratch, depth: depth + 1, maxDepth: maxDepth)
                s.skipSpace()
                guard s.i < s.n else { throw s.fail("',' or '}'") }
                if s.p[s.i] == 0x2C { s.i += 1; continue }
                if s.p[s.i] == 0x7D { s.i += 1; return .object(members) }
                throw s.fail("',' or '}' after a member\(s.found)")
            }
        case 0x5B:
            s.i += 1
            var items: [JSONValue] = []
            s.skipSpace()
            if s.i < s.n && s.p[s.i] == 0x5D { s.i += 1; return .array(items) }
            while true {
                items.append(try value(&s, scratch, depth: depth + 1, maxDepth: maxDepth))
                s.skipSpace()
                guard s.i < s.n else { throw s.fail("',' or ']'") }
                if s.p[s.i] == 0x2C { s.i += 1; continue }
                if s.p[s.i] == 0x5D { s.i += 1; return .array(items) }
                throw s.fail("',' or ']' after a value\(s.found)")
            }
        case 0x74: try s.literal("true"); return .bool(true)
        case 0x66: try s.literal("false"); return .bool(false)
        case 0x6E: try s.literal("null"); return .null
        case 0x2D, 0x30...0x39:
            let start = s.i
            try s.number()
            let text = String(decoding: UnsafeBufferPointer(start: s.p + start, count: s.i - start), as: UTF8.self)
            guard let d = Double(text) else { throw s.fail("a number", at: start) }
            return .number(d)
        default:
            throw s.fail("a value\(s.found)")
        }
    }

    static func string(_ s: inout JSONScanner, _ scratch: UnsafeMutablePointer<UInt8>) throws -> String {
        let n = try s.string(into: scratch)
        return String(decoding: UnsafeBufferPointer(start: scratch, count: n), as: UTF8.self)
    }

    /// The member `key` of an object (nil for other values or a missing member).
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let v) = self { return v }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let v) = self { return v }; return nil }
    /// A number that is an integer in Int's range.
    public var intValue: Int? {
        guard case .number(let d) = self, d == d.rounded(), abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }
}
