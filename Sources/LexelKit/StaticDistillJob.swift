import LexelCore
import LexelIO
import LexelKernels
import LexelLexical
import LexelText

/// What `lexel distill-static` was asked to do.
public struct StaticDistillRequest {
    public var input: DocumentInput
    /// Teacher vectors of the documents (`.npy`, N x D; row i = document i).
    public var teacher: String
    /// The teacher's vector of every WordPiece token on its own (`.npy`, V x D; row t = token id t).
    public var tokenVectors: String
    public var vocabulary = DefaultFiles.vocabularyPath
    /// SIF weight `a / (a + p(token))` of the initial rows (p from the training documents' token counts).
    public var sif: Double = 1e-3
    public var options = StaticDistillOptions()
    public var holdout = 0
    public var dtype = RowType.int8
    public var output: String

    public init(input: DocumentInput, teacher: String, tokenVectors: String, output: String) {
        (self.input, self.teacher, self.tokenVectors, self.output) = (input, teacher, tokenVectors, output)
    }
}

/// Builds a static model (model2vec's idea, then trained): one row per WordPiece token, initialised from the
/// teacher's vector of the token alone (centred, SIF-weighted by the token's frequency in the training documents),
/// then trained so that each document's normalised row sum points along its teacher vector (`StaticDistiller`).
public enum StaticDistillJob {
    public static func run(_ r: StaticDistillRequest, log: (String) -> Void,
                           progress: @escaping StaticDistiller.Progress) throws {
        let start = monotonicSeconds()
        try OutputPath.checkWritable(r.output)
        guard r.sif > 0 else { throw LexelError("--sif must be > 0 (got \(r.sif))") }
        let t = try TeacherVectors.load(path: r.teacher)
        let tv = try TeacherVectors.load(path: r.tokenVectors)
        let tokenizer = try WordPieceVocabulary.tokenizer(DefaultFiles.vocabulary(r.vocabulary))
        let v = tokenizer.vocabulary.count, d = tv.cols
        guard tv.rows == v else {
            throw LexelError(file: r.tokenVectors, "\(tv.rows) token vectors for a vocabulary of \(v) tokens (row t must be token id t of \(r.vocabulary))")
        }
        guard t.cols == d else {
            throw LexelError(file: r.teacher, "teacher vectors have \(t.cols) values, the token vectors \(d): they must come from one teacher")
        }
        guard r.holdout <= t.rows - 2 else {
            throw LexelError("--holdout \(r.holdout) leaves fewer than 2 of the teacher's \(t.rows) rows for training")
        }
        // One feature per WordPiece token: a unigram "n-gram" vocabulary, weight = raw count.
        let vocabulary = try NgramVocabulary(hashes: (0..<v).map { Ngrams.hash([UInt32($0)], maxN: 1) },
                                             idf: [Float](repeating: 1, count: v), minN: 1, maxN: 1)
        var tfidf = TFIDFOptions()
        tfidf.normalize = false
        let featurizer = try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary,
                                          network: try LexicalNetwork(w0: [Float](repeating: 0, count: v), inputDim: v, layers: [], dims: [1]),
                                          tfidf: tfidf)
        let features = try DocumentFeatures.read(r.input, count: t.rows, model: featurizer, threads: r.options.threads)
        let trainCount = t.rows - r.holdout
        let train = Array(features[0..<trainCount]), heldOut = Array(features[trainCount...])

        let rows = initialRows(tv, counts: tokenCounts(train, v), sif: r.sif)
        log("\(t.rows) documents (\(trainCount) training, \(r.holdout) held out), \(v) token rows of \(d); "
            + "\(formatFixed(monotonicSeconds() - start, 1)) s to read")
        let distiller = try StaticDistiller(rows: rows, count: v, dim: d, options: r.options)
        func spearman() -> Double {
            let y = distiller.embed(heldOut)
            return t.values.withUnsafeBufferPointer { tp in
                let z = StaticDistiller.unitRows(tp.baseAddress! + trainCount * d, r.holdout, d)
                return y.withUnsafeBufferPointer { yp in z.withUnsafeBufferPointer { pairSpearman(yp.baseAddress!, dim: d, $0.baseAddress!, dim: d, count: r.holdout).spearman } }
            }
        }
        let before = r.holdout >= 2 ? spearman() : nil
        let trainStart = monotonicSeconds()
        t.values.withUnsafeBufferPointer { distiller.train(features: train, teacher: $0.baseAddress!, progress: progress) }
        let seconds = monotonicSeconds() - trainStart
        log("\(distiller.step) steps in \(formatDuration(seconds)), \(Int(Double(trainCount * r.options.epochs) / max(seconds, 1e-9))) docs/s")
        let o = r.options
        var info = ["source": "lexel distill-static", "teacher": r.teacher, "token-vectors": r.tokenVectors,
                    "documents": "\(trainCount)", "steps": "\(distiller.step)", "epochs": "\(o.epochs)", "batch": "\(o.batchSize)",
                    "lr": "\(o.learningRate)", "sif": "\(r.sif)", "seed": "\(o.seed)", "holdout": "\(r.holdout)"]
        if let before {
            let after = spearman()
            log("held-out (\(r.holdout) docs): Spearman \(formatFixed(before, 4)) -> \(formatFixed(after, 4))")
            info["holdout-spearman"] = "\(after)"
        }
        let model = try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary, network: try distiller.network(), tfidf: tfidf, info: info)
        try model.write(path: r.output, dtype: r.dtype)
        if r.holdout >= 2 {
            let s = try t.values.withUnsafeBufferPointer {
                try DistillJob.checkSaved(path: r.output, features: heldOut, reference: distiller.embed(heldOut),
                                          teacher: $0.baseAddress! + trainCount * d, teacherDim: d)
            }
            log("saved file (\(r.dtype.rawValue) rows), held-out: Spearman \(formatFixed(s.spearman, 4)); cosine to the f32 rows: mean "
                + "\(formatFixed(s.cosine.mean, 6)), min \(formatFixed(s.cosine.min, 6))")
        }
        log("wrote \(r.output) in \(formatDuration(monotonicSeconds() - start)) total")
    }

    /// How often each token occurs in `features` (raw counts, as the unigram features hold them).
    static func tokenCounts(_ features: [SparseVector], _ v: Int) -> [Double] {
        var c = [Double](repeating: 0, count: v)
        for x in features { for (i, w) in zip(x.indices, x.values) { c[Int(i)] += Double(w) } }
        return c
    }

    /// Row t = (token vector t − the mean token vector) · a / (a + p(t)), p(t) = (count + 1) / (total + V).
    static func initialRows(_ tv: TeacherVectors, counts: [Double], sif a: Double) -> [Float] {
        let (v, d) = (tv.rows, tv.cols)
        var mean = [Double](repeating: 0, count: d)
        for t in 0..<v { for j in 0..<d { mean[j] += Double(tv.values[t * d + j]) } }
        for j in 0..<d { mean[j] /= Double(v) }
        let total = counts.reduce(0, +) + Double(v)
        var rows = [Float](repeating: 0, count: v * d)
        for t in 0..<v {
            let w = a / (a + (counts[t] + 1) / total)
            for j in 0..<d { rows[t * d + j] = Float((Double(tv.values[t * d + j]) - mean[j]) * w) }
        }
        return rows
    }
}
