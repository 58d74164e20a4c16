import LexelCore

/// Writes a section container (docs/format.md): a zeroed header and section table, then sections each padded
/// to 64 bytes and checksummed as they stream, then the real header and table patched in, then an atomic rename.
public final class SectionWriter {
    let w: AtomicFileWriter
    var entries: [SectionEntry] = []

    /// Starts `path` (a temporary file until `commit`) with room for `sectionCount` table entries.
    public init(path: String, sectionCount: Int) throws {
        w = try AtomicFileWriter(path: path)
        let tableSize = ContainerFormat.headerSize + sectionCount * ContainerFormat.entrySize
        try [UInt8](repeating: 0, count: tableSize).withUnsafeBytes { try w.write($0) }
    }

    /// Appends one section whose bytes `body` emits in pieces.
    public func section(_ kind: SectionKind, compressed: Bool = false, decoded: Int? = nil,
                 _ body: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
        try w.pad(to: 64)
        let start = w.bytesWritten
        var hasher = XXH64Stream()
        try body { bytes in
            hasher.update(bytes)
            try w.write(bytes)
        }
        let length = UInt64(w.bytesWritten - start)
        entries.append(SectionEntry(kind: kind.rawValue, encoding: compressed ? 1 : 0, offset: UInt64(start),
                                    length: length, decodedLength: UInt64(decoded ?? Int(length)),
                                    checksum: hasher.finalize()))
    }

    /// Appends a raw section holding `bytes`.
    public func section(_ kind: SectionKind, raw bytes: UnsafeRawBufferPointer) throws {
        try section(kind) { emit in try emit(bytes) }
    }

    /// Appends `bytes` as a zstd-compressed section.
    public func section(_ kind: SectionKind, compressing bytes: [UInt8]) throws {
        let z = try bytes.withUnsafeBytes { try Zstd.compress($0) }
        try section(kind, compressed: true, decoded: bytes.count) { emit in try z.withUnsafeBytes { try emit($0) } }
    }

    /// Appends a section copied from another file, keeping its kind, encoding and checksum. The caller checks
    /// the source's checksum first (`ContainerFile.verify(_:)`): a copy must not re-checksum corruption.
    public func copy(_ e: SectionEntry, from bytes: UnsafeRawBufferPointer) throws {
        try w.pad(to: 64)
        let start = w.bytesWritten
        try w.write(bytes)
        var c = e
        c.offset = UInt64(start)
        entries.append(c)
    }

    /// Patches in the header and section table, then renames the file into place.
    public func commit() throws {
        var table = [UInt8]()
        for e in entries {
            table.appendLE(e.kind); table.appendLE(e.encoding); table.appendLE(e.offset); table.appendLE(e.length)
            table.appendLE(e.decodedLength); table.appendLE(e.checksum)
            table += [UInt8](repeating: 0, count: 24)
        }
        var header = ContainerFormat.magic
        header.appendLE(ContainerFormat.version)
        header.appendLE(UInt32(entries.count))
        header.appendLE(UInt64(w.bytesWritten))
        header.appendLE(table.withUnsafeBytes { XXH64.hash($0) })
        header.appendLE(header.withUnsafeBytes { XXH64.hash($0) })
        header += [UInt8](repeating: 0, count: 24)
        try (header + table).withUnsafeBytes { try w.patch(at: 0, $0) }
        try w.commit()
    }
}

extension Array where Element == UInt8 {
    /// Appends `v` as little-endian bytes.
    public mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }
}

extension String {
    /// The string with line breaks turned into spaces (a safe meta value).
    public var replacingNewlines: String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}
