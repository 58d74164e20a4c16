/// XXH64 (Yann Collet's xxHash, 64-bit variant), written from its public specification. Used for section
/// checksums and for key hashing in `.lxv` files, so readers in other languages can use any xxHash library.
public enum XXH64 {
    static let p1: UInt64 = 11_400_714_785_074_694_791
    static let p2: UInt64 = 14_029_467_366_897_019_727
    static let p3: UInt64 = 1_609_587_929_392_839_161
    static let p4: UInt64 = 9_650_029_242_287_828_579
    static let p5: UInt64 = 2_870_177_450_012_600_261

    @inline(__always) @usableFromInline static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }

    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }

    @inline(__always) static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    /// The hash of `bytes` with `seed`.
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        guard let p = bytes.baseAddress else { return finish(seed &+ p5 &+ 0, p: UnsafeRawPointer(bitPattern: 1)!, rest: 0) }
        var i = 0
        var h: UInt64
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while i + 32 <= n {
                v1 = round(v1, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                v2 = round(v2, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)))
                v3 = round(v3, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)))
                v4 = round(v4, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1)
            h = merge(h, v2)
            h = merge(h, v3)
            h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h &+= UInt64(n)
        return finish(h, p: p + i, rest: n - i)
    }

    static func finish(_ h0: UInt64, p: UnsafeRawPointer, rest: Int) -> UInt64 {
        var h = h0, i = 0
        while i + 8 <= rest {
            h ^= round(0, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= rest {
            h ^= UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < rest {
            h ^= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33
        h &*= p2
        h ^= h >> 29
        h &*= p3
        h ^= h >> 32
        return h
    }

    /// Hash of a string's UTF-8 bytes.
    public static func hash(_ s: String, seed: UInt64 = 0) -> UInt64 {
        var s = s
        return s.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }
}

/// Streaming XXH64: feed bytes in any pieces, get the same value as `XXH64.hash` of their concatenation.
public struct XXH64Stream {
    var v1: UInt64, v2: UInt64, v3: UInt64, v4: UInt64
    let seed: UInt64
    var total = 0
    var buffer = [UInt8](repeating: 0, count: 32)
    var buffered = 0

    public init(seed: UInt64 = 0) {
        self.seed = seed
        v1 = seed &+ XXH64.p1 &+ XXH64.p2
        v2 = seed &+ XXH64.p2
        v3 = seed
        v4 = seed &- XXH64.p1
    }

    mutating func stripe(_ p: UnsafeRawPointer) {
        v1 = XXH64.round(v1, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
        v2 = XXH64.round(v2, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
        v3 = XXH64.round(v3, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
        v4 = XXH64.round(v4, UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let p = bytes.baseAddress, bytes.count > 0 else { return }
        total += bytes.count
        var i = 0
        if buffered > 0 {
            let take = min(32 - buffered, bytes.count)
            for k in 0..<take { buffer[buffered + k] = p.load(fromByteOffset: k, as: UInt8.self) }
            buffered += take
            i = take
            if buffered < 32 { return }
            buffer.withUnsafeBytes { stripe($0.baseAddress!) }
            buffered = 0
        }
        while i + 32 <= bytes.count {
            stripe(p + i)
            i += 32
        }
        while i < bytes.count {
            buffer[buffered] = p.load(fromByteOffset: i, as: UInt8.self)
            buffered += 1
            i += 1
        }
    }

    public func finalize() -> UInt64 {
        var h: UInt64
        if total >= 32 {
            h = XXH64.rotl(v1, 1) &+ XXH64.rotl(v2, 7) &+ XXH64.rotl(v3, 12) &+ XXH64.rotl(v4, 18)
            h = XXH64.merge(h, v1)
            h = XXH64.merge(h, v2)
            h = XXH64.merge(h, v3)
            h = XXH64.merge(h, v4)
        } else {
            h = seed &+ XXH64.p5
        }
        h &+= UInt64(total)
        return buffer.withUnsafeBytes { XXH64.finish(h, p: $0.baseAddress!, rest: buffered) }
    }
}
