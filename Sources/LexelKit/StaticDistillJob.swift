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
    /// Output dimension; below the teacher's, both the teacher vectors and the token vectors are projected on the
    /// teacher's top principal axes (PCA of the training documents' teacher vectors). nil: the teacher's.
    public var dims: Int?
    /// Exact-match dimensions appended to the output (`FeatureSketch`; IDF from the training documents); 0: none.
    public var sketchDims = 0
    /// The sketch's share of every cosine.
    public var sketchWeight: Float = 0.3
    /// What a text of n tokens adds to the share: `sketchShortWeight * exp(-n / sketchShortLength)` (`FeatureSketch`).
    public var sketchShortWeight: Float = 0
    public var sketchShortLength: Float = 20
    /// An n-gram table (`lexel ngrams --minn 2`): its n-grams with at least `ngramMinDF` documents get rows of
    /// their own after the token rows, starting at zero (what the n-gram means beyond its tokens is learned).
    public var ngrams: String?
    public var ngramMinDF: Int64 = 20
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
        if r.sketchDims != 0 {  // checked before the work, naming the flags
            do {
                _ = try FeatureSketch(dims: r.sketchDims, weight: r.sketchWeight, idf: [], shortWeight: r.sketchShortWeight,
                                      shortLength: r.sketchShortLength)
            } catch let e as LexelError {
                let short = r.sketchShortWeight != 0 ? " --sketch-short-weight \(r.sketchShortWeight) --sketch-short-length \(r.sketchShortLength)" : ""
                throw LexelError("--sketch-dims \(r.sketchDims) --sketch-weight \(r.sketchWeight)\(short): \(e.message)")
            }
        }
        // The n-gram table before the (large) teacher files, so that its errors come first.
        let extra = try r.ngrams.map { try Self.ngramRows($0, minDF: r.ngramMinDF) }
        let t = try TeacherVectors.load(path: r.teacher)
        let tv = try TeacherVectors.load(path: r.tokenVectors)
        let tokenizer = try WordPieceVocabulary.tokenizer(DefaultFiles.vocabulary(r.vocabulary))
        let v = tokenizer.vocabulary.count, full = tv.cols
        guard tv.rows == v else {
            throw LexelError(file: r.tokenVectors, "\(tv.rows) token vectors for a vocabulary of \(v) tokens (row t must be token id t of \(r.vocabulary))")
        }
        guard t.cols == full else {
            throw LexelError(file: r.teacher, "teacher vectors have \(t.cols) values, the token vectors \(full): they must come from one teacher")
        }
        let d = r.dims ?? full
        guard d >= 1, d <= full else { throw LexelError("--dims \(d): between 1 and the teacher's \(full)") }
        guard r.holdout <= t.rows - 2 else {
            throw LexelError("--holdout \(r.holdout) leaves fewer than 2 of the teacher's \(t.rows) rows for training")
        }
        // One feature per WordPiece token (row t = token t), then the table's n-grams; weight = raw count.
        let maxN = extra?.maxN ?? 1, hashes = extra?.hashes ?? [], span = extra.map { $0.minN == $0.maxN ? "\($0.minN)" : "\($0.minN)- to \($0.maxN)" } ?? ""
        let rowCount = v + hashes.count
        let vocabulary = try NgramVocabulary(hashes: (0..<v).map { Ngrams.hash([UInt32($0)], maxN: maxN) } + hashes,
                                             idf: [Float](repeating: 1, count: rowCount), minN: 1, maxN: maxN)
        var tfidf = TFIDFOptions()
        tfidf.normalize = false
        let featurizer = try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary,
                                          network: try LexicalNetwork(w0: [Float](repeating: 0, count: rowCount), inputDim: rowCount, layers: [], dims: [1]),
                                          tfidf: tfidf)
        let features = try DocumentFeatures.read(r.input, count: t.rows, model: featurizer, threads: r.options.threads)
        let trainCount = t.rows - r.holdout
        let train = Array(features[0..<trainCount]), heldOut = Array(features[trainCount...])
        if let table = r.ngrams, !train.contains(where: { $0.indices.contains { Int($0) >= v } }) {
            throw LexelError(file: table, "--ngrams: none of its \(hashes.count) n-grams occurs in the training documents (was it counted with this --vocab, \(r.vocabulary)?)")
        }

        // The teacher's space, or its top d principal axes.
        let axes = d < full ? principalAxes(t, rows: trainCount, count: d) : nil
        let target = axes.map { project(t.values, rows: t.rows, from: full, $0, to: d) } ?? t.values
        let tokens = axes.map { TeacherVectors(rows: v, cols: d, values: project(tv.values, rows: v, from: full, $0, to: d)) } ?? tv
        let rows = initialRows(tokens, counts: tokenCounts(train, v), sif: r.sif) + [Float](repeating: 0, count: hashes.count * d)
        log("\(t.rows) documents (\(trainCount) training, \(r.holdout) held out), \(v) token rows"
            + (hashes.isEmpty ? "" : " and \(hashes.count) n-gram rows (\(span)-grams in \(r.ngrams!) with >= \(r.ngramMinDF) documents)") + " of \(d)"
            + (axes == nil ? "" : " (teacher's top \(d) of \(full) principal axes)")
            + "; \(formatFixed(monotonicSeconds() - start, 1)) s to read")
        let distiller = try StaticDistiller(rows: rows, count: rowCount, dim: d, options: r.options)
        func spearman() -> Double {  // against the full teacher vectors
            let y = distiller.embed(heldOut)
            return t.values.withUnsafeBufferPointer { tp in
                let z = unitRows(tp.baseAddress! + trainCount * full, count: r.holdout, dim: full)
                return y.withUnsafeBufferPointer { yp in z.withUnsafeBufferPointer { pairSpearman(yp.baseAddress!, dim: d, $0.baseAddress!, dim: full, count: r.holdout).spearman } }
            }
        }
        let before = r.holdout >= 2 ? spearman() : nil
        let trainStart = monotonicSeconds()
        target.withUnsafeBufferPointer { distiller.train(features: train, teacher: $0.baseAddress!, progress: progress) }
        let seconds = monotonicSeconds() - trainStart
        log("\(distiller.step) steps in \(formatDuration(seconds)), \(Int(Double(trainCount * r.options.epochs) / max(seconds, 1e-9))) docs/s")
        let o = r.options
        var info = ["source": "lexel distill-static", "teacher": r.teacher, "token-vectors": r.tokenVectors,
                    "documents": "\(trainCount)", "steps": "\(distiller.step)", "epochs": "\(o.epochs)", "batch": "\(o.batchSize)",
                    "lr": "\(o.learningRate)", "anchor": "\(o.anchor)", "sif": "\(r.sif)", "teacher-dims": "\(full)", "seed": "\(o.seed)", "holdout": "\(r.holdout)"]
        if o.gramWeight > 0 { (info["gram-kl"], info["gram-temperature"]) = ("\(o.gramWeight)", "\(o.gramTemperature)") }
        if let table = r.ngrams { (info["ngrams"], info["ngram-min-df"], info["ngram-rows"]) = (table, "\(r.ngramMinDF)", "\(hashes.count)") }
        if let before {
            let after = spearman()
            log("held-out (\(r.holdout) docs): Spearman \(formatFixed(before, 4)) -> \(formatFixed(after, 4))")
            info["holdout-spearman"] = "\(after)"
        }
        var network = try distiller.network()
        if r.sketchDims > 0 {
            network = try network.withSketch(FeatureSketch(dims: r.sketchDims, weight: r.sketchWeight,
                                                           idf: FeatureSketch.idf(features: v, documents: train) + [Float](repeating: 0, count: hashes.count),
                                                           shortWeight: r.sketchShortWeight, shortLength: r.sketchShortLength))
            log("sketch: \(r.sketchDims) exact-match dimensions of the tokens after the \(d) trained ones, weight \(r.sketchWeight)"
                + (r.sketchShortWeight > 0 ? " + \(r.sketchShortWeight) exp(-tokens / \(r.sketchShortLength))" : ""))
        }
        let model = try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary, network: network, tfidf: tfidf, info: info)
        try model.write(path: r.output, dtype: r.dtype)
        if r.holdout >= 2 {
            let s = try t.values.withUnsafeBufferPointer {
                try DistillJob.checkSaved(path: r.output, features: heldOut, reference: distiller.embed(heldOut), referenceDim: d,
                                          teacher: $0.baseAddress! + trainCount * full, teacherDim: full)
            }
            log("saved file (\(r.dtype.rawValue) rows\(r.sketchDims > 0 ? ", with the sketch" : "")), held-out: Spearman \(formatFixed(s.spearman, 4)); cosine to the f32 rows: mean "
                + "\(formatFixed(s.cosine.mean, 6)), min \(formatFixed(s.cosine.min, 6))")
        }
        log("wrote \(r.output) in \(formatDuration(monotonicSeconds() - start)) total")
    }

    /// The top `count` principal axes (`cols x count`, column k = axis k) of the first `rows` teacher vectors,
    /// each normalised first (the directions the cosine loss sees).
    static func principalAxes(_ t: TeacherVectors, rows: Int, count: Int) -> [Double] {
        let d = t.cols
        var mean = [Double](repeating: 0, count: d), cov = [Double](repeating: 0, count: d * d)
        var x = [Double](repeating: 0, count: d)
        for i in 0..<rows {
            var norm = 0.0
            for j in 0..<d { x[j] = Double(t.values[i * d + j]); norm += x[j] * x[j] }
            let s = norm > 0 ? 1 / norm.squareRoot() : 0
            for j in 0..<d { x[j] *= s; mean[j] += x[j] }
            for a in 0..<d where x[a] != 0 { for b in a..<d { cov[a * d + b] += x[a] * x[b] } }
        }
        let n = Double(max(rows, 1))
        for a in 0..<d { for b in a..<d { cov[a * d + b] = cov[a * d + b] / n - mean[a] / n * mean[b] / n; cov[b * d + a] = cov[a * d + b] } }
        let vectors = SymmetricEigen.decompose(cov, n: d).vectors
        return (0..<(d * count)).map { vectors[($0 / count) * d + $0 % count] }
    }

    /// `x` (`rows x from`) times `axes` (`from x to`).
    static func project(_ x: [Float], rows: Int, from: Int, _ axes: [Double], to: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * to)
        for i in 0..<rows {
            for k in 0..<to {
                var s = 0.0
                for j in 0..<from { s += Double(x[i * from + j]) * axes[j * to + k] }
                out[i * to + k] = Float(s)
            }
        }
        return out
    }

    /// How often each of the `v` tokens occurs in `features` (raw counts, as the unigram features hold them;
    /// n-gram features after the tokens are skipped).
    static func tokenCounts(_ features: [SparseVector], _ v: Int) -> [Double] {
        var c = [Double](repeating: 0, count: v)
        for x in features { for (i, w) in zip(x.indices, x.values) where Int(i) < v { c[Int(i)] += Double(w) } }
        return c
    }

    /// The hashes of the n-grams of `path` seen in at least `minDF` documents, and the table's longest n-gram
    /// (the hashes' padding). The table must hold n-grams of 2 tokens or more: the tokens have rows already.
    static func ngramRows(_ path: String, minDF: Int64) throws -> (hashes: [UInt64], minN: Int, maxN: Int) {
        let table = try NgramTable.read(path: path)
        guard table.minN >= 2 else {
            throw LexelError(file: path, "--ngrams: the table counts n-grams of \(table.minN) to \(table.maxN) tokens; count them with `lexel ngrams --minn 2` (every token has a row already)")
        }
        guard minDF >= 1 else { throw LexelError("--ngram-min-df \(minDF): must be >= 1") }
        let hashes = zip(table.hashes, table.documentFrequencies).filter { $0.1 >= minDF }.map(\.0)
        guard !hashes.isEmpty else { throw LexelError(file: path, "--ngrams: no n-gram has >= \(minDF) documents") }
        return (hashes, table.minN, table.maxN)
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
