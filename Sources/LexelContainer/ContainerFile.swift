import LexelCore

/// A section container opened read-only (docs/format.md): the mapped file, its checked header and section
/// table, and its decoded `meta` section. Vector files and lexical models are both containers; which one a
/// file is comes from meta `kind` (absent = vectors), and each model kind declares its own section kinds: the
/// container knows none of them. Opening reads no section other than `meta`.
public final class ContainerFile: @unchecked Sendable {
    public let path: String
    public let file: MappedFile
    public let sections: [SectionEntry]
    public let meta: [String: String]
    /// The section kinds the opener knows, for naming sections in messages.
    public let kinds: [SectionKind]

    /// Maps `path` and checks the header, the section table and `meta` (always checksummed). `kinds` names
    /// the sections in messages (a kind not listed is called `kind N`).
    public init(path: String, randomAccess: Bool = true, kinds: [SectionKind] = [.meta]) throws {
        self.path = path
        self.kinds = kinds
        func kindName(_ k: UInt32) -> String { kinds.first { $0.rawValue == k }?.name ?? "kind \(k)" }
        let mf = try MappedFile(path: path, randomAccess: randomAccess)
        file = mf
        func bad(_ offset: Int, _ why: String) -> LexelError { LexelError(file: path, offset: Int64(offset), why) }
        guard mf.size >= ContainerFormat.headerSize else { throw bad(0, "header: truncated (file of \(mf.size) bytes)") }
        var r = mf.reader()
        let magic = try r.bytes(8, "magic")
        guard Array(magic) == ContainerFormat.magic else { throw bad(0, "header: not a Lexel container (.lxv or .lxm: wrong magic)") }
        let version = try r.read(UInt32.self, "version")
        guard version == ContainerFormat.version else { throw bad(8, "header: unsupported version \(version) (this build reads \(ContainerFormat.version))") }
        let n = Int(try r.read(UInt32.self, "section count"))
        let size = try r.read(UInt64.self, "file size")
        let tableSum = try r.read(UInt64.self, "table checksum")
        let headerSum = try r.read(UInt64.self, "header checksum")
        guard XXH64.hash(UnsafeRawBufferPointer(start: mf.base, count: 32)) == headerSum else {
            throw bad(0, "header: checksum mismatch (corrupt header)")
        }
        guard size == UInt64(mf.size) else {
            throw bad(16, "header: file should be \(size) bytes but is \(mf.size): truncated or appended to")
        }
        guard n >= 1, n <= ContainerFormat.maxSections, 64 + n * 64 <= mf.size else { throw bad(12, "header: implausible section count \(n)") }
        let table = UnsafeRawBufferPointer(start: mf.base + 64, count: n * 64)
        guard XXH64.hash(table) == tableSum else { throw bad(64, "section table: checksum mismatch (corrupt table)") }
        var entries: [SectionEntry] = []
        var t = mf.reader(at: 64)
        for i in 0..<n {
            t.offset = 64 + i * 64
            let e = SectionEntry(kind: try t.read(UInt32.self, "kind"), encoding: try t.read(UInt32.self, "encoding"),
                                 offset: try t.read(UInt64.self, "offset"), length: try t.read(UInt64.self, "length"),
                                 decodedLength: try t.read(UInt64.self, "decoded length"),
                                 checksum: try t.read(UInt64.self, "checksum"))
            guard e.offset % 64 == 0, e.offset >= UInt64(64 + n * 64), e.length <= UInt64(mf.size),
                  e.offset <= UInt64(mf.size) - e.length, e.encoding <= 1 else {
                throw bad(64 + i * 64, "section \(kindName(e.kind)): offset \(e.offset) / length \(e.length) outside the file")
            }
            entries.append(e)
        }
        sections = entries
        guard let m = entries.first(where: { $0.kind == SectionKind.meta.rawValue }) else {
            throw LexelError(file: path, "section meta: missing")
        }
        guard m.encoding == 1, m.decodedLength <= 1 << 24 else { throw bad(Int(m.offset), "section meta: bad encoding or size") }
        let metaBytes = UnsafeRawBufferPointer(start: mf.base + Int(m.offset), count: Int(m.length))
        guard XXH64.hash(metaBytes) == m.checksum else { throw bad(Int(m.offset), "section meta: checksum mismatch") }
        var text = [UInt8](repeating: 0, count: Int(m.decodedLength))
        guard text.withUnsafeMutableBytes({ Zstd.decompress(metaBytes, into: $0) }) else {
            throw bad(Int(m.offset), "section meta: zstd frame does not decode to \(m.decodedLength) bytes")
        }
        var meta: [String: String] = [:]
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            if let eq = line.firstIndex(of: "=") { meta[String(line[..<eq])] = String(line[line.index(after: eq)...]) }
        }
        self.meta = meta
    }

    /// An error about this file at `offset`.
    public func error(_ offset: Int, _ why: String) -> LexelError { LexelError(file: path, offset: Int64(offset), why) }

    /// The first section of kind `k`, if any.
    public func entry(_ k: SectionKind) -> SectionEntry? { sections.first { $0.kind == k.rawValue } }

    /// The first section of kind `k`, or an error naming it.
    public func require(_ k: SectionKind) throws -> SectionEntry {
        guard let e = entry(k) else { throw LexelError(file: path, "section \(k.name): missing") }
        return e
    }

    /// The mapped bytes of a raw section, checking its length when `expect` is given (`what` explains the
    /// expected size in the error). With `verify`, its checksum is checked too, which reads all of it: do so
    /// for sections that are read in full anyway, not for large ones mapped in place and read piecemeal.
    public func raw(_ k: SectionKind, expect: Int?, verify: Bool = false,
                    _ what: @autoclosure () -> String = "") throws -> UnsafeRawBufferPointer {
        let e = try require(k)
        guard e.encoding == 0 else { throw error(Int(e.offset), "section \(k.name): expected raw encoding") }
        if let expect, e.length != UInt64(expect) {
            throw error(Int(e.offset), "section \(k.name): \(e.length) bytes, expected \(expect) \(what())")
        }
        let bytes = UnsafeRawBufferPointer(start: file.base + Int(e.offset), count: Int(e.length))
        if verify && XXH64.hash(bytes) != e.checksum {
            throw error(Int(e.offset), "section \(k.name): checksum mismatch (corrupt)")
        }
        return bytes
    }

    /// The bytes of a section, checksummed and decompressed when it is compressed (at most `limit` bytes).
    public func decoded(_ k: SectionKind, limit: Int = 1 << 30) throws -> [UInt8] {
        let e = try require(k)
        let bytes = UnsafeRawBufferPointer(start: file.base + Int(e.offset), count: Int(e.length))
        guard XXH64.hash(bytes) == e.checksum else { throw error(Int(e.offset), "section \(k.name): checksum mismatch (corrupt)") }
        if e.encoding == 0 { return Array(bytes) }
        guard e.decodedLength <= UInt64(limit) else { throw error(Int(e.offset), "section \(k.name): implausible size \(e.decodedLength)") }
        var out = [UInt8](repeating: 0, count: Int(e.decodedLength))
        guard out.withUnsafeMutableBytes({ Zstd.decompress(bytes, into: $0) }) else {
            throw error(Int(e.offset), "section \(k.name): zstd frame does not decode to \(e.decodedLength) bytes (corrupt)")
        }
        return out
    }

    /// The name of `entry`'s kind (`kind N` for a kind the opener did not list).
    public func name(of entry: SectionEntry) -> String {
        kinds.first { $0.rawValue == entry.kind }?.name ?? "kind \(entry.kind)"
    }

    /// The mapped bytes of `entry`, as stored (compressed or not).
    public func bytes(of entry: SectionEntry) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: file.base + Int(entry.offset), count: Int(entry.length))
    }

    /// Checks the checksum of `entry`, naming it in the error.
    public func verify(_ entry: SectionEntry) throws {
        guard XXH64.hash(bytes(of: entry)) == entry.checksum else {
            throw error(Int(entry.offset), "section \(name(of: entry)): checksum mismatch (corrupt)")
        }
    }

    /// Checks the checksum of every section (reads the whole file). Throws naming the first bad section.
    public func verify() throws {
        for e in sections { try verify(e) }
    }
}
