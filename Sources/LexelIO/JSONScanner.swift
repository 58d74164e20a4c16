#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func isJSONSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

struct JSONScanError: Error {
    let at: Int
    let message: String
    init(at: Int, _ message: String) { (self.at, self.message) = (at, message) }
}

/// A validating single-pass scanner over one JSON object (valid UTF-8 already checked).
struct JSONScanner {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i: Int
    var decodedCount = 0

    func fail(_ message: String, at: Int? = nil) -> JSONScanError {
        JSONScanError(at: at ?? i, i >= n && at == nil ? "malformed JSON: the line ends inside a value (\(message))"
                                                      : "malformed JSON: \(message)")
    }

    @inline(__always) mutating func skipSpace() { while i < n && isJSONSpace(p[i]) { i += 1 } }

    @inline(__always) mutating func expect(_ b: UInt8, _ what: String) throws {
        skipSpace()
        guard i < n && p[i] == b else { throw fail("expected \(what)\(found)") }
        i += 1
    }

    var found: String {
        guard i < n else { return "" }
        let b = p[i]
        return b >= 0x20 && b < 0x7F ? ", found '\(Character(Unicode.Scalar(b)))'" : ", found byte 0x\(String(b, radix: 16))"
    }

    /// Scans the whole object; decodes the (last) top-level string member named `name` into `out`, which must
    /// hold `n` bytes (decoding never lengthens a string). Returns whether the member was present. As with
    /// Python's `json`, the last of duplicate members counts: it is an error only when that one is not a string.
    mutating func findStringMember(_ name: [UInt8], into out: UnsafeMutablePointer<UInt8>,
                                   keyBuffer: inout GrowableBytes) throws -> Bool {
        try expect(0x7B, "'{' (each line must be a JSON object)")
        var present = false
        var notAString: JSONScanError?  // the last member `name`, when it is not a string
        skipSpace()
        if i < n && p[i] == 0x7D {
            i += 1
        } else {
            while true {
                skipSpace()
                let matches = try key(equals: name, &keyBuffer)
                try expect(0x3A, "':' after a member name")
                skipSpace()
                if matches && i < n && p[i] == 0x22 {
                    decodedCount = try string(into: out)
                    (present, notAString) = (true, nil)
                } else if matches {
                    let kind = i >= n ? "missing" : p[i] == 0x7B ? "an object" : p[i] == 0x5B ? "an array"
                        : p[i] == 0x6E ? "null" : (p[i] == 0x74 || p[i] == 0x66) ? "a boolean" : "a number"
                    let e = JSONScanError(at: i, "member \"\(String(decoding: name, as: UTF8.self))\" is \(kind), not a string")
                    if i >= n { throw e }
                    notAString = e
                    try skipValue()
                } else {
                    try skipValue()
                }
                skipSpace()
                guard i < n else { throw fail("',' or '}' after a member") }
                if p[i] == 0x2C { i += 1; continue }
                if p[i] == 0x7D { i += 1; break }
                throw fail("',' or '}' after a member\(found)")
            }
        }
        skipSpace()
        if i < n { throw fail("only one JSON object per line\(found)") }
        if let notAString { throw notAString }
        return present
    }

    /// Reads a member name; true when it equals `name` (names with escapes are decoded to compare).
    mutating func key(equals name: [UInt8], _ buffer: inout GrowableBytes) throws -> Bool {
        guard i < n && p[i] == 0x22 else { throw fail("a member name in double quotes\(found)") }
        let start = i + 1
        var j = start
        while j < n && p[j] != 0x22 && p[j] != 0x5C { j += 1 }
        if j < n && p[j] == 0x22 {
            i = j + 1
            return j - start == name.count && name.withUnsafeBufferPointer { memcmp($0.baseAddress!, p + start, name.count) == 0 }
        }
        buffer.reserve(n)
        let count = try string(into: buffer.base)
        return count == name.count && name.withUnsafeBufferPointer { memcmp($0.baseAddress!, buffer.base, count) == 0 }
    }

    /// Decodes the string at `i` (at its opening quote) into `out`; returns the decoded length.
    mutating func string(into out: UnsafeMutablePointer<UInt8>) throws -> Int {
        i += 1
        var o = 0
        while true {
            let s = i
            while i < n && p[i] != 0x22 && p[i] != 0x5C && p[i] >= 0x20 { i += 1 }
            (out + o).update(from: p + s, count: i - s)
            o += i - s
            guard i < n else { throw fail("unterminated string") }
            let b = p[i]
            if b == 0x22 { i += 1; return o }
            if b < 0x20 { throw fail("control character 0x\(String(b, radix: 16)) inside a string (must be escaped)") }
            // an escape
            guard i + 1 < n else { throw fail("unterminated escape") }
            let e = p[i + 1]
            i += 2
            switch e {
            case 0x22, 0x5C, 0x2F: out[o] = e; o += 1
            case 0x62: out[o] = 0x08; o += 1
            case 0x66: out[o] = 0x0C; o += 1
            case 0x6E: out[o] = 0x0A; o += 1
            case 0x72: out[o] = 0x0D; o += 1
            case 0x74: out[o] = 0x09; o += 1
            case 0x75:
                let at = i - 2
                var v = try hex4()
                if v >= 0xDC00 && v <= 0xDFFF { throw JSONScanError(at: at, "unpaired surrogate \\u\(String(v, radix: 16, uppercase: true)) (a low surrogate without a high one)") }
                if v >= 0xD800 && v <= 0xDBFF {
                    guard i + 1 < n && p[i] == 0x5C && p[i + 1] == 0x75 else {
                        throw JSONScanError(at: at, "unpaired surrogate \\u\(String(v, radix: 16, uppercase: true)) (a high surrogate not followed by a \\uDC00-\\uDFFF escape)")
                    }
                    i += 2
                    let lo = try hex4()
                    guard lo >= 0xDC00 && lo <= 0xDFFF else {
                        throw JSONScanError(at: at, "unpaired surrogate \\u\(String(v, radix: 16, uppercase: true)) (followed by \\u\(String(lo, radix: 16, uppercase: true)), not a low surrogate)")
                    }
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                }
                o += encodeUTF8(v, out + o)
            default:
                throw JSONScanError(at: i - 2, "malformed JSON: invalid escape '\\\(Character(Unicode.Scalar(e)))'")
            }
        }
    }

    mutating func hex4() throws -> UInt32 {
        guard i + 4 <= n else { throw fail("\\u needs four hex digits") }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = p[i + k], l = c | 0x20  // l: lower case
            guard (c >= 0x30 && c <= 0x39) || (l >= 0x61 && l <= 0x66) else { throw fail("\\u needs four hex digits", at: i + k) }
            v = v << 4 | UInt32(c <= 0x39 ? c - 0x30 : l - 0x61 + 10)
        }
        i += 4
        return v
    }

    /// Skips one value of any kind, validating it; nested containers are tracked without recursion.
    mutating func skipValue() throws {
        var stack: [UInt8] = []
        while true {
            skipSpace()
            guard i < n else { throw fail("a value") }
            var closedAValue = true
            switch p[i] {
            case 0x22:
                try skipString()
            case 0x7B, 0x5B:
                let open = p[i]
                i += 1
                skipSpace()
                if i < n && p[i] == open + 2 { i += 1; break }  // {} or []
                stack.append(open)
                if open == 0x7B { try memberName() }
                closedAValue = false
            case 0x74: try literal("true")
            case 0x66: try literal("false")
            case 0x6E: try literal("null")
            case 0x2D, 0x30...0x39: try number()
            default: throw fail("a value\(found)")
            }
            guard closedAValue else { continue }
            while let top = stack.last {
                skipSpace()
                guard i < n else { throw fail(top == 0x7B ? "'}'" : "']'") }
                if p[i] == 0x2C {
                    i += 1
                    if top == 0x7B { skipSpace(); try memberName() }
                    break
                }
                guard p[i] == top + 2 else { throw fail("',' or '\(top == 0x7B ? "}" : "]")'\(found)") }
                i += 1
                stack.removeLast()
            }
            if stack.isEmpty { return }
        }
    }

    mutating func memberName() throws {
        skipSpace()
        guard i < n && p[i] == 0x22 else { throw fail("a member name in double quotes\(found)") }
        try skipString()
        try expect(0x3A, "':' after a member name")
    }

    mutating func skipString() throws {
        i += 1
        while true {
            while i < n && p[i] != 0x22 && p[i] != 0x5C && p[i] >= 0x20 { i += 1 }
            guard i < n else { throw fail("unterminated string") }
            if p[i] == 0x22 { i += 1; return }
            if p[i] < 0x20 { throw fail("control character 0x\(String(p[i], radix: 16)) inside a string (must be escaped)") }
            guard i + 1 < n else { throw fail("unterminated escape") }
            switch p[i + 1] {
            case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 2
            case 0x75: i += 2; _ = try hex4()
            default: throw fail("invalid escape")
            }
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let len = word.utf8CodeUnitCount
        guard i + len <= n, memcmp(p + i, word.utf8Start, len) == 0 else { throw fail("a value\(found)") }
        i += len
    }

    mutating func number() throws {
        let s = i
        if p[i] == 0x2D { i += 1 }
        func digits() -> Int { let d = i; while i < n && p[i] >= 0x30 && p[i] <= 0x39 { i += 1 }; return i - d }
        guard i < n, p[i] >= 0x30 && p[i] <= 0x39 else { throw fail("a number", at: s) }
        if p[i] == 0x30 { i += 1 } else { _ = digits() }
        if i < n && p[i] == 0x2E { i += 1; guard digits() > 0 else { throw fail("digits after '.'") } }
        if i < n && (p[i] == 0x65 || p[i] == 0x45) {
            i += 1
            if i < n && (p[i] == 0x2B || p[i] == 0x2D) { i += 1 }
            guard digits() > 0 else { throw fail("digits in the exponent") }
        }
    }
}
