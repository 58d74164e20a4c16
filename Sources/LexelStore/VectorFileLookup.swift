import LexelKernels
import LexelText

/// The subword rows of a `.lxv` file.
struct SubwordView {
    let minn: Int, maxn: Int, bucket: Int
    /// Word rows of the source model: subword row `k` had number `sourceWords + k` there (fastText numbering).
    let sourceWords: Int
    let used: UnsafeBufferPointer<UInt32>
    let rows: UnsafeRawPointer
    let scales: RowScales
    let rowCount: Int
}

extension VectorFile {
    /// Whether out-of-vocabulary words get fastText-style subword vectors (else Magnitude-style ones).
    public var hasSubwords: Bool { subwords != nil }

    /// The vector of any word: its row when present (or, in files with a fold index, the most frequent row
    /// equal to it ignoring case); otherwise the mean of its n-gram rows (files with subwords,
    /// as fastText does), or Magnitude-style: 0.3 x a pseudo-random n-gram vector + 0.7 x the mean of its three
    /// nearest spellings' unit vectors, normalised (docs/oov.md). Deterministic on every platform.
    public func vector(for word: String) throws -> [Float] {
        if let r = try row(of: word) ?? row(ignoringCase: word) { return vector(row: r) }
        var out = [Float](repeating: 0, count: dim)
        if let s = subwords {
            let idx = SubwordIndex.rows(for: word, id: nil, wordCount: 0, usedBuckets: s.used, dense: s.used.isEmpty,
                                        minn: s.minn, maxn: s.maxn, bucket: s.bucket)
            guard !idx.isEmpty else { return out }
            let tmp = UnsafeMutablePointer<Float>.allocate(capacity: dim)
            defer { tmp.deallocate() }
            out.withUnsafeMutableBufferPointer { o in
                for k in idx where Int(k) < s.rowCount {
                    RowCodec.decode(s.rows + Int(k) * dim * dtype.size, dim, dtype, scale: s.scales[Int(k)], into: tmp)
                    Kernels.add(tmp, o.baseAddress!, dim)
                }
                Kernels.scale(1 / Float(idx.count), o.baseAddress!, dim)
            }
            return out
        }
        let random = OOV.randomVector(word, dim: dim)
        let variants = OOV.variants(of: word)
        var near: [Int] = variants.compactMap { row(of: $0) }
        if let ix = oovIndex { near += ix.best(variants, k: OOV.neighbours).filter { !near.contains($0) } }
        near = Array(near.prefix(OOV.neighbours))
        guard !near.isEmpty else { return random }
        let tmp = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { tmp.deallocate() }
        out.withUnsafeMutableBufferPointer { o in
            for r in near {
                vector(row: r, into: tmp)
                Kernels.normalize(tmp, dim)
                Kernels.add(tmp, o.baseAddress!, dim)
            }
            Kernels.normalize(o.baseAddress!, dim)
            Kernels.scale(1 - OOV.randomWeight, o.baseAddress!, dim)
            random.withUnsafeBufferPointer { Kernels.axpy(OOV.randomWeight, $0.baseAddress!, o.baseAddress!, dim) }
            Kernels.normalize(o.baseAddress!, dim)
        }
        return out
    }

    /// The words nearest in spelling to `word` (shared character trigrams), for files with an OOV index.
    public func spellingNeighbours(of word: String, k: Int = OOV.neighbours) throws -> [String] {
        guard let ix = oovIndex else { return [] }
        return try ix.best(OOV.variants(of: word), k: k).map { try key($0) }
    }
}
