import LexelCore
/// The members of a ZIP archive (as NumPy's `.npz` files are), read in place from a mapped file. Only stored
/// (uncompressed) members can be read as bytes, and their CRC-32 is checked when they are (as Python's
/// `zipfile`, hence `numpy.load`, does); ZIP64 sizes and offsets are understood.
public struct ZipArchive {
    public struct Member: Sendable {
        public let name: String
        /// 0 = stored, 8 = deflate.
        public let method: UInt16
        public let compressedSize: Int
        public let size: Int
        /// Offset of the member's data in the file.
        public let dataOffset: Int
        /// The CRC-32 of the uncompressed data, from the central directory.
        public let crc32: UInt32
    }

    public let file: MappedFile
    public let members: [Member]

    /// Whether `path` starts with a ZIP local-file signature.
    public static func isZip(path: String) -> Bool {
        guard let f = try? FileByteSource(path) else { return false }
        var b = [UInt8](repeating: 0, count: 4)
        let n = (try? b.withUnsafeMutableBytes { try f.read(into: $0) }) ?? 0
        return n == 4 && b == [0x50, 0x4B, 0x03, 0x04]
    }

    public init(path: String) throws {
        file = try MappedFile(path: path)
        let base = file.base, size = file.size
        func bad(_ at: Int, _ why: String) -> LexelError { LexelError(file: path, offset: Int64(at), "zip: \(why)") }
        func u16(_ at: Int) -> Int { Int(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt16.self))) }
        func u32(_ at: Int) -> Int { Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        func u64(_ at: Int) -> Int { Int(truncatingIfNeeded: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: at, as: UInt64.self))) }
        // End of central directory: the last 0x06054b50 within 64 KiB + 22 bytes of the end.
        var eocd = -1
        var at = size - 22
        while at >= max(0, size - 22 - 65_535) {
            if u32(at) == 0x0605_4B50 { eocd = at; break }
            at -= 1
        }
        guard eocd >= 0 else { throw bad(size, "no end-of-central-directory record (not a zip file, or truncated)") }
        var count = u16(eocd + 10), dirOffset = u32(eocd + 16)
        if (count == 0xFFFF || dirOffset == 0xFFFF_FFFF), eocd >= 20, u32(eocd - 20) == 0x0706_4B50 {
            let rec = u64(eocd - 20 + 8)  // ZIP64 end-of-central-directory record
            guard rec >= 0, rec <= size - 56, u32(rec) == 0x0606_4B50 else { throw bad(eocd - 20, "bad ZIP64 locator") }
            (count, dirOffset) = (u64(rec + 32), u64(rec + 48))
        }
        guard dirOffset >= 0, dirOffset <= size, count >= 0, count < 1 << 20 else { throw bad(eocd, "central directory outside the file") }
        var members: [Member] = []
        var p = dirOffset
        for _ in 0..<count {
            guard p + 46 <= size, u32(p) == 0x0201_4B50 else { throw bad(p, "bad central directory entry") }
            let method = UInt16(u16(p + 10))
            let crc = UInt32(u32(p + 16))
            var csize = u32(p + 20), usize = u32(p + 24)
            let nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32)
            var local = u32(p + 42)
            guard p + 46 + nameLen + extraLen <= size else { throw bad(p, "central directory entry runs past the end") }
            let name = String(decoding: UnsafeRawBufferPointer(start: base + p + 46, count: nameLen), as: UTF8.self)
            var e = p + 46 + nameLen
            let extraEnd = e + extraLen
            while e + 4 <= extraEnd {  // ZIP64 extended information: only the fields that overflowed, in order
                let id = u16(e), len = u16(e + 2)
                if id == 1 {
                    var f = e + 4
                    if usize == 0xFFFF_FFFF, f + 8 <= e + 4 + len { usize = u64(f); f += 8 }
                    if csize == 0xFFFF_FFFF, f + 8 <= e + 4 + len { csize = u64(f); f += 8 }
                    if local == 0xFFFF_FFFF, f + 8 <= e + 4 + len { local = u64(f) }
                }
                e += 4 + len
            }
            guard local >= 0, local <= size - 30, u32(local) == 0x0403_4B50 else { throw bad(local, "bad local header of member \(name)") }
            let data = local + 30 + u16(local + 26) + u16(local + 28)
            guard csize >= 0, usize >= 0, data <= size, csize <= size - data else {
                throw bad(local, "member \(name) of \(csize) bytes runs past the end (truncated)")
            }
            members.append(Member(name: name, method: method, compressedSize: csize, size: usize, dataOffset: data, crc32: crc))
            p += 46 + nameLen + extraLen + commentLen
        }
        self.members = members
    }

    /// The member called `name`, if any.
    public func member(_ name: String) -> Member? { members.first { $0.name == name } }

    /// The bytes of a stored member, in place. With `verify` (the default) its CRC-32 is checked, which reads
    /// all of it.
    public func bytes(of m: Member, verify: Bool = true) throws -> UnsafeRawBufferPointer {
        guard m.method == 0 else {
            throw LexelError(file: file.path, offset: Int64(m.dataOffset),
                             "zip: member \(m.name) is compressed (method \(m.method)); save it uncompressed (numpy.savez, not savez_compressed)")
        }
        let bytes = UnsafeRawBufferPointer(start: file.base + m.dataOffset, count: m.compressedSize)
        if verify, CRC32.checksum(bytes) != m.crc32 {
            throw LexelError(file: file.path, offset: Int64(m.dataOffset), "zip: member \(m.name): CRC-32 mismatch (corrupt)")
        }
        return bytes
    }
}

/// CRC-32 as ZIP, gzip and PNG use it (reflected polynomial 0xEDB88320), eight bytes per step with eight
/// 256-entry tables ("slicing by 8").
public enum CRC32 {
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let p = bytes.baseAddress else { return 0 }
        let n = bytes.count
        var c: UInt32 = 0xFFFF_FFFF, i = 0
        tables.withUnsafeBufferPointer { t in
            while i + 8 <= n {
                let lo = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self)) ^ c
                let hi = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self))
                c = t[1792 + Int(lo & 0xFF)] ^ t[1536 + Int((lo >> 8) & 0xFF)] ^ t[1280 + Int((lo >> 16) & 0xFF)] ^ t[1024 + Int(lo >> 24)]
                    ^ t[768 + Int(hi & 0xFF)] ^ t[512 + Int((hi >> 8) & 0xFF)] ^ t[256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(p.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        return c ^ 0xFFFF_FFFF
    }
}
