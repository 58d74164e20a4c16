import LexelKernels
import LexelVectors

extension VectorFile {
    /// Exact cosine top-k over all rows (decoding each), leaving out `excluding`.
    public func mostSimilar(to query: [Float], k: Int, excluding: Int? = nil) throws -> [(String, Float)] {
        let q = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        let x = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { q.deallocate(); x.deallocate() }
        q.update(from: query, count: dim)
        Kernels.normalize(q, dim)
        var top = TopK(k: k)
        for r in 0..<count where r != excluding {
            vector(row: r, into: x)
            let n = normalized ? 1 : Kernels.norm(x, dim)
            top.offer(r, n > 0 ? Kernels.dot(q, x, dim) / n : 0)
        }
        return try top.items.map { (try key($0.0), $0.1) }
    }

    /// Nearest neighbours of any word (out-of-vocabulary words use their OOV vector).
    public func mostSimilar(toWord word: String, k: Int) throws -> [(String, Float)] {
        try mostSimilar(to: try vector(for: word), k: k, excluding: row(of: word))
    }
}
