import LexelCore
import LexelKernels

/// A scored word.
public struct Neighbour: Sendable, Equatable {
    public let word: String
    public let score: Float
}

extension WordVectors {
    /// The `k` vocabulary words most cosine-similar to `query` among the first `limit` words (all by default),
    /// skipping the ids in `excluding`.
    public func nearest(to query: [Float], k: Int, excluding: Set<Int> = [], limit: Int? = nil) -> [Neighbour] {
        let m = unitWordMatrix
        var q = query
        let n = min(limit ?? m.rows, m.rows)
        var top = TopK(k: k)
        q.withUnsafeMutableBufferPointer { qb in
            Kernels.normalize(qb.baseAddress!, dim)
            for i in 0..<n {
                let s = Kernels.dot(qb.baseAddress!, m.row(i), dim)
                if s > top.threshold && !excluding.contains(i) { top.offer(i, s) }
            }
        }
        return top.items.map { Neighbour(word: vocabulary.word($0.0), score: $0.1) }
    }

    /// Nearest neighbours of a word (which itself is left out). Unknown words use their subword vector.
    public func nearest(toWord word: String, k: Int) -> [Neighbour]? {
        guard let v = vector(for: word) else { return nil }
        let ex: Set<Int> = vocabulary.id(of: word).map { [$0] } ?? []
        return nearest(to: v, k: k, excluding: ex)
    }

    /// 3CosAdd analogy: words closest to b - a + c (unit vectors), leaving out a, b and c.
    /// "a is to b as c is to ?", e.g. man : king :: woman : queen.
    public func analogy(_ a: String, _ b: String, _ c: String, k: Int, limit: Int? = nil) -> [Neighbour]? {
        guard var va = vector(for: a), var vb = vector(for: b), var vc = vector(for: c) else { return nil }
        for i in [0, 1, 2] {
            switch i {
            case 0: va.withUnsafeMutableBufferPointer { _ = Kernels.normalize($0.baseAddress!, dim) }
            case 1: vb.withUnsafeMutableBufferPointer { _ = Kernels.normalize($0.baseAddress!, dim) }
            default: vc.withUnsafeMutableBufferPointer { _ = Kernels.normalize($0.baseAddress!, dim) }
            }
        }
        let q = (0..<dim).map { vb[$0] - va[$0] + vc[$0] }
        let ex = Set([a, b, c].compactMap { vocabulary.id(of: $0) })
        return nearest(to: q, k: k, excluding: ex, limit: limit)
    }
}
