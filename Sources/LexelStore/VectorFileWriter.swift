import LexelContainer
import LexelCore
import LexelKernels
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
    /// Writes word vectors (with their subword rows, if any).
    public static func write(_ v: WordVectors, to path: String, options: VectorFileOptions = .init(),
                             source: String) throws {
        try write(rows: v, to: path, options: options, source: source)
    }

    /// Writes the rows of `rows` in one sequential pass: each row is encoded and written as it arrives, and
    /// only keys, norms and scales (a few bytes a word) are kept until the end, so converting a text or word2vec
    /// file takes memory near the size of those small sections, whatever the size of the vectors.
    public static func write(rows: some VectorRowSource, to path: String, options: VectorFileOptions = .init(),
                             source: String) throws {
        let dim = rows.dim, dtype = options.dtype
        let subwordSource = rows.subwordRows
        // Norms are kept where a reader cannot recompute them from the stored rows: f32 (searches divide by
        // them) and normalised files (the norms before normalisation).
        let writeNorms = dtype == .f32 || options.normalize
        var kinds: [SectionKind] = [.meta, .keys, .keyIndex, .vectors]
        if options.foldCase { kinds.append(.foldIndex) }
        if writeNorms { kinds.append(.norms) }
        if dtype == .int8 { kinds.append(.scales) }
        let subwordRows = subwordSource.map { $0.rowCount - $0.vocabulary.count } ?? 0
        if subwordRows == 0 { kinds.append(.oovIndex) }
        if let s = subwordSource, subwordRows > 0 {
            if !s.denseBuckets { kinds.append(.subwordBuckets) }
            kinds.append(.subwordVectors)
            if dtype == .int8 { kinds.append(.subwordScales) }
        }
        let w = try SectionWriter(path: path, sectionCount: kinds.count)
        func section(_ kind: SectionKind, compressed: Bool = false, decoded: Int? = nil,
                     _ body: (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws {
            try w.section(kind, compressed: compressed, decoded: decoded, body)
        }
        func bytes(_ b: [UInt8]) -> (_ emit: (UnsafeRawBufferPointer) throws -> Void) throws -> Void {
            { emit in try b.withUnsafeBytes { try emit($0) } }
        }

        // vectors (streamed), collecting keys, norms and scales
        let limit = options.maxWords ?? Int.max
        var keys: [[UInt8]] = [], norms: [Float] = [], scales: [Float] = []
        let row = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        let encoded = UnsafeMutableRawPointer.allocate(byteCount: dim * 4, alignment: 64)
        defer { row.deallocate(); encoded.deallocate() }
        try section(.vectors) { emit in
            try rows.forEachRow { key, vector in
                guard keys.count < limit else { return false }
                row.update(from: vector, count: dim)
                let n = Kernels.norm(row, dim)
                if options.normalize && n > 0 { Kernels.scale(1 / n, row, dim) }
                keys.append(Array(key))
                norms.append(n)
                scales.append(RowCodec.encode(row, dim, dtype, into: encoded))
                try emit(UnsafeRawBufferPointer(start: encoded, count: dim * dtype.size))
                return true
            }
        }
        let count = keys.count
        guard count > 0 else { throw LexelError(file: path, "nothing to write: the source has no words") }
        if writeNorms { try section(.norms) { emit in try norms.withUnsafeBytes { try emit($0) } } }

        // keys and indexes
        try section(.keys, bytes(KeyBlocks.build(keys)))
        try section(.keyIndex, bytes(KeyIndex.build(keys)))
        if options.foldCase {
            try section(.foldIndex, bytes(FoldIndex.build(count: count) { String(decoding: keys[$0], as: UTF8.self) }))
        }

        // spelling neighbours for out-of-vocabulary words, when there are no subword rows
        if subwordRows == 0 {
            try section(.oovIndex, bytes(OOV.buildIndex(count: count) { String(decoding: keys[$0], as: UTF8.self) }))
        }

        // subwords: n-gram rows as trained (not normalised)
        var subScales: [Float] = []
        if let v = subwordSource, subwordRows > 0 {
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
        if let v = subwordSource, subwordRows > 0 {
            meta += [("minn", "\(v.minn)"), ("maxn", "\(v.maxn)"), ("bucket", "\(v.bucket)"),
                     ("subword-words", "\(v.vocabulary.count)")]
        }
        meta += rows.metadata.filter { !["source"].contains($0.0) }.map { ("arg.\($0.0)", $0.1) }
        let metaText = Array(meta.map { "\($0.0)=\($0.1.replacingNewlines)" }.joined(separator: "\n").utf8)
        let metaZ = try metaText.withUnsafeBytes { try Zstd.compress($0) }
        try section(.meta, compressed: true, decoded: metaText.count, bytes(metaZ))
        try w.commit()
    }

    /// Writes `file` to `path` with a section of `kind` added (replacing one of that kind), copying the other
    /// sections as they are. `path` may be the file's own path: the new file replaces it atomically.
    public static func write(_ file: VectorFile, adding kind: SectionKind, _ bytes: [UInt8],
                             to path: String) throws {
        let keep = file.sections.filter { $0.kind != kind.rawValue }
        let w = try SectionWriter(path: path, sectionCount: keep.count + 1)
        for e in keep {
            try file.container.verify(e)  // never re-checksum a damaged section into a new file
            try w.copy(e, from: file.container.bytes(of: e))
        }
        try w.section(kind) { emit in try bytes.withUnsafeBytes { try emit($0) } }
        try w.commit()
    }
}

