import LexelKernels
import LexelText
import LexelVectors

/// Options of a conversion to `.lxv`.
public struct VectorFileOptions: Sendable {
    public var dtype: VectorFileFormat.DType = .f32
    /// Store unit-length rows (norms are kept in the `norms` section).
    public var normalize = false
    /// Keep only the first (most frequent) N words.
    public var maxWords: Int? = nil
    /// Add a case-folded index (8 bytes a row) so that lookups ignore case before falling back to OOV vectors.
    public var foldCase = false
    public init() {}
}

/// Writes `.lxv` files (docs/format.md), streaming rows so that memory stays near the size of the output's
/// small sections, and atomically (temp file + rename).
public enum VectorFileWriter {
    public static func write(_ v: WordVectors, to path: String, options: VectorFileOptions = .init(),
                             source: String) throws {
        let count = min(options.maxWords ?? Int.max, v.vocabulary.count)
        guard count > 0 else { throw LexelError(file: path, "nothing to write: the source has no words") }
        let dim = v.dim, dtype = options.dtype
        // Norms are kept where a reader cannot recompute them from the stored rows: f32 (searches divide by
        // them) and normalised files (the norms before normalisation).
        let writeNorms = dtype == .f32 || options.normalize
        var kinds: [VectorFileFormat.Kind] = [.meta, .keys, .keyIndex, .vectors]
        if options.foldCase { kinds.append(.foldIndex) }
        if writeNorms { kinds.append(.norms) }
        if dtype == .int8 { kinds.append(.scales) }
        let subwordRows = v.hasSubwords ? v.rowCount - v.vocabulary.count : 0
        if subwordRows == 0 { kinds.append(.oovIndex) }
        if subwordRows > 0 {
            if !v.denseBuckets { kinds.append(.subwordBuckets) }
            kinds.append(.subwordVectors)
            if dtype == .int8 { kinds.append(.subwordScales) }
        }
        let w = try SectionWriter(path: path, sectionCount: kinds.count)
        func section(_ kind: VectorFileFormat.Kind, compressed: Bool = false, decoded: Int? = nil,
                     _ body: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
            try w.section(kind, compressed: compressed, decoded: decoded, body)
        }
        func bytes(_ b: [UInt8]) -> (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void {
            { emit in try b.withUnsafeBytes { try emit($0) } }
        }

        // keys and key index
        try section(.keys, bytes(KeyBlocks.build(count: count) { v.vocabulary.bytes($0) }))
        try section(.keyIndex, bytes(KeyIndex.build(count: count) { v.vocabulary.bytes($0) }))
        if options.foldCase { try section(.foldIndex, bytes(FoldIndex.build(count: count) { v.vocabulary.word($0) })) }

        // vectors (streamed), then norms
        var norms = [Float](repeating: 0, count: count), scales = [Float](repeating: 1, count: count)
        let row = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        let encoded = UnsafeMutableRawPointer.allocate(byteCount: dim * 4, alignment: 64)
        defer { row.deallocate(); encoded.deallocate() }
        try section(.vectors) { emit in
            for i in 0..<count {
                v.wordVector(i, into: row)
                norms[i] = Kernels.norm(row, dim)
                if options.normalize && norms[i] > 0 { Kernels.scale(1 / norms[i], row, dim) }
                scales[i] = RowCodec.encode(row, dim, dtype, into: encoded)
                try emit(UnsafeRawBufferPointer(start: encoded, count: dim * dtype.size))
            }
        }
        if writeNorms { try section(.norms) { emit in try norms.withUnsafeBytes { try emit($0) } } }

        // spelling neighbours for out-of-vocabulary words, when there are no subword rows
        if subwordRows == 0 {
            try section(.oovIndex, bytes(OOV.buildIndex(count: count) { v.vocabulary.word($0) }))
        }

        // subwords: n-gram rows as trained (not normalised)
        var subScales: [Float] = []
        if subwordRows > 0 {
            if !v.denseBuckets { try section(.subwordBuckets) { emit in try emit(UnsafeRawBufferPointer(v.usedBuckets)) } }
            subScales = [Float](repeating: 1, count: subwordRows)
            try section(.subwordVectors) { emit in
                for r in 0..<subwordRows {
                    v.matrixRow(v.vocabulary.count + r, into: row)
                    subScales[r] = RowCodec.encode(row, dim, dtype, into: encoded)
                    try emit(UnsafeRawBufferPointer(start: encoded, count: dim * dtype.size))
                }
            }
        }

        // int8 scales: f16 when every one is a normal f16 number (2 bytes a row instead of 4), else f32
        let halfScales = dtype == .int8 && RowScales.fitHalf(scales) && RowScales.fitHalf(subScales)
        if dtype == .int8 {
            try section(.scales, bytes(RowScales.encode(scales, half: halfScales)))
            if subwordRows > 0 { try section(.subwordScales, bytes(RowScales.encode(subScales, half: halfScales))) }
        }

        // meta, last: it records choices made while streaming
        var meta: [(String, String)] = [("dim", "\(dim)"), ("count", "\(count)"), ("dtype", dtype.rawValue),
                                        ("normalized", options.normalize ? "true" : "false"), ("source", source)]
        if dtype == .int8 { meta.append(("scale-dtype", halfScales ? "f16" : "f32")) }
        if subwordRows > 0 {
            meta += [("minn", "\(v.minn)"), ("maxn", "\(v.maxn)"), ("bucket", "\(v.bucket)"),
                     ("subword-words", "\(v.vocabulary.count)")]
        }
        meta += v.metadata.filter { !["source"].contains($0.0) }.map { ("arg.\($0.0)", $0.1) }
        let metaText = Array(meta.map { "\($0.0)=\($0.1.replacingNewlines)" }.joined(separator: "\n").utf8)
        let metaZ = try metaText.withUnsafeBytes { try Zstd.compress($0) }
        try section(.meta, compressed: true, decoded: metaText.count, bytes(metaZ))

        try w.commit()
    }

    /// Writes `file` to `path` with a section of `kind` added (replacing one of that kind), copying the other
    /// sections as they are. `path` may be the file's own path: the new file replaces it atomically.
    public static func write(_ file: VectorFile, adding kind: VectorFileFormat.Kind, _ bytes: [UInt8],
                             to path: String) throws {
        let keep = file.sections.filter { $0.kind != kind.rawValue }
        let w = try SectionWriter(path: path, sectionCount: keep.count + 1)
        for e in keep {
            try w.copy(e, from: UnsafeRawBufferPointer(start: file.file.base + Int(e.offset), count: Int(e.length)))
        }
        try w.section(kind) { emit in try bytes.withUnsafeBytes { try emit($0) } }
        try w.commit()
    }
}

/// Writes the `.lxv` container (docs/format.md): a zeroed header and section table, then sections each padded
/// to 64 bytes and checksummed as they stream, then the real header and table patched in, then an atomic rename.
final class SectionWriter {
    let w: AtomicFileWriter
    var entries: [SectionEntry] = []

    init(path: String, sectionCount: Int) throws {
        w = try AtomicFileWriter(path: path)
        let tableSize = VectorFileFormat.headerSize + sectionCount * VectorFileFormat.entrySize
        try [UInt8](repeating: 0, count: tableSize).withUnsafeBytes { try w.write($0) }
    }

    /// Appends one section whose bytes `body` emits in pieces.
    func section(_ kind: VectorFileFormat.Kind, compressed: Bool = false, decoded: Int? = nil,
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

    /// Appends a section copied from another file, keeping its kind, encoding and checksum.
    func copy(_ e: SectionEntry, from bytes: UnsafeRawBufferPointer) throws {
        try w.pad(to: 64)
        let start = w.bytesWritten
        try w.write(bytes)
        var c = e
        c.offset = UInt64(start)
        entries.append(c)
    }

    /// Patches in the header and section table, then renames the file into place.
    func commit() throws {
        var table = [UInt8]()
        for e in entries {
            table.appendLE(e.kind); table.appendLE(e.encoding); table.appendLE(e.offset); table.appendLE(e.length)
            table.appendLE(e.decodedLength); table.appendLE(e.checksum)
            table += [UInt8](repeating: 0, count: 24)
        }
        var header = VectorFileFormat.magic
        header.appendLE(VectorFileFormat.version)
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
    mutating func appendLE<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) }
    }
}

extension String {
    var replacingNewlines: String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
}
