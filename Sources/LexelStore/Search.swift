#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore
import LexelKernels
import LexelVectors

/// How an exact search runs.
public struct SearchOptions: Sendable {
    /// Only the first `restrict` rows are candidates (files keep the source's order, most frequent first), like
    /// gensim's `restrict_vocab`. nil: every row.
    public var restrict: Int?
    /// Threads that split the rows between them. The result does not depend on it.
    public var threads: Int

    public init(restrict: Int? = nil, threads: Int = onlineCPUs) {
        self.restrict = restrict
        self.threads = max(1, threads)
    }
}

/// One search result: a row of the file, its key and its cosine similarity (or 3CosMul score).
public struct Match: Sendable, Equatable {
    public let row: Int
    public let key: String
    public let score: Float
}

extension VectorFile {
    /// 1 / decoded norm of every row of an f16 or int8 file (0 for zero rows), computed once and kept; nil for
    /// f32 files, which store their norms.
    func inverseDecodedNorms() -> FlatArray<Float>? {
        guard dtype != .f32 else { return nil }
        if let cached = inverseNormCache.withLock({ $0 }) { return cached }
        let inv = FlatArray<Float>(repeating: 0, count: count)
        for r in 0..<count {
            let p = vectors + r * dim * dtype.size
            let s = dtype == .f16 ? Kernels.sumOfSquares(f16: p.assumingMemoryBound(to: Float16.self), dim)
                                  : Kernels.sumOfSquares(int8: p.assumingMemoryBound(to: Int8.self), dim)
            inv[r] = s > 0 ? 1 / s.squareRoot() : 0
        }
        inverseNormCache.withLock { $0 = inv }
        return inv
    }

    /// Cosine of the unit vector `q` with row `r` as decoded. f32 rows use the stored norms; f16 and int8 rows
    /// use `inverseNorms` when given, else compute their decoded norm on the fly (the row is in L1 by then), so
    /// scores match `vector(row:)` exactly either way.
    @inline(__always)
    func cosine(_ q: UnsafePointer<Float>, row r: Int, inverseNorms: UnsafePointer<Float>? = nil) -> Float {
        let p = vectors + r * dim * dtype.size
        if let inverseNorms, dtype != .f32 {
            let d = dtype == .f16 ? Kernels.dot(q, f16: p.assumingMemoryBound(to: Float16.self), dim)
                                  : Kernels.dot(q, int8: p.assumingMemoryBound(to: Int8.self), dim)
            return d * inverseNorms[r]
        }
        let d: Float, n: Float
        switch dtype {
        case .f32:
            d = Kernels.dot(q, p.assumingMemoryBound(to: Float.self), dim)
            n = normalized ? 1 : norms![r]  // f32 files always have norms
        case .f16:
            let h = p.assumingMemoryBound(to: Float16.self)
            d = Kernels.dot(q, f16: h, dim)
            n = Kernels.sumOfSquares(f16: h, dim).squareRoot()
        case .int8:
            let c = p.assumingMemoryBound(to: Int8.self)
            d = Kernels.dot(q, int8: c, dim)
            n = Kernels.sumOfSquares(int8: c, dim).squareRoot()  // the row's scale cancels out
        }
        return n > 0 ? d / n : 0
    }

    /// Scores every candidate row against `queries` (each normalised here) on `options.threads` threads, which
    /// take contiguous slices of rows. For each row, `visit(thread, row, scores)` receives the `queries.count`
    /// cosines; each thread's calls come in row order. Rows are read in blocks of 64 so that several queries
    /// share one read of the row from memory.
    func scan(_ queries: [[Float]], options: SearchOptions,
              visit: @escaping @Sendable (Int, Int, UnsafePointer<Float>) -> Void) {
        let nq = queries.count
        guard nq > 0 else { return }
        let q = UnsafeMutablePointer<Float>.allocate(capacity: nq * dim)
        defer { q.deallocate() }
        for (i, v) in queries.enumerated() {
            precondition(v.count == dim, "query \(i) has \(v.count) values; the file has \(dim) dimensions")
            (q + i * dim).update(from: v, count: dim)
            Kernels.normalize(q + i * dim, dim)
        }
        let rows = min(count, max(0, options.restrict ?? count))
        let start = vectors - file.base
        file.adviseSequential(start..<(start + rows * dim * dtype.size))  // a scan reads every row: read ahead
        let threads = max(1, min(options.threads, rows / 4096 + 1))
        let queryBlock = SharedRows(base: q, rows: nq, cols: dim)
        let inverse = inverseDecodedNorms()  // shared, not copied, by every scan
        runOnThreads(threads) { t in
            let inv = inverse.map { UnsafePointer($0.base) }
            let lo = rows * t / threads, hi = rows * (t + 1) / threads
            let scores = UnsafeMutablePointer<Float>.allocate(capacity: 64 * nq)
            defer { scores.deallocate() }
            var start = lo
            while start < hi {
                let end = min(hi, start + 64)
                for j in 0..<nq {
                    let qj = UnsafePointer(queryBlock.row(j))
                    for r in start..<end { scores[(r - start) * nq + j] = self.cosine(qj, row: r, inverseNorms: inv) }
                }
                for r in start..<end { visit(t, r, scores + (r - start) * nq) }
                start = end
            }
        }
    }

    /// Exact top-`k` rows by cosine similarity for each query vector (SIMD, multi-threaded, one pass over the
    /// rows for all queries), leaving out the rows in `excluding[i]` for query `i`.
    public func mostSimilar(to queries: [[Float]], k: Int, excluding: [Set<Int>] = [],
                            options: SearchOptions = SearchOptions()) throws -> [[Match]] {
        let nq = queries.count
        let tops = ThreadSlots<[TopK]>(options.threads) { Array(repeating: TopK(k: k), count: nq) }
        scan(queries, options: options) { t, r, s in
            tops.with(t) { top in
                for j in 0..<nq where s[j] > top[j].threshold {
                    if j < excluding.count && excluding[j].contains(r) { continue }
                    top[j].offer(r, s[j])
                }
            }
        }
        return try (0..<nq).map { j in try merge(tops.all.map { $0[j] }, k: k) }
    }

    /// Exact top-`k` rows by cosine similarity to one vector.
    public func mostSimilar(to query: [Float], k: Int, excluding: Set<Int> = [],
                            options: SearchOptions = SearchOptions()) throws -> [Match] {
        try mostSimilar(to: [query], k: k, excluding: [excluding], options: options)[0]
    }

    /// Nearest neighbours of any word (out-of-vocabulary words use their OOV vector); the word itself is left out.
    public func mostSimilar(toWord word: String, k: Int, options: SearchOptions = SearchOptions()) throws -> [Match] {
        try mostSimilar(to: try vector(for: word), k: k, excluding: Set([row(of: word)].compactMap { $0 }),
                        options: options)
    }

    /// Merges per-thread top-k lists: highest score first, ties by lower row.
    func merge(_ lists: [TopK], k: Int) throws -> [Match] {
        let all = lists.flatMap(\.items).sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return try all.prefix(k).map { Match(row: $0.0, key: try key($0.0), score: $0.1) }
    }
}
