/// fastText's word separators: space, tab, newline, vertical tab, form feed, carriage return and NUL.
@inlinable
public func isSeparator(_ b: UInt8) -> Bool {
    b == 0x20 || (b >= 0x09 && b <= 0x0D) || b == 0
}

/// The end-of-line token fastText inserts for every newline.
public let endOfLineToken = "</s>"

/// Calls `body(token, offsetInLine)` for every whitespace-separated token of `line`.
@inlinable
public func forEachToken(in line: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void)
    rethrows
{
    guard let base = line.baseAddress else { return }
    let n = line.count
    var i = 0
    while i < n {
        while i < n && isSeparator(base[i]) { i += 1 }
        let s = i
        while i < n && !isSeparator(base[i]) { i += 1 }
        if i > s { try body(UnsafeBufferPointer(start: base + s, count: i - s), s) }
    }
}

/// Returns the offset of the first byte that breaks UTF-8 validity in `bytes`, or nil if it is valid.
/// Rejects overlong forms, surrogates and code points above U+10FFFF.
@inlinable
public func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    let n = bytes.count
    var i = 0
    while i < n {
        let b = bytes[i]
        if b < 0x80 { i += 1; continue }
        var need = 0
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch b {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2; hi = 0x9F
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default: return i
        }
        if i + need >= n { return i }
        for k in 1...need {
            let c = bytes[i + k]
            if k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF) { return i }
        }
        i += need + 1
    }
    return nil
}
