import LexelContainer

/// The `keys` section: keys in zstd blocks of 256, so that reading one key decodes ~256 keys, not all.
enum KeyBlocks {
    static func build(_ keys: [[UInt8]]) -> [UInt8] {
        let count = keys.count
        let per = VectorFileFormat.keysPerBlock
        let blocks = (count + per - 1) / per
        var frames: [[UInt8]] = []
        for b in 0..<blocks {
            var joined: [UInt8] = []
            for i in (b * per)..<min(count, (b + 1) * per) {
                if i > b * per { joined.append(0x0A) }
                joined += keys[i]
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

/// The `key-index` section: for every row, the top 32 bits of XXH64(key, seed), sorted, with the row beside it.
/// 8 bytes per row (an open-addressing table at a usable load costs 16-32). Hashes are uniform, so a lookup
/// starts at the interpolated position `h * count / 2^32` and walks to the run of equal hashes (a page or two);
/// each candidate row is confirmed by comparing its key.
///
///     u64 count, u64 seed
///     u32[count] hashes, ascending
///     u32[count] rows, in the order of the hashes
enum KeyIndex {
    static let seed: UInt64 = 0x4C45_5845_4C00_0001

    @inline(__always) static func hash32(_ key: UnsafeRawBufferPointer, seed: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: XXH64.hash(key, seed: seed) >> 32)
    }

    static func build(_ keys: [[UInt8]]) -> [UInt8] {
        build(pairs: keys.enumerated().map { i, k in
            (k.withUnsafeBytes { hash32($0, seed: seed) }, UInt32(i))
        })
    }

    /// The section for the given (hash, row) pairs, in any order.
    static func build(pairs unsorted: [(UInt32, UInt32)]) -> [UInt8] {
        let pairs = unsorted.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var out: [UInt8] = []
        out.reserveCapacity(16 + 8 * pairs.count)
        out.appendLE(UInt64(pairs.count))
        out.appendLE(seed)
        for p in pairs { out.appendLE(p.0) }
        for p in pairs { out.appendLE(p.1) }
        return out
    }
}

/// A mapped `key-index` (or `fold-index`) section.
struct KeyIndexView {
    /// Entries in the index (every row for `key-index`).
    let count: Int
    /// Rows in the file: larger row numbers are never passed on.
    let fileRows: Int
    let seed: UInt64
    let hashes: UnsafePointer<UInt32>
    let rows: UnsafePointer<UInt32>

    /// nil when the section's size does not match its entry count, or when it must index every one of
    /// `fileRows` rows (`complete`) and does not.
    init?(_ base: UnsafeRawPointer, length: Int, fileRows: Int, complete: Bool = true) {
        guard length >= 16 else { return nil }
        let n = UInt64(littleEndian: base.loadUnaligned(as: UInt64.self))
        guard complete ? n == UInt64(fileRows) : n <= UInt64(fileRows), length == 16 + 8 * Int(n) else { return nil }
        count = Int(n)
        self.fileRows = fileRows
        seed = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        hashes = (base + 16).assumingMemoryBound(to: UInt32.self)
        rows = (base + 16 + 4 * count).assumingMemoryBound(to: UInt32.self)
    }

    /// Calls `body` with each row whose key hash equals that of `key` until it returns true.
    func candidates(_ key: UnsafeRawBufferPointer, _ body: (Int) -> Bool) {
        guard count > 0 else { return }
        let h = KeyIndex.hash32(key, seed: seed)
        @inline(__always) func at(_ i: Int) -> UInt32 { UInt32(littleEndian: hashes[i]) }
        // Interpolate, then gallop to bracket the first entry >= h, then binary search inside the bracket.
        var i = min(count - 1, Int(UInt64(h) * UInt64(count) >> 32))
        var lo: Int, hi: Int
        if at(i) < h {
            var step = 1
            lo = i + 1
            while i + step < count && at(i + step) < h { lo = i + step + 1; step <<= 1 }
            hi = min(count, i + step + 1)
        } else {
            var step = 1
            hi = i
            while i - step >= 0 && at(i - step) >= h { hi = i - step; step <<= 1 }
            lo = max(0, i - step)
        }
        while lo < hi {
            let mid = (lo + hi) >> 1
            if at(mid) < h { lo = mid + 1 } else { hi = mid }
        }
        i = lo
        while i < count && at(i) == h {
            let r = Int(UInt32(littleEndian: rows[i]))
            if r < fileRows && body(r) { return }
            i += 1
        }
    }
}
