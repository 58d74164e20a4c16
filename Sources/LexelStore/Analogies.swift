import LexelCore
import LexelKernels
import LexelVectors

/// Word-level queries in the style of gensim's KeyedVectors. Every word gets a vector (out-of-vocabulary words
/// through their OOV vector), so none of these fail for an unknown word; words given as input are never returned.
extension VectorFile {
    /// Unit vector of any word.
    func unitVector(for word: String) throws -> [Float] {
        var v = try vector(for: word)
        v.withUnsafeMutableBufferPointer { _ = Kernels.normalize($0.baseAddress!, dim) }
        return v
    }

    /// Cosine similarity of two words.
    public func similarity(_ a: String, _ b: String) throws -> Float {
        let (x, y) = (try unitVector(for: a), try unitVector(for: b))
        return x.withUnsafeBufferPointer { p in y.withUnsafeBufferPointer { Kernels.dot(p.baseAddress!, $0.baseAddress!, dim) } }
    }

    /// Rows of the given words that are in the file.
    func rows(of words: [String]) -> Set<Int> { Set(words.compactMap { row(of: $0) }) }

    /// 3CosAdd (word2vec, gensim's `most_similar(positive:negative:)`): the rows nearest to the sum of the
    /// positive words' unit vectors minus the negative ones'. "man : king :: woman : ?" is
    /// `positive: ["king", "woman"], negative: ["man"]`.
    public func mostSimilar(positive: [String], negative: [String] = [], k: Int,
                            options: SearchOptions = SearchOptions()) throws -> [Match] {
        guard !positive.isEmpty || !negative.isEmpty else { throw LexelError("most_similar: give at least one word") }
        var q = [Float](repeating: 0, count: dim)
        for (words, sign) in [(positive, Float(1)), (negative, Float(-1))] {
            for w in words {
                let u = try unitVector(for: w)
                for i in 0..<dim { q[i] += sign * u[i] }
            }
        }
        return try mostSimilar(to: q, k: k, excluding: rows(of: positive + negative), options: options)
    }

    /// 3CosMul (Levy and Goldberg 2014, gensim's `most_similar_cosmul`): with cosines mapped to [0, 1] by
    /// (1 + cos) / 2, the score of a row is the product over positive words divided by the product over negative
    /// words plus 1e-6. Better than 3CosAdd on analogies where one term dominates.
    public func mostSimilarCosMul(positive: [String], negative: [String] = [], k: Int,
                                  options: SearchOptions = SearchOptions()) throws -> [Match] {
        guard !positive.isEmpty else { throw LexelError("most_similar_cosmul: give at least one positive word") }
        let queries = try (positive + negative).map { try unitVector(for: $0) }
        let np = positive.count, nq = queries.count
        let excluded = rows(of: positive + negative)
        let tops = ThreadSlots<TopK>(options.threads) { TopK(k: k) }
        scan(queries, options: options) { t, r, s in
            var num: Float = 1, den: Float = 1
            for j in 0..<np { num *= (1 + s[j]) / 2 }
            for j in np..<nq { den *= (1 + s[j]) / 2 }
            let score = num / (den + 1e-6)
            tops.with(t) { top in
                if score > top.threshold && !excluded.contains(r) { top.offer(r, score) }
            }
        }
        return try merge(tops.all, k: k)
    }

    /// The word that fits least with the others: the one whose unit vector has the lowest cosine with the mean
    /// of all the words' unit vectors (gensim's `doesnt_match`).
    public func doesntMatch(_ words: [String]) throws -> String {
        guard words.count >= 2 else { throw LexelError("doesnt_match: give at least two words") }
        let units = try words.map { try unitVector(for: $0) }
        var mean = [Float](repeating: 0, count: dim)
        for u in units { for i in 0..<dim { mean[i] += u[i] } }
        var best = (word: words[0], score: Float.infinity)
        for (w, u) in zip(words, units) {
            let s = zip(u, mean).reduce(Float(0)) { $0 + $1.0 * $1.1 }
            if s < best.score { best = (w, s) }
        }
        return best.word
    }

    /// Every row more similar to `a` than `b` is, most similar first (gensim's `closer_than`). `a` itself is
    /// left out.
    public func closerThan(_ a: String, _ b: String, options: SearchOptions = SearchOptions()) throws -> [Match] {
        let threshold = try similarity(a, b)
        let self_ = row(of: a)
        let found = ThreadSlots<[(Int, Float)]>(options.threads) { [] }
        scan([try vector(for: a)], options: options) { t, r, s in
            if s[0] > threshold && r != self_ { found.with(t) { $0.append((r, s[0])) } }
        }
        let all = found.all.flatMap { $0 }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return try all.map { Match(row: $0.0, key: try key($0.0), score: $0.1) }
    }
}
