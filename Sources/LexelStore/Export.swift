import LexelCore
import LexelContainer
import LexelKernels
import LexelText
import LexelVectors

extension VectorFile {
    /// The file as in-memory word vectors (rows decoded to f32, subword rows kept), for exporting to `.vec`,
    /// word2vec `.bin` or `.npy`, or re-converting with other options. Words keep their order; since `.lxv`
    /// files store no counts, counts are made up in descending order.
    public func wordVectors() throws -> WordVectors {
        let keys = try (0..<count).map { Array(try key($0).utf8) }
        let counts = (0..<count).map { Int64(count - $0) }
        let vocabulary = Vocabulary(words: keys, counts: counts, totalTokens: counts.reduce(0, +))
        let subRows = subwords?.rowCount ?? 0
        let m = Matrix(rows: count + subRows, cols: dim)
        for r in 0..<count { vector(row: r, into: m.row(r)) }
        var used = UnsafeBufferPointer<UInt32>(start: nil, count: 0)
        var owners: [AnyObject] = [m]
        if let s = subwords {
            for k in 0..<subRows {
                RowCodec.decode(s.rows + k * dim * dtype.size, dim, dtype, scale: s.scales[k], into: m.row(count + k))
            }
            let buckets = FlatArray<UInt32>(Array(s.used))
            used = UnsafeBufferPointer(start: buckets.base, count: s.used.count)
            owners.append(buckets)
            // The file holds each word's final vector v, the mean of its own row and its k n-gram rows; the
            // word's own row is therefore (k + 1) v - (sum of its n-gram rows).
            for r in 0..<count {
                let grams = SubwordIndex.rows(for: String(decoding: keys[r], as: UTF8.self), id: nil, wordCount: count,
                                              usedBuckets: used, dense: used.isEmpty, minn: s.minn, maxn: s.maxn,
                                              bucket: s.bucket)
                guard !grams.isEmpty else { continue }
                Kernels.scale(Float(grams.count + 1), m.row(r), dim)
                for g in grams where Int(g) < count + subRows { Kernels.axpy(-1, m.row(Int(g)), m.row(r), dim) }
            }
        }
        let meta = self.meta.filter { $0.key.hasPrefix("arg.") }.map { (String($0.key.dropFirst(4)), $0.value) }
            .sorted { $0.0 < $1.0 }
        return WordVectors(vocabulary: vocabulary, rows: UnsafePointer(m.pointer), rowCount: count + subRows, dim: dim,
                           minn: subwords?.minn ?? 0, maxn: subwords?.maxn ?? 0, bucket: subwords?.bucket ?? 0,
                           usedBuckets: used, metadata: meta, owners: owners)
    }
}

extension VectorFile {
    /// Whether the file at `path` starts with the `.lxv` magic (it may still be damaged).
    public static func isVectorFile(path: String) -> Bool {
        guard let f = try? MappedFile(path: path), f.size >= 8 else { return false }
        return Array(UnsafeRawBufferPointer(start: f.base, count: 8)) == ContainerFormat.magic
    }
}
