import LexelCore
import LexelIO
import LexelKernels

/// Result of a word-similarity evaluation.
public struct SimilarityResult: Sendable {
    /// Spearman rank correlation between human scores and cosine similarities.
    public let spearman: Double
    /// Pairs scored.
    public let pairs: Int
    /// Pairs with a word outside the vocabulary (scored with subword vectors when the model has them,
    /// else skipped).
    public let oovPairs: Int
    /// Pairs skipped because a word had no vector at all.
    public let skipped: Int
}

/// Result of an analogy evaluation, per section and in total.
public struct AnalogyResult: Sendable {
    public struct Section: Sendable {
        public let name: String
        public var correct = 0
        public var answered = 0
        public var questions = 0
        public var accuracy: Double { answered > 0 ? Double(correct) / Double(answered) : 0 }
    }
    public var sections: [Section]
    public var correct: Int { sections.reduce(0) { $0 + $1.correct } }
    public var answered: Int { sections.reduce(0) { $0 + $1.answered } }
    public var questions: Int { sections.reduce(0) { $0 + $1.questions } }
    public var accuracy: Double { answered > 0 ? Double(correct) / Double(answered) : 0 }
}

/// Word-vector benchmarks: similarity (WordSim353-style) and analogies (word2vec's questions-words.txt).
public enum Evaluation {
    /// Spearman's rho of a tab/space separated `word1 word2 score` file; `#` lines are comments. Throws on a score
    /// that is not a finite number, and when rho is undefined: a file with no pairs, fewer than two pairs with
    /// vectors for both words, or gold scores that are all equal.
    public static func similarity(_ v: WordVectors, path: String) throws -> SimilarityResult {
        var human: [Double] = [], model: [Double] = []
        var oov = 0, skipped = 0, lines = 0
        try forEachFields(path: path) { f, lineNo, offset in
            guard f.count >= 3, let score = Double(f[2]) else {
                throw LexelError(file: path, offset: offset, "line \(lineNo): expected 'word1 word2 score'")
            }
            guard score.isFinite else {
                throw LexelError(file: path, offset: offset, "line \(lineNo): the score \(quoted(f[2], limit: 40)) is not a finite number")
            }
            lines += 1
            let (a, b) = (f[0].lowercased(), f[1].lowercased())
            if v.vocabulary.id(of: a) == nil || v.vocabulary.id(of: b) == nil { oov += 1 }
            guard let va = v.vector(for: a), let vb = v.vector(for: b) else { skipped += 1; return }
            human.append(score)
            model.append(Double(cosine(va, vb)))
        }
        guard lines > 0 else { throw LexelError(file: path, "no word pairs (expected lines 'word1 word2 score')") }
        guard human.count >= 2 else {
            throw LexelError(file: path, "only \(human.count) of the \(lines) pairs have vectors for both words: "
                             + "Spearman's rho needs at least 2")
        }
        guard human.contains(where: { $0 != human[0] }) else {
            throw LexelError(file: path, "every scored pair has the gold score \(human[0]): Spearman's rho is undefined")
        }
        return SimilarityResult(spearman: spearman(human, model), pairs: human.count, oovPairs: oov, skipped: skipped)
    }

    /// 3CosAdd accuracy over the `restrict` most frequent words, as word2vec's compute-accuracy does: questions
    /// with a word outside them are not answered; the three question words are never the answer. Throws on a
    /// file with no questions.
    public static func analogies(_ v: WordVectors, path: String, restrict: Int = 30_000) throws -> AnalogyResult {
        let n = min(restrict, v.vocabulary.count)
        let m = v.unitWordMatrix
        let dim = v.dim
        var sections: [AnalogyResult.Section] = []
        var questions: [(Int, Int, Int, Int, Int)] = []  // section, a, b, c, expected
        try forEachFields(path: path) { f, lineNo, offset in
            if f[0] == ":" || f[0].hasPrefix(":") {
                sections.append(.init(name: f.count > 1 ? f[1] : String(f[0].dropFirst())))
                return
            }
            guard f.count == 4 else { throw LexelError(file: path, offset: offset, "line \(lineNo): expected 4 words") }
            if sections.isEmpty { sections.append(.init(name: "all")) }
            sections[sections.count - 1].questions += 1
            let ids = f.map { v.vocabulary.id(of: $0.lowercased()) }
            guard ids.allSatisfy({ $0 != nil && $0! < n }) else { return }
            questions.append((sections.count - 1, ids[0]!, ids[1]!, ids[2]!, ids[3]!))
        }
        guard sections.contains(where: { $0.questions > 0 }) else {
            throw LexelError(file: path, "no analogy questions (expected lines 'a b c d', in ': section' groups)")
        }
        let results = FlatArray<Int32>(repeating: -1, count: questions.count)
        let qs = questions
        runOnThreads(2) { t in
            let q = UnsafeMutablePointer<Float>.allocate(capacity: dim)
            defer { q.deallocate() }
            var i = t
            while i < qs.count {
                let (_, a, b, c, _) = qs[i]
                for k in 0..<dim { q[k] = m.row(b)[k] - m.row(a)[k] + m.row(c)[k] }
                var best = -Float.infinity, bestId = -1
                for w in 0..<n where w != a && w != b && w != c {
                    let s = Kernels.dot(q, m.row(w), dim)
                    if s > best { best = s; bestId = w }
                }
                results[i] = Int32(bestId)
                i += 2
            }
        }
        for (i, q) in questions.enumerated() {
            sections[q.0].answered += 1
            if Int(results[i]) == q.4 { sections[q.0].correct += 1 }
        }
        return AnalogyResult(sections: sections)
    }

    /// Calls `body(fields, line number, byte offset)` for each line that is not empty or a `#` comment. A UTF-8
    /// byte order mark at the start is skipped.
    static func forEachFields(path: String, _ body: ([String], Int, Int64) throws -> Void) throws {
        let reader = try LineReader(path: path)
        var lineNo = 0
        try reader.forEachLine { whole, _, offset in
            lineNo += 1
            var line = whole, offset = offset
            if lineNo == 1 && line.starts(with: [0xEF, 0xBB, 0xBF]) {
                line = UnsafeBufferPointer(rebasing: line[3...])
                offset += 3
            }
            if let bad = firstInvalidUTF8(line) {
                throw LexelError(file: path, offset: offset + Int64(bad), "invalid UTF-8 in line \(lineNo)")
            }
            let s = String(decoding: line, as: UTF8.self)
            if s.hasPrefix("#") { return }
            let f = s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if f.isEmpty { return }
            try body(f, lineNo, offset)
        }
    }

    /// Cosine similarity.
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                let d = Kernels.dot(pa.baseAddress!, pb.baseAddress!, a.count)
                let n = Kernels.norm(pa.baseAddress!, a.count) * Kernels.norm(pb.baseAddress!, b.count)
                return n > 0 ? d / n : 0
            }
        }
    }

    /// Euclidean norm.
    public static func norm(_ a: [Float]) -> Float {
        a.withUnsafeBufferPointer { Kernels.norm($0.baseAddress!, a.count) }
    }

    /// Spearman's rho with average ranks for ties.
    public static func spearman(_ x: [Double], _ y: [Double]) -> Double { spearmanCorrelation(x, y) }
}
