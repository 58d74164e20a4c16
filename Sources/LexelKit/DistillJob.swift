import LexelCore
import LexelIO
import LexelKernels
import LexelLexical
import LexelText

/// Runs a `DistillRequest` end to end; messages go to `log`, training progress to `progress`.
public enum DistillJob {
    public static func run(_ r: DistillRequest, log: (String) -> Void,
                           progress: @escaping (_ p: DistillProgress, _ elapsed: Double) -> Void) throws {
        let start = monotonicSeconds()
        if r.resume == nil { _ = try r.options() }  // bad flags fail before the inputs are read
        try OutputPath.checkWritable(r.output)
        if let c = r.checkpoint { try OutputPath.checkWritable(c) }

        // Teacher first: it fixes the number of documents.
        let t = try TeacherVectors.load(path: r.teacher)
        guard r.holdout <= t.rows - 2 else {
            throw LexelError("--holdout \(r.holdout) leaves fewer than 2 of the teacher's \(t.rows) rows for training")
        }
        let table = try NgramTable.read(path: r.ngrams)
        let vocabulary = try table.vocabulary(idf: r.idf)
        let tokenizer = try WordPieceVocabulary.tokenizer(DefaultFiles.vocabulary(r.vocabulary))

        let distiller = try r.distiller(inputDim: vocabulary.count, log: log)
        guard distiller.options.batchSize <= t.rows - r.holdout else {
            throw LexelError("--batch \(distiller.options.batchSize) is larger than the \(t.rows - r.holdout) training documents")
        }
        let featurizer = try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary, network: try distiller.network())
        let features = try DocumentFeatures.read(r.input, count: t.rows, model: featurizer, threads: r.threads)
        let empty = features.reduce(0) { $0 + ($1.indices.isEmpty ? 1 : 0) }
        if empty * 2 > features.count {
            log("warning: \(empty) of \(features.count) documents have no n-gram of the table: was \(r.ngrams) counted with "
                + "this --vocab and n-gram range?")
        }
        let trainCount = t.rows - r.holdout
        let trainFeatures = Array(features[0..<trainCount]), heldOut = Array(features[trainCount...])
        log("\(t.rows) documents (\(trainCount) training, \(r.holdout) held out), teacher dim \(t.cols), \(vocabulary.count) "
            + "n-gram features, dims \(distiller.options.dims); \(formatFixed(monotonicSeconds() - start, 1)) s to read")

        func evaluate() throws -> DistillEvaluation {
            try t.values.withUnsafeBufferPointer {
                try distiller.evaluate(features: heldOut, teacher: $0.baseAddress! + trainCount * t.cols, teacherDim: t.cols)
            }
        }
        let before = r.holdout >= 2 ? try evaluate() : nil
        let ckpt = (r.checkpoint ?? r.resume).map { (path: $0, every: r.checkpointEvery) }
        let trainStart = monotonicSeconds()
        var lastProgress: DistillProgress?
        try t.values.withUnsafeBufferPointer { tp in
            try distiller.train(features: trainFeatures, teacher: tp.baseAddress!, teacherDim: t.cols, checkpoint: ckpt) { p in
                lastProgress = p
                progress(p, monotonicSeconds() - trainStart)
            }
        }
        let o = distiller.options
        var info = ["source": "lexel distill", "teacher": r.teacher, "ngrams": r.ngrams, "documents": "\(trainCount)",
                    "steps": "\(distiller.step)", "epochs": "\(o.epochs)", "batch": "\(o.batchSize)",
                    "lr": "\(o.learningRate)", "temperature": "\(o.temperature)", "weight-decay": "\(o.adam.weightDecay)",
                    "idf": r.idf.rawValue, "seed": "\(o.seed)", "holdout": "\(r.holdout)"]
        if let before {
            let after = try evaluate()
            log("held-out (\(r.holdout) docs, \(after.pairs) pairs): loss \(formatFixed(before.loss, 5)) -> \(formatFixed(after.loss, 5)), "
                + "Spearman \(formatFixed(before.spearman, 4)) -> \(formatFixed(after.spearman, 4))")
            (info["holdout-loss"], info["holdout-spearman"]) = ("\(after.loss)", "\(after.spearman)")
        }
        if let p = lastProgress {
            let tm = p.timings, steps = Double(max(1, p.step))
            func ms(_ s: Double) -> String { formatFixed(s / steps * 1000, 0) }
            log("\(Int(p.documentsPerSecond)) docs/s; per step: batch \(ms(tm.batch)) ms, forward \(ms(tm.forward)) ms, loss "
                + "\(ms(tm.loss)) ms, backward \(ms(tm.backward)) ms, optimiser \(ms(tm.optimizer)) ms")
        }
        let model = try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary, network: try distiller.network(), info: info)
        try model.write(path: r.output, dtype: r.dtype, layerType: r.layerType)
        log("wrote \(r.output) (W0 \(r.dtype.rawValue), layers \(r.layerType.rawValue)) in \(formatDuration(monotonicSeconds() - start)) total")
        if r.holdout >= 2 {
            let s = try t.values.withUnsafeBufferPointer {
                try checkSaved(path: r.output, features: heldOut, reference: distiller.embed(heldOut),
                               teacher: $0.baseAddress! + trainCount * t.cols, teacherDim: t.cols)
            }
            log("saved file, held-out: Spearman \(formatFixed(s.spearman, 4)); cosine to the f32 network: mean "
                + "\(formatFixed(s.cosine.mean, 6)), min \(formatFixed(s.cosine.min, 6))")
        }
    }

    /// Reloads the written model and embeds `features` with it (W0 and layers as stored): the Spearman correlation
    /// of its pair cosines with the teacher's, and the row cosines to `reference` (the f32 network's embeddings).
    static func checkSaved(path: String, features: [SparseVector], reference: [Float], referenceDim: Int? = nil, teacher: UnsafePointer<Float>,
                           teacherDim: Int) throws -> (spearman: Double, cosine: (mean: Double, min: Double)) {
        let net = try LexicalModel.load(path: path).network
        let n = features.count, dim = net.outputDim
        var y = [Float](repeating: 0, count: n * dim)
        var scratch = [Float](repeating: 0, count: net.scratchCount(batch: 256))
        var i = 0
        while i < n {
            let j = min(n, i + 256)
            y.withUnsafeMutableBufferPointer { yp in
                scratch.withUnsafeMutableBufferPointer { net.embed(Array(features[i..<j]), into: yp.baseAddress! + i * dim, scratch: $0.baseAddress!) }
            }
            i = j
        }
        let z = unitRows(teacher, count: n, dim: teacherDim)
        let rho = y.withUnsafeBufferPointer { yp in
            z.withUnsafeBufferPointer { pairSpearman(yp.baseAddress!, dim: dim, $0.baseAddress!, dim: teacherDim, count: n).spearman }
        }
        // A static model's sketch dimensions (`FeatureSketch`) follow the trained ones, which the reference holds.
        let refDim = referenceDim ?? dim
        precondition(refDim <= dim && reference.count == n * refDim, "checkSaved: reference rows do not match the model")
        let trained = refDim == dim ? y : (0..<(n * refDim)).map { y[($0 / refDim) * dim + $0 % refDim] }
        let cos = trained.withUnsafeBufferPointer { yp in reference.withUnsafeBufferPointer { rowCosines(yp.baseAddress!, $0.baseAddress!, dim: refDim, count: n) } }
        return (rho, cos)
    }
}

/// Opening a WordPiece vocabulary with errors that name the file and the flag to fix it.
public enum WordPieceVocabulary {
    /// The tokenizer of `vocab.txt` at `path`; a missing or unreadable file is an error naming it.
    public static func tokenizer(_ path: String) throws -> BertTokenizer {
        do {
            _ = try FileByteSource(path)
        } catch let e as LexelError {
            throw LexelError(file: path, "cannot read the WordPiece vocabulary (\(e.message)); give its path with --vocab")
        }
        do {
            return try BertTokenizer(vocabFile: path)
        } catch let e as LexelError {
            throw e.file == nil ? LexelError(file: path, e.message) : e
        } catch {
            throw LexelError(file: path, "cannot read the WordPiece vocabulary (a UTF-8 vocab.txt, one token per line)")
        }
    }

    /// The tokenizer's name for an n-gram table's header: the vocabulary's folder (`bert-base-uncased`).
    public static func name(_ vocabPath: String) -> String {
        let parts = vocabPath.split(separator: "/")
        let name = parts.count >= 2 ? String(parts[parts.count - 2]) : "bert-base-uncased"
        return name.allSatisfy { !$0.isWhitespace } && !name.isEmpty && name != "." ? name : "bert-base-uncased"
    }
}
