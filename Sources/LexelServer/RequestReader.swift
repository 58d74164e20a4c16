/// A fast reader for the embedding requests' common shape, `{"inputs": ["text", ...], "key": scalar, ...}`:
/// one pass over the body, the texts unescaped straight into a `TextBatch` (no `String` per text, no second copy).
/// It accepts only what it fully understands — a top-level object of distinct keys whose texts value is a string or
/// an array of strings and whose other values are strings, integers, booleans or null — and says `nil` to anything
/// else (nested values, floats, token ids, control characters, lone surrogates, bad syntax), which then goes
/// through `JSONDecoder` for the same result or its precise error. The body must already be valid UTF-8.
struct RequestReader {
    /// A value other than the texts.
    enum Scalar: Equatable {
        case string(String), int(Int), bool(Bool), null
    }

    /// What was read: the texts, whether they came as one string, and the other keys' values.
    struct Body {
        let texts: TextBatch
        let single: Bool
        let fields: [String: Scalar]
    }

    private let p: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ p: UnsafeBufferPointer<UInt8>) { self.p = p }

    /// Reads `body`, whose texts are under `textsKey`; `nil` when it is not in the shape this reader takes.
    static func read(_ body: UnsafeBufferPointer<UInt8>, textsKey: String) -> Body? {
        var r = RequestReader(body)
        // Unescaped text is never longer than its JSON form, so one buffer of the body's size holds every text.
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, body.count))
        var ends: [Int] = [], used = 0, single = false, sawTexts = false
        var fields: [String: Scalar] = [:]
        guard r.skip("{") else { bytes.deallocate(); return nil }
        var ok = r.skip("}")
        while !ok {
            guard let key = r.key(), r.skip(":") else { break }
            if key == textsKey {
                guard !sawTexts, r.texts(into: bytes.baseAddress!, used: &used, ends: &ends, single: &single) else { break }
                sawTexts = true
            } else {
                guard fields[key] == nil, let v = r.scalar() else { break }
                fields[key] = v
            }
            if r.skip(",") { continue }
            ok = r.skip("}")
            if !ok { break }
        }
        r.space()
        guard ok, sawTexts, r.i == body.count else { bytes.deallocate(); return nil }
        return Body(texts: TextBatch(owning: bytes, ends: ends), single: single, fields: fields)
    }

    private mutating func space() {
        while i < p.count, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
    }

    /// Skips white space and `c`; false (nothing consumed but space) when `c` is not next.
    private mutating func skip(_ c: Unicode.Scalar) -> Bool {
        space()
        guard i < p.count, p[i] == UInt8(c.value) else { return false }
        i += 1
        return true
    }

    private mutating func key() -> String? {
        space()
        var buffer = [UInt8](repeating: 0, count: 64)
        guard let n = buffer.withUnsafeMutableBufferPointer({ b -> Int? in
            let start = i
            guard let n = string(into: b.baseAddress!, capacity: b.count) else { i = start; return nil }
            return n
        }) else { return nil }
        return String(decoding: buffer[..<n], as: UTF8.self)
    }

    /// A string, or an array of strings, appended to the texts.
    private mutating func texts(into out: UnsafeMutablePointer<UInt8>, used: inout Int, ends: inout [Int],
                                single: inout Bool) -> Bool {
        space()
        guard i < p.count else { return false }
        if p[i] == UInt8(ascii: "\"") {
            guard let n = string(into: out + used, capacity: p.count - used) else { return false }
            used += n
            ends.append(used)
            single = true
            return true
        }
        guard skip("[") else { return false }
        if skip("]") { return true }
        while true {
            space()
            guard i < p.count, p[i] == UInt8(ascii: "\""),
                  let n = string(into: out + used, capacity: p.count - used) else { return false }
            used += n
            ends.append(used)
            if skip(",") { continue }
            return skip("]")
        }
    }

    private mutating func scalar() -> Scalar? {
        space()
        guard i < p.count else { return nil }
        switch p[i] {
        case UInt8(ascii: "\""):
            // room for the rest of the body, not zeroed first (the unescaped string is never longer)
            var failed = false
            let out = [UInt8](unsafeUninitializedCapacity: p.count - i) { b, count in
                if let n = string(into: b.baseAddress!, capacity: b.count) { count = n } else { failed = true; count = 0 }
            }
            return failed ? nil : .string(String(decoding: out, as: UTF8.self))
        case UInt8(ascii: "t"): return word("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return word("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return word("null") ? .null : nil
        default: return integer().map { .int($0) }
        }
    }

    private mutating func word(_ w: StaticString) -> Bool {
        guard p.count - i >= w.utf8CodeUnitCount,
              (0..<w.utf8CodeUnitCount).allSatisfy({ p[i + $0] == w.utf8Start[$0] }) else { return false }
        i += w.utf8CodeUnitCount
        return true
    }

    /// `-?(0|[1-9][0-9]*)` of at most 18 digits, not followed by a fraction or an exponent.
    private mutating func integer() -> Int? {
        var j = i, negative = false
        if j < p.count, p[j] == UInt8(ascii: "-") { negative = true; j += 1 }
        let first = j
        var v = 0
        while j < p.count, p[j] >= 48, p[j] <= 57, j - first < 19 { v = v * 10 + Int(p[j] - 48); j += 1 }
        let digits = j - first
        guard digits >= 1, digits <= 18, !(digits > 1 && p[first] == 48) else { return nil }
        if j < p.count, p[j] == UInt8(ascii: ".") || p[j] == UInt8(ascii: "e") || p[j] == UInt8(ascii: "E") || (p[j] >= 48 && p[j] <= 57) {
            return nil
        }
        i = j
        return negative ? -v : v
    }

    /// The JSON string at `i` (which is its opening quote), unescaped into `out`; its length, or nil when it is
    /// malformed, holds a control character or a lone surrogate, or would pass `capacity`.
    private mutating func string(into out: UnsafeMutablePointer<UInt8>, capacity: Int) -> Int? {
        guard i < p.count, p[i] == UInt8(ascii: "\"") else { return nil }
        var j = i + 1, n = 0
        while j < p.count {
            // a run of plain bytes, copied at once
            let run = j
            while j < p.count, p[j] != UInt8(ascii: "\""), p[j] != UInt8(ascii: "\\"), p[j] >= 0x20 { j += 1 }
            guard n + (j - run) <= capacity else { return nil }
            if j > run { (out + n).update(from: p.baseAddress! + run, count: j - run); n += j - run }
            guard j < p.count else { return nil }
            let c = p[j]
            if c == UInt8(ascii: "\"") { i = j + 1; return n }
            guard c == UInt8(ascii: "\\"), j + 1 < p.count else { return nil }  // a control character, or the end
            let e = p[j + 1]
            j += 2
            var scalar: UInt32
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalar = UInt32(e)
            case UInt8(ascii: "b"): scalar = 0x08
            case UInt8(ascii: "f"): scalar = 0x0C
            case UInt8(ascii: "n"): scalar = 0x0A
            case UInt8(ascii: "r"): scalar = 0x0D
            case UInt8(ascii: "t"): scalar = 0x09
            case UInt8(ascii: "u"):
                guard let u = hex4(at: j) else { return nil }
                j += 4
                scalar = u
                if u >= 0xD800 && u < 0xDC00 {  // a high surrogate: its low half must follow
                    guard j + 6 <= p.count, p[j] == UInt8(ascii: "\\"), p[j + 1] == UInt8(ascii: "u"),
                          let low = hex4(at: j + 2), low >= 0xDC00, low < 0xE000 else { return nil }
                    j += 6
                    scalar = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00)
                } else if u >= 0xDC00 && u < 0xE000 {
                    return nil
                }
            default: return nil
            }
            guard let s = Unicode.Scalar(scalar), let utf8 = UTF8.encode(s), n + utf8.count <= capacity else { return nil }
            for b in utf8 { out[n] = b; n += 1 }
        }
        return nil
    }

    private func hex4(at j: Int) -> UInt32? {
        guard j + 4 <= p.count else { return nil }
        var v: UInt32 = 0
        for k in j..<(j + 4) {
            let c = p[k]
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 65...70: d = c - 55
            case 97...102: d = c - 87
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}
