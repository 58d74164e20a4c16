/// fastText's 32-bit FNV-1a, including its quirk: each byte is sign-extended (as a C `char`) before the XOR,
/// so bytes >= 0x80 hash differently from the textbook FNV-1a. Matches fastText's `Dictionary::hash`.
@inlinable
public func fastTextHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
    var h: UInt32 = 2_166_136_261
    for b in bytes { h = fastTextHashStep(h, b) }
    return h
}

/// Hash of a Swift string's UTF-8 bytes (see `fastTextHash(_:)`).
public func fastTextHash(_ s: String) -> UInt32 {
    var s = s
    return s.withUTF8 { fastTextHash($0) }
}

/// One byte of fastText's FNV-1a.
@inlinable @inline(__always)
public func fastTextHashStep(_ h: UInt32, _ b: UInt8) -> UInt32 {
    (h ^ UInt32(bitPattern: Int32(Int8(bitPattern: b)))) &* 16_777_619
}

/// Calls `body(hash)` for every character n-gram of `<word>` with `minn <= n <= maxn`, in fastText's order
/// (by start character, then by length). Characters are UTF-8 sequences: continuation bytes never start an
/// n-gram. The lone `<` and `>` 1-grams are skipped. The hash is built incrementally, one byte at a time.
@inlinable
public func forEachSubwordHash(
    of word: UnsafeBufferPointer<UInt8>, minn: Int, maxn: Int, _ body: (UInt32) -> Void
) {
    guard maxn > 0 else { return }
    let len = word.count + 2
    @inline(__always) func byte(_ k: Int) -> UInt8 {
        k == 0 ? 0x3C : (k == len - 1 ? 0x3E : word[k - 1])
    }
    var i = 0
    while i < len {
        if byte(i) & 0xC0 == 0x80 { i += 1; continue }
        var h: UInt32 = 2_166_136_261
        var j = i, n = 1
        while j < len && n <= maxn {
            h = fastTextHashStep(h, byte(j)); j += 1
            while j < len && byte(j) & 0xC0 == 0x80 { h = fastTextHashStep(h, byte(j)); j += 1 }
            if n >= minn && !(n == 1 && (i == 0 || j == len)) { body(h) }
            n += 1
        }
        i += 1
    }
}

/// The character n-grams of `<word>` as strings, in the same order as `forEachSubwordHash` (for display).
public func subwordStrings(of word: String, minn: Int, maxn: Int) -> [String] {
    guard maxn > 0 else { return [] }
    let chars = Array(("<" + word + ">").unicodeScalars)
    var out: [String] = []
    for i in 0..<chars.count {
        var n = 1
        while i + n <= chars.count && n <= maxn {
            if n >= minn && !(n == 1 && (i == 0 || i + n == chars.count)) { out.append(String(String.UnicodeScalarView(chars[i..<(i + n)]))) }
            n += 1
        }
    }
    return out
}
