import LexelKernels
import LexelVectors

extension VectorFile {
    /// Exact cosine top-k over all rows (decoding each), leaving out `row` itself.
    public func mostSimilar(row: Int, k: Int) throws -> [(String, Float)] {
        let q = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        let x = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { q.deallocate(); x.deallocate() }
        vector(row: row, into: q)
        Kernels.normalize(q, dim)
        var top = TopK(k: k)
        for r in 0..<count where r != row {
            vector(row: r, into: x)
            let n = normalized ? 1 : Kernels.norm(x, dim)
            top.offer(r, n > 0 ? Kernels.dot(q, x, dim) / n : 0)
        }
        return try top.items.map { (try key($0.0), $0.1) }
    }
}
