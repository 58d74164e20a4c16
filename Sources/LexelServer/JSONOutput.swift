import Foundation
import NIOCore

/// Writing the responses' JSON straight into a buffer: float arrays are most of every response, and generic
/// formatting spends more on them than the embedding itself.
extension ByteBuffer {
    /// `[x0,x1,...]`, each float written by `FloatText.write` (reads back as the same Float32).
    mutating func writeJSONFloats(_ p: UnsafeBufferPointer<Float>) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: 2 + p.count * (FloatText.maxLength + 1)) { raw in
            let out = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var n = 0
            out[n] = UInt8(ascii: "["); n += 1
            for (i, x) in p.enumerated() {
                if i > 0 { out[n] = UInt8(ascii: ","); n += 1 }
                n += FloatText.writeFast(x, into: out + n)
            }
            out[n] = UInt8(ascii: "]"); n += 1
            return n
        }
    }

    /// `"<base64 of the little-endian float32 bytes>"`, OpenAI's `encoding_format: "base64"`.
    mutating func writeBase64Floats(_ p: UnsafeBufferPointer<Float>) {
        let data = Data(bytes: p.baseAddress!, count: p.count * 4)
        writeInteger(UInt8(ascii: "\""))
        writeString(data.base64EncodedString())
        writeInteger(UInt8(ascii: "\""))
    }
}

/// Float32 as JSON numbers, fast: 9 significant digits (enough for every Float32 to read back exactly), trailing
/// zeros dropped, plain notation from 1e-5 to 1e9 and exponent notation outside. Integer arithmetic on a Double
/// product, no String per number: several times faster than `description`'s shortest form, a few bytes longer.
enum FloatText {
    /// The most bytes one number takes: "-1.23456789e-45".
    static let maxLength = 16
    static let powers: [Double] = (0...110).map { pow(10, Double($0 - 50)) }  // 10^-50 ... 10^60

    /// Writes `x` at `out` and returns the bytes written (at most `maxLength`; may scribble on the bytes after them,
    /// up to `maxLength` in all). The common case of embeddings, 1e-5 <= |x| < 1, takes a branch-light path that
    /// makes the digits eight at a time in one 64-bit register; every other value goes through `write`.
    @inline(__always)
    static func writeFast(_ x: Float, into out: UnsafeMutablePointer<UInt8>) -> Int {
        let m = x.magnitude
        guard m >= 1e-5 && m < 1 else { return write(x, into: out) }
        // exponent e in -5...-1 with 10^e <= m < 10^(e+1), then 9 digits m * 10^(8 - e)
        var e = -5 &+ (m >= 1e-4 ? 1 : 0) &+ (m >= 1e-3 ? 1 : 0) &+ (m >= 1e-2 ? 1 : 0) &+ (m >= 0.1 ? 1 : 0)
        let scale = m >= 0.1 ? 1e9 : m >= 1e-2 ? 1e10 : m >= 1e-3 ? 1e11 : m >= 1e-4 ? 1e12 : 1e13
        var digits = UInt64((Double(m) * scale).rounded(.toNearestOrEven))  // (a call to libm's round otherwise)
        if digits >= 1_000_000_000 {  // rounded up to the next power of ten
            digits /= 10
            e += 1
            if e == 0 { return write(x, into: out) }
        }
        out[0] = UInt8(ascii: "-")
        var n = x < 0 ? 1 : 0
        // "0." and -e-1 zeros, written as one 8-byte store
        UnsafeMutableRawPointer(out + n).storeBytes(of: 0x3030_3030_3030_2E30 as UInt64, as: UInt64.self)
        n &+= 1 &- e
        let first = digits / 100_000_000
        let text = eightDigits(digits &- first &* 100_000_000)
        out[n] = UInt8(truncatingIfNeeded: 48 &+ first)
        UnsafeMutableRawPointer(out + n + 1).storeBytes(of: text, as: UInt64.self)
        // the trailing zeros of the last eight digits (bytes from the top), dropped
        let zeros = (text ^ 0x3030_3030_3030_3030).leadingZeroBitCount / 8
        return n &+ 9 &- zeros
    }

    /// The eight decimal digits of `v` < 10^8 in ASCII, most significant first (in memory order): two lanes of four
    /// digits, then four of two, then eight of one, each split by a multiply and a shift.
    @inline(__always)
    static func eightDigits(_ v: UInt64) -> UInt64 {
        let top = (v &* 109_951_163) >> 40  // v / 10_000
        let fours = top | ((v &- top &* 10_000) << 32)
        let hundreds = ((fours &* 10_486) >> 20) & 0x0000_007F_0000_007F  // each lane / 100
        let twos = hundreds | ((fours &- hundreds &* 100) << 16)
        let tens = ((twos &* 103) >> 10) & 0x000F_000F_000F_000F  // each lane / 10
        return (tens | ((twos &- tens &* 10) << 8)) &+ 0x3030_3030_3030_3030
    }

    /// Writes `x` at `out` and returns the bytes written. Non-finite values (which JSON cannot hold) are written as 0.
    @inline(__always)
    static func write(_ x: Float, into out: UnsafeMutablePointer<UInt8>) -> Int {
        guard x.isFinite, x != 0 else { out[0] = UInt8(ascii: "0"); return 1 }
        var n = 0
        if x < 0 { out[0] = UInt8(ascii: "-"); n = 1 }
        let d = Double(x.magnitude)
        // decimal exponent: floor(log10 d), from the binary exponent, corrected by one comparison either way
        var e = Int((Double(x.exponent) * 0.30102999566398120).rounded(.down))
        if d < powers[e + 50] { e -= 1 } else if d >= powers[e + 51] { e += 1 }
        var digits = UInt32((d * powers[58 - e]).rounded(.toNearestOrEven))  // 9 digits: d * 10^(8 - e)
        if digits >= 1_000_000_000 { digits /= 10; e += 1 }
        var text: (UInt64, UInt64) = (0, 0)  // the 9 digits, most significant first
        var count = 9
        withUnsafeMutableBytes(of: &text) { b in
            let rest = digits % 100_000_000
            b[0] = UInt8(48 + digits / 100_000_000)
            func pair(_ i: Int, _ v: UInt32) {
                b[1 + 2 * i] = UInt8(48 + v / 10)
                b[2 + 2 * i] = UInt8(48 + v % 10)
            }
            pair(0, rest / 1_000_000)
            pair(1, rest / 10_000 % 100)
            pair(2, rest / 100 % 100)
            pair(3, rest % 100)
            while count > 1 && b[count - 1] == 48 { count -= 1 }
        }
        return withUnsafeBytes(of: &text) { b -> Int in
            if e >= -5 && e < 0 {  // 0.000ddd
                out[n] = 48; out[n + 1] = 46; n += 2
                for _ in 0..<(-e - 1) { out[n] = 48; n += 1 }
                for i in 0..<count { out[n] = b[i]; n += 1 }
            } else if e >= 0 && e < 9 {  // ddd.ddd or ddd
                for i in 0..<max(count, e + 1) {
                    if i == e + 1 { out[n] = 46; n += 1 }
                    out[n] = i < count ? b[i] : 48; n += 1
                }
            } else {  // d.ddde-XX
                out[n] = b[0]; n += 1
                if count > 1 {
                    out[n] = 46; n += 1
                    for i in 1..<count { out[n] = b[i]; n += 1 }
                }
                out[n] = UInt8(ascii: "e"); n += 1
                var exp = e
                if exp < 0 { out[n] = UInt8(ascii: "-"); n += 1; exp = -exp }
                if exp >= 10 { out[n] = UInt8(48 + exp / 10); n += 1 }
                out[n] = UInt8(48 + exp % 10); n += 1
            }
            return n
        }
    }
}
