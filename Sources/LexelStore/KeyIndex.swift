import LexelText

/// The `keys` section: keys in zstd blocks of 256, so that reading one key decodes ~256 keys, not all.
enum KeyBlocks {
    static func build(count: Int, key: (Int) -> UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let per = VectorFileFormat.keysPerBlock
        let blocks = (count + per - 1) / per
        var frames: [[UInt8]] = []
        for b in 0..<blocks {
            var joined: [UInt8] = []
            for i in (b * per)..<min(count, (b + 1) * per) {
                if i > b * per { joined.append(0x0A) }
                joined += key(i)
            }
            frames.append((try? joined.withUnsafeBytes { try Zstd.compress($0, level: 6) }) ?? [])
        }
        var out: [UInt8] = []
        out.appendLE(UInt32(blocks))
        out.appendLE(UInt32(per))
        var offset = 8 + 8 * (blocks + 1)
        for f in frames {
            out.appendLE(UInt64(offset))
            offset += f.count
        }
        out.appendLE(UInt64(offset))
        for f in frames { out += f }
        return out
    }
}

/// The `key-index` section: open addressing over XXH64 of the key bytes; entries hold a 32-bit fingerprint and
/// the row + 1.
enum KeyIndex {
    static let seed: UInt64 = 0x4C45_5845_4C00_0001

    static func build(count: Int, key: (Int) -> UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var slots = 16
        while slots < count * 2 { slots <<= 1 }
        var table = [UInt64](repeating: 0, count: slots)
        let mask = slots - 1
        for i in 0..<count {
            let h = XXH64.hash(UnsafeRawBufferPointer(key(i)), seed: seed)
            var s = Int(h & UInt64(mask))
            while table[s] != 0 { s = (s + 1) & mask }
            table[s] = (h >> 32) << 32 | UInt64(i + 1)
        }
        var out: [UInt8] = []
        out.reserveCapacity(16 + slots * 8)
        out.appendLE(UInt64(slots))
        out.appendLE(seed)
        table.withUnsafeBytes { out.append(contentsOf: $0) }
        return out
    }

    /// Candidate rows for `key` (fingerprint matches), to be confirmed by comparing keys.
    static func candidates(_ key: UnsafeRawBufferPointer, table: UnsafePointer<UInt64>, slots: Int, seed: UInt64,
                           _ body: (Int) -> Bool) {
        let h = XXH64.hash(key, seed: seed)
        let mask = slots - 1
        var s = Int(h & UInt64(mask))
        let fp = h >> 32
        for _ in 0..<slots {
            let e = UInt64(littleEndian: table[s])
            if e == 0 { return }
            if e >> 32 == fp && body(Int(e & 0xFFFF_FFFF) - 1) { return }
            s = (s + 1) & mask
        }
    }
}
