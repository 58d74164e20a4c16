/// fastText's word separators: space, tab, newline, vertical tab, form feed, carriage return and NUL.
@inlinable
public func isSeparator(_ b: UInt8) -> Bool {
    b == 0x20 || (b >= 0x09 && b <= 0x0D) || b == 0
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

/// `firstInvalidUTF8` with a fast path that skips 8 ASCII bytes at a time.
@inlinable
public func firstInvalidUTF8Fast(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
    guard let p = bytes.baseAddress else { return nil }
    let n = bytes.count
    var i = 0
    while i < n {
        if i + 8 <= n && UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
        if p[i] < 0x80 { i += 1; continue }
        // one multi-byte sequence
        let len = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : 2
        let end = min(n, i + len)
        if let bad = firstInvalidUTF8(UnsafeBufferPointer(start: p + i, count: end - i)) { return i + bad }
        i = end
    }
    return nil
}
