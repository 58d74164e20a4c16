import Synchronization
import LexelContainer
import LexelCore
import LexelKernels

/// A `.lxv` file opened for queries. Opening maps the file and checks the header, the section table and the
/// small metadata section; it reads no vector data. Lookups touch only the pages they need.
public final class VectorFile: @unchecked Sendable {
    public let path: String
    /// The container: mapped file, section table, metadata.
    public let container: ContainerFile
    public var file: MappedFile { container.file }
    public var sections: [SectionEntry] { container.sections }
    public var meta: [String: String] { container.meta }
    public let dim: Int
    public let count: Int
    public let dtype: VectorFileFormat.DType
    public let normalized: Bool
    let vectors: UnsafeRawPointer
    let scales: RowScales
    /// Norms before any normalisation; absent from quantised files that are not normalised (recomputed).
    let norms: UnsafePointer<Float>?
    let keyIndex: KeyIndexView
    let keysBase: UnsafeRawPointer
    let keysLength: Int
    let blockCount: Int
    let perBlock: Int
    let blockCache = Mutex<[Int: [String]]>([:])
    /// f16/int8 files: 1 / decoded norm of each row, computed on the first exact search (4 bytes a row).
    let inverseNormCache = Mutex<FlatArray<Float>?>(nil)
    /// Subword rows (fastText-style OOV vectors), when the file has them.
    let subwords: SubwordView?
    /// Spelling index (Magnitude-style OOV vectors), when the file has one.
    let oovIndex: OOVIndexView?

    public init(path: String) throws {
        self.path = path
        let c = try ContainerFile(path: path, kinds: VectorFileFormat.sectionKinds)
        container = c
        let meta = c.meta
        func bad(_ offset: Int, _ why: String) -> LexelError { c.error(offset, why) }
        func entry(_ k: SectionKind) -> SectionEntry? { c.entry(k) }
        func require(_ k: SectionKind) throws -> SectionEntry { try c.require(k) }
        if let kind = meta["kind"], kind != "vectors" {
            throw LexelError(file: path, "this is a \(kind) file, not word vectors\(kind == "lexical-model" ? " (use it with `lexel embed --model`)" : "")")
        }
        let m = try require(.meta)
        guard let dim = Int(meta["dim"] ?? ""), dim > 0, dim <= 100_000, let count = Int(meta["count"] ?? ""),
              count > 0, count < Int(UInt32.max), let dtype = VectorFileFormat.DType(rawValue: meta["dtype"] ?? "") else {
            throw bad(Int(m.offset), "section meta: dim, count or dtype missing or implausible")
        }
        (self.dim, self.count, self.dtype, normalized) = (dim, count, dtype, meta["normalized"] == "true")
        let (nDim, nCount, nType) = (dim, count, dtype)
        func raw(_ k: SectionKind, expect: Int?) throws -> UnsafeRawPointer {
            try c.raw(k, expect: expect, "for \(nCount) x \(nDim) \(nType.rawValue)").baseAddress!
        }
        vectors = try raw(.vectors, expect: nCount * nDim * nType.size)
        norms = entry(.norms) == nil && nType != .f32 ? nil : try raw(.norms, expect: nCount * 4).assumingMemoryBound(to: Float.self)
        let halfScales = meta["scale-dtype"] == "f16"
        let scaleSize = halfScales ? 2 : 4
        scales = nType == .int8 ? RowScales(base: try raw(.scales, expect: nCount * scaleSize), half: halfScales) : .none
        let idx = try require(.keyIndex)
        guard let keyIndex = KeyIndexView(try raw(.keyIndex, expect: nil), length: Int(idx.length), fileRows: nCount) else {
            throw bad(Int(idx.offset), "section key-index: \(idx.length) bytes do not hold an index of \(nCount) keys")
        }
        self.keyIndex = keyIndex
        let keys = try require(.keys)
        keysBase = try raw(.keys, expect: nil)
        keysLength = Int(keys.length)
        guard keysLength >= 8 else { throw bad(Int(keys.offset), "section keys: truncated") }
        blockCount = Int(UInt32(littleEndian: keysBase.loadUnaligned(as: UInt32.self)))
        perBlock = Int(UInt32(littleEndian: keysBase.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        guard perBlock > 0, blockCount == (nCount + perBlock - 1) / perBlock, 8 + 8 * (blockCount + 1) <= keysLength else {
            throw bad(Int(keys.offset), "section keys: block table does not match \(nCount) keys")
        }
        if entry(.subwordVectors) != nil {
            guard let minn = Int(meta["minn"] ?? ""), let maxn = Int(meta["maxn"] ?? ""), let bucket = Int(meta["bucket"] ?? ""),
                  let words = Int(meta["subword-words"] ?? ""), minn > 0, maxn >= minn, maxn <= 64, bucket > 0, words >= 0 else {
                throw bad(Int(m.offset), "section meta: subword parameters missing or implausible")
            }
            var used = UnsafeBufferPointer<UInt32>(start: nil, count: 0)
            if let b = entry(.subwordBuckets) {
                guard b.length % 4 == 0 else { throw bad(Int(b.offset), "section subword-buckets: length not a multiple of 4") }
                used = UnsafeBufferPointer(start: try raw(.subwordBuckets, expect: nil).assumingMemoryBound(to: UInt32.self),
                                           count: Int(b.length) / 4)
            }
            let rows = used.isEmpty ? bucket : used.count
            let base = try raw(.subwordVectors, expect: rows * nDim * nType.size)
            let sc = nType == .int8 ? RowScales(base: try raw(.subwordScales, expect: rows * scaleSize), half: halfScales) : .none
            subwords = SubwordView(minn: minn, maxn: maxn, bucket: bucket, sourceWords: words, used: used, rows: base,
                                   scales: sc, rowCount: rows)
        } else {
            subwords = nil
        }
        if let o = entry(.oovIndex) {
            let base = try raw(.oovIndex, expect: nil)
            guard let view = OOVIndexView(base, length: Int(o.length), fileRows: nCount) else {
                throw bad(Int(o.offset), "section oov-index: tables do not fit the section (corrupt)")
            }
            oovIndex = view
        } else {
            oovIndex = nil
        }
    }

    /// Row of an exact key, or nil.
    public func row(of key: String) -> Int? {
        var k = key
        return k.withUTF8 { bytes -> Int? in
            var found: Int? = nil
            keyIndex.candidates(UnsafeRawBufferPointer(bytes)) { r in
                guard r >= 0 && r < count, (try? self.key(r)) == key else { return false }
                found = r
                return true
            }
            return found
        }
    }

    /// The key of row `r`.
    public func key(_ r: Int) throws -> String {
        precondition(r >= 0 && r < count)
        let b = r / perBlock
        if let keys = blockCache.withLock({ $0[b] }) { return keys[r % perBlock] }
        let keys = try decodeBlock(b)
        blockCache.withLock { cache in
            if cache.count > 1024 { cache.removeAll(keepingCapacity: true) }
            cache[b] = keys
        }
        return keys[r % perBlock]
    }

    func decodeBlock(_ b: Int) throws -> [String] {
        // Compared as UInt64: an offset of 2^63 or more must be an error, not a trap converting it to Int.
        let start = UInt64(littleEndian: keysBase.loadUnaligned(fromByteOffset: 8 + 8 * b, as: UInt64.self))
        let end = UInt64(littleEndian: keysBase.loadUnaligned(fromByteOffset: 16 + 8 * b, as: UInt64.self))
        guard start <= end, end <= UInt64(keysLength) else {
            throw LexelError(file: path, offset: Int64(file.base.distance(to: keysBase) + 8 + 8 * b),
                             "section keys: block \(b) (bytes \(start)..<\(end)) lies outside the section (corrupt)")
        }
        let frame = UnsafeRawBufferPointer(start: keysBase + Int(start), count: Int(end - start))
        let size = CZstdFrameSize(frame)
        guard size >= 0, size <= 1 << 26 else { throw LexelError(file: path, "section keys: block \(b) is not a valid zstd frame (corrupt)") }
        var out = [UInt8](repeating: 0, count: size)
        guard out.withUnsafeMutableBytes({ Zstd.decompress(frame, into: $0) }) else {
            throw LexelError(file: path, "section keys: block \(b) does not decode (corrupt)")
        }
        let keys = out.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let expected = min(perBlock, count - b * perBlock)
        guard keys.count == expected || (size == 0 && expected == 1) else {
            throw LexelError(file: path, "section keys: block \(b) holds \(keys.count) keys, expected \(expected) (corrupt)")
        }
        return size == 0 ? [""] : keys
    }

    /// Decoded row `r` (f32), into `out`.
    public func vector(row r: Int, into out: UnsafeMutablePointer<Float>) {
        RowCodec.decode(vectors + r * dim * dtype.size, dim, dtype, scale: scales[r], into: out)
    }

    /// Decoded row `r`.
    public func vector(row r: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: dim) { b, n in
            vector(row: r, into: b.baseAddress!)
            n = dim
        }
    }

    /// L2 norm of row `r` before any normalisation.
    public func norm(row r: Int) -> Float {
        if let norms { return norms[r] }
        let v = vector(row: r)
        return v.withUnsafeBufferPointer { Kernels.norm($0.baseAddress!, dim) }
    }

    /// Checks the checksum of every section (reads the whole file). Throws naming the first bad section.
    public func verify() throws { try container.verify() }
}
