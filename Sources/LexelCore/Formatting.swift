/// `v` rounded to `digits` decimals, always printed with that many (no Foundation `String(format:)` needed).
public func formatFixed(_ v: Double, _ digits: Int) -> String {
    guard v.isFinite else { return "\(v)" }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let s = "\((v * p).rounded() / p)"
    guard let dot = s.firstIndex(of: "."), !s.contains("e") else { return s }
    let d = s.distance(from: dot, to: s.endIndex) - 1
    return d < digits ? s + String(repeating: "0", count: digits - d) : s
}

/// Seconds as `1h 02m 03s`.
public func formatDuration(_ s: Double) -> String {
    guard s.isFinite && s >= 0 else { return "--" }
    let t = Int(s.rounded())
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(t / 3600)h \(two((t / 60) % 60))m \(two(t % 60))s"
}

/// A byte count for people: `512 bytes`, `64 KiB`, `32 MiB`, `1.5 GiB`.
public func byteCount(_ n: Int) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n), u = 0
    while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
    return u == 0 ? "\(n) bytes" : (v == v.rounded() ? "\(Int(v)) \(units[u])" : "\(formatFixed(v, 1)) \(units[u])")
}

/// `text` quoted for an error message: at most `limit` characters (then `...`), control characters escaped, so
/// that an error never echoes a 50 MB line or raw terminal control bytes.
public func quoted(_ text: String, limit: Int = 60) -> String {
    var out = "'"
    for (i, ch) in text.unicodeScalars.enumerated() {
        if i == limit { out += "..."; break }
        switch ch {
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case "'": out += "\\'"
        default:
            if ch.value < 0x20 || ch.value == 0x7F || (0x80..<0xA0).contains(ch.value) {
                out += "\\u{\(String(ch.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(ch)
            }
        }
    }
    return out + "'"
}

/// `s` with JSON's escapes (quotes, backslashes, control characters), without the surrounding quotes.
public func jsonEscaped(_ s: String) -> String {
    var out = ""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where u.value < 0x20:
            let hex = String(u.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(u)
        }
    }
    return out
}

/// `s` as a JSON string literal.
public func jsonString(_ s: String) -> String { "\"" + jsonEscaped(s) + "\"" }
