import ArgumentParser
import LexelKernels
import LexelLexical
import LexelStore
import LexelCore
import LexelIO
import LexelText
import LexelTraining
#if canImport(Glibc)
import Glibc
#endif

/// `lexel distill`: trains a lexical-dense model to reproduce a teacher's similarity structure (Luxical's recipe).
struct Distill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Distil a sentence-embedding teacher into a lexical-dense model (n-gram TF-IDF -> MLP).",
        discussion: """
            Row i of --teacher (.npy, float16/32, N x D) is the teacher's vector
            of document i of INPUT (one document per line, or JSON Lines with
            --field; zstd is read directly). Training uses the first N documents
            (N = the teacher's rows); an input with fewer documents is an error.

            The loss is Luxical's: per batch, the KL divergence between the
            teacher's and the student's softmax(cosine / 3) rows over the other
            documents of the batch. AdamW (beta 0.9/0.9; lazy row updates for
            W0 unless --dense-w0), warmup over 5% of the steps, linear decay to
            0 over the last 10%. Teacher and student dimensions may differ.

            --holdout H keeps the last H of the N documents out of training and
            reports the held-out loss and the Spearman correlation between
            student and teacher cosines, before and after training.
            --dtype (W0: f32, f16, or int8 with one f32 scale per row) and
            --layer-dtype (dense layers: f32 or f16) choose how the model is
            stored; W0 is most of the file (features x dims[0]). With --holdout
            the written file is reloaded and scored too: its held-out Spearman
            and the cosine of its embeddings to the f32 network's (the loss to
            quantisation).
            --checkpoint PATH saves weights and optimiser state every
            --checkpoint-every steps and at the end; --resume PATH continues
            such a run exactly (same data; settings come from the checkpoint).

            Examples:
              lexel ngrams paragraphs.jsonl.zst --top 500000 --output ngrams.tsv
              lexel distill paragraphs.jsonl.zst --teacher teacher.npy \\
                  --ngrams ngrams.tsv --output model.lxm
              lexel distill docs.jsonl --teacher t.npy --ngrams ngrams.tsv \\
                  --dims 96,1024,192 -epoch 5 --holdout 2000 \\
                  --checkpoint run.ckpt --output model.lxm
              lexel distill docs.jsonl --teacher t.npy --ngrams ngrams.tsv \\
                  --holdout 2000 --dtype int8 --layer-dtype f16 --output small.lxm
            """)
    @Argument(help: "Documents: one per line, or JSON Lines (see --field); plain or .zst.") var input: String
    @Option(help: "JSON Lines: the string member holding the text (default: text for *.jsonl inputs).") var field: String?
    @Option(help: "Teacher vectors, .npy (N x D, float16 or float32), row i = document i.") var teacher: String
    @Option(help: "N-gram table from `lexel ngrams`: the feature vocabulary.") var ngrams: String
    @Option(help: "IDF weighting: collection (Luxical's) or document.") var idf = "collection"
    @Option(help: "WordPiece vocabulary (vocab.txt).") var vocab = "vocab/bert-base-uncased/vocab.txt"
    @Option(help: "Layer sizes: W0's output, then each dense layer's (default 96,2048,192; Luxical's is 96,3072,3072,192).") var dims: String?
    @Option(name: [.customLong("epoch", withSingleDash: true), .customLong("epoch")], parsing: .unconditional, help: "Passes over the training documents (default 3; on ~50k documents 10-40 keep improving).")
    var epoch: Double?
    @Option(name: [.customLong("lr", withSingleDash: true), .customLong("lr")], parsing: .unconditional, help: "Peak learning rate (default 0.0025).") var lr: Float?
    @Option(parsing: .unconditional, help: "Documents per step (default 256).") var batch: Int?
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "AdamW decoupled weight decay (default 0).") var weightDecay: Float?
    @Option(parsing: .unconditional, help: "Softmax temperature of the Gram-KL loss (default 3, Luxical's; lower values weigh the nearest neighbours more).")
    var temperature: Float?
    @Flag(name: .customLong("dense-w0"), help: "Dense AdamW on all of W0 every step instead of lazy row updates.")
    var denseW0 = false
    @Option(help: "Seed of the initial weights and the batch order.") var seed: UInt64?
    @Option(name: [.customLong("thread", withSingleDash: true), .customLong("thread")], parsing: .unconditional, help: "Threads (default: all online CPUs).")
    var thread = Int(max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    @Option(parsing: .unconditional, help: "Held-out documents (the last H of the teacher's rows), evaluated before and after.") var holdout = 0
    @Option(help: "Checkpoint file.") var checkpoint: String?
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Steps between checkpoints.") var checkpointEvery = 200
    @Option(help: "Resume from this checkpoint (and keep checkpointing there unless --checkpoint says otherwise).")
    var resume: String?
    @Option(help: "Storage of W0 (the n-gram rows, most of the file) in the model: f32, f16 or int8 (one scale per row).")
    var dtype = "f32"
    @Option(name: .customLong("layer-dtype"), help: "Storage of the dense layers in the model: f32 or f16.")
    var layerDtype = "f32"
    @Option(help: "The trained model (.lxm), written atomically.") var output: String
    @Flag(help: "No progress line.") var quiet = false

    func run() throws {
        try reportingErrors {
            guard thread >= 1, thread <= 1024 else { throw LexelError("-thread must be 1...1024 (got \(thread))") }
            guard holdout >= 0 else { throw LexelError("--holdout must be >= 0 (got \(holdout))") }
            guard checkpointEvery >= 1 else { throw LexelError("--checkpoint-every must be >= 1 (got \(checkpointEvery))") }
            guard let idfKind = IDFKind(rawValue: idf) else { throw LexelError("--idf must be collection or document (got \(idf))") }
            guard let w0Type = VectorFileFormat.DType(rawValue: dtype) else { throw LexelError("--dtype must be f32, f16 or int8 (got \(dtype))") }
            guard let layerType = VectorFileFormat.DType(rawValue: layerDtype), layerType != .int8 else {
                throw LexelError("--layer-dtype must be f32 or f16 (got \(layerDtype))")
            }
            let start = monotonicSeconds()
            if resume == nil { _ = try options() }  // bad flags fail before the inputs are read

            // Teacher first: it fixes the number of documents.
            let t = try Numpy.readMatrix(path: teacher)
            guard t.rows >= 2, t.cols >= 1 else { throw LexelError(file: teacher, "need a 2-D array with rows >= 2 (got \(t.rows) x \(t.cols))") }
            if let bad = t.values.firstIndex(where: { !$0.isFinite }) {
                throw LexelError(file: teacher, "row \(bad / t.cols), column \(bad % t.cols) is \(t.values[bad]) (teacher vectors must be finite)")
            }
            guard holdout <= t.rows - 2 else {
                throw LexelError("--holdout \(holdout) leaves fewer than 2 of the teacher's \(t.rows) rows for training")
            }
            let table = try NgramTable.read(path: ngrams)
            let vocabulary = try table.vocabulary(idf: idfKind)
            let tokenizer = try CountNgrams.tokenizer(vocab)

            let distiller = try makeDistiller(inputDim: vocabulary.count)
            guard distiller.options.batchSize <= t.rows - holdout else {
                throw LexelError("--batch \(distiller.options.batchSize) is larger than the \(t.rows - holdout) training documents")
            }
            let featurizer = try LexicalModel(tokenizer: tokenizer, vocabulary: vocabulary, network: try distiller.network())
            let features = try Distill.readFeatures(input: input, field: field, count: t.rows, model: featurizer,
                                                    threads: thread, quiet: quiet)
            let empty = features.reduce(0) { $0 + ($1.indices.isEmpty ? 1 : 0) }
            if empty * 2 > features.count {
                log("warning: \(empty) of \(features.count) documents have no n-gram of the table: was \(ngrams) counted with "
                    + "this --vocab and n-gram range?")
            }
            let trainCount = t.rows - holdout
            let trainFeatures = Array(features[0..<trainCount]), heldOut = Array(features[trainCount...])
            log("\(t.rows) documents (\(trainCount) training, \(holdout) held out), teacher dim \(t.cols), \(vocabulary.count) "
                + "n-gram features, dims \(distiller.options.dims); \(formatFixed(monotonicSeconds() - start, 1)) s to read")

            var before: DistillEvaluation?
            if holdout >= 2 {
                before = try t.values.withUnsafeBufferPointer {
                    try distiller.evaluate(features: heldOut, teacher: $0.baseAddress! + trainCount * t.cols, teacherDim: t.cols)
                }
            }
            let ckpt = (checkpoint ?? resume).map { (path: $0, every: checkpointEvery) }
            let trainStart = monotonicSeconds()
            var lastDraw = 0.0, lastProgress: DistillProgress?
            try t.values.withUnsafeBufferPointer { tp in
                try distiller.train(features: trainFeatures, teacher: tp.baseAddress!, teacherDim: t.cols, checkpoint: ckpt) { p in
                    lastProgress = p
                    let now = monotonicSeconds()
                    if !quiet && (now - lastDraw > 0.5 || p.step == p.totalSteps) {
                        lastDraw = now
                        writeStderr(Distill.progressLine(p, elapsed: now - trainStart))
                    }
                }
            }
            if !quiet && lastProgress != nil { writeStderr("\n") }
            var info = ["source": "lexel distill", "teacher": teacher, "ngrams": ngrams, "documents": "\(trainCount)",
                        "steps": "\(distiller.step)", "epochs": "\(distiller.options.epochs)", "batch": "\(distiller.options.batchSize)",
                        "lr": "\(distiller.options.learningRate)", "temperature": "\(distiller.options.temperature)", "weight-decay": "\(distiller.options.adam.weightDecay)",
                        "idf": idf, "seed": "\(distiller.options.seed)", "holdout": "\(holdout)"]
            if let before {
                let after = try t.values.withUnsafeBufferPointer {
                    try distiller.evaluate(features: heldOut, teacher: $0.baseAddress! + trainCount * t.cols, teacherDim: t.cols)
                }
                log("held-out (\(holdout) docs, \(after.pairs) pairs): loss \(formatFixed(before.loss, 5)) -> \(formatFixed(after.loss, 5)), "
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
            try model.write(path: output, dtype: w0Type, layerType: layerType)
            log("wrote \(output) (W0 \(dtype), layers \(layerDtype)) in \(formatDuration(monotonicSeconds() - start)) total")
            if holdout >= 2 {
                let r = try t.values.withUnsafeBufferPointer {
                    try Distill.checkSaved(path: output, features: heldOut, reference: distiller.embed(heldOut),
                                           teacher: $0.baseAddress! + trainCount * t.cols, teacherDim: t.cols)
                }
                log("saved file, held-out: Spearman \(formatFixed(r.spearman, 4)); cosine to the f32 network: mean "
                    + "\(formatFixed(r.cosine.mean, 6)), min \(formatFixed(r.cosine.min, 6))")
            }
        }
    }

    func log(_ s: String) { writeStderr(s + "\n") }

    /// A fresh run from the flags, or the checkpoint's run (hyper-parameter flags must then agree with it).
    func makeDistiller(inputDim: Int) throws -> Distiller {
        let o = try options()
        guard let resume else { return try Distiller(inputDim: inputDim, options: o) }
        return try resumed(resume, options: o, inputDim: inputDim)
    }

    /// The run's hyper-parameters from the flags, validated.
    func options() throws -> DistillOptions {
        var o = DistillOptions()
        if let dims {
            let parsed = dims.split(separator: ",", omittingEmptySubsequences: false).map { Int(String($0.filter { $0 != " " })) }
            guard parsed.count >= 2, parsed.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw LexelError("--dims must be at least two positive sizes separated by commas (got \(dims))")
            }
            o.dims = parsed.map { $0! }
        }
        if let epoch { o.epochs = epoch }
        if let lr { o.learningRate = lr }
        if let batch { o.batchSize = batch }
        if let weightDecay { o.adam.weightDecay = weightDecay }
        if let temperature { o.temperature = temperature }
        if let seed { o.seed = seed }
        o.lazyW0 = !denseW0
        o.threads = thread
        try o.validate()
        return o
    }

    /// The checkpoint's run; hyper-parameter flags given must agree with it.
    func resumed(_ resume: String, options o: DistillOptions, inputDim: Int) throws -> Distiller {
        let d = try Distiller(checkpoint: resume, threads: thread)
        let c = d.options
        var conflicts: [String] = []
        if dims != nil && c.dims != o.dims { conflicts.append("--dims (checkpoint: \(c.dims.map(String.init).joined(separator: ",")))") }
        if epoch != nil && c.epochs != o.epochs { conflicts.append("-epoch (checkpoint: \(c.epochs))") }
        if lr != nil && c.learningRate != o.learningRate { conflicts.append("-lr (checkpoint: \(c.learningRate))") }
        if batch != nil && c.batchSize != o.batchSize { conflicts.append("--batch (checkpoint: \(c.batchSize))") }
        if weightDecay != nil && c.adam.weightDecay != o.adam.weightDecay { conflicts.append("--weight-decay (checkpoint: \(c.adam.weightDecay))") }
        if temperature != nil && c.temperature != o.temperature { conflicts.append("--temperature (checkpoint: \(c.temperature))") }
        if seed != nil && c.seed != o.seed { conflicts.append("--seed (checkpoint: \(c.seed))") }
        if denseW0 && c.lazyW0 { conflicts.append("--dense-w0 (the checkpoint's run uses lazy W0 updates)") }
        guard conflicts.isEmpty else {
            throw LexelError(file: resume, "resuming keeps the checkpoint's settings; these flags differ: \(conflicts.joined(separator: ", "))")
        }
        guard d.inputDim == inputDim else {
            throw LexelError(file: resume, "the checkpoint's network takes \(d.inputDim) features, the n-gram table has \(inputDim)")
        }
        log("resuming at step \(d.step) of \(d.totalSteps(documents: d.documentCount))")
        return d
    }

    static func progressLine(_ p: DistillProgress, elapsed: Double) -> String {
        let f = p.fraction, filled = Int(f * 20)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled)
        let rate = p.documentsPerSecond
        let eta = rate > 0 && f < 1 ? elapsed * (1 - f) / max(f, 1e-9) : 0
        return "\rProgress: [\(bar)] \(formatFixed(f * 100, 1))%  step \(p.step)/\(p.totalSteps)  loss \(formatFixed(p.loss, 5)) "
            + "(avg \(formatFixed(p.smoothedLoss, 5)))  lr \(formatFixed(Double(p.learningRate), 5))  docs/s \(Int(rate))  "
            + "ETA \(formatDuration(eta)) "
    }
}

private struct StopReading: Error {}

extension Distill {
    /// Reloads the written model and embeds `features` with it (W0 and layers as stored): the Spearman correlation
    /// of its pair cosines with the teacher's, and the row cosines to `reference` (the f32 network's embeddings).
    static func checkSaved(path: String, features: [SparseVector], reference: [Float], teacher: UnsafePointer<Float>,
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
        var z = [Float](UnsafeBufferPointer(start: teacher, count: n * teacherDim))
        z.withUnsafeMutableBufferPointer { p in for k in 0..<n { Kernels.normalize(p.baseAddress! + k * teacherDim, teacherDim) } }
        let rho = y.withUnsafeBufferPointer { yp in
            z.withUnsafeBufferPointer { pairSpearman(yp.baseAddress!, dim: dim, $0.baseAddress!, dim: teacherDim, count: n).spearman }
        }
        let cos = y.withUnsafeBufferPointer { yp in reference.withUnsafeBufferPointer { rowCosines(yp.baseAddress!, $0.baseAddress!, dim: dim, count: n) } }
        return (rho, cos)
    }
}

extension Distill {
    /// The TF-IDF features of the first `count` documents of `input` (tokenised on `threads` threads).
    static func readFeatures(input: String, field: String?, count: Int, model: LexicalModel, threads: Int,
                             quiet: Bool) throws -> [SparseVector] {
        let jsonl = [".jsonl", ".jsonl.zst", ".ndjson", ".ndjson.zst"].contains { input.hasSuffix($0) }
        let reader = try DocumentReader(path: input, field: field ?? (jsonl ? "text" : nil))
        var bytes: [UInt8] = [], ends: [Int] = []
        ends.reserveCapacity(count)
        do {
            try reader.forEach { text, index in
                if index >= count { throw StopReading() }
                bytes.append(contentsOf: text)
                ends.append(bytes.count)
            }
        } catch is StopReading {}
        guard ends.count == count else {
            throw LexelError(file: input, "has \(ends.count) documents but the teacher has \(count) rows: rows must align "
                             + "(row i = document i)")
        }
        if !quiet { writeStderr("Read \(count) documents; computing features...\r") }
        var features = [SparseVector](repeating: SparseVector(), count: count)
        features.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { text in
                ends.withUnsafeBufferPointer { e in
                    let (o, tx, en) = (DistillShared(out), DistillShared(text), DistillShared(e))
                    let workspaces = (0..<threads).map { _ in LexicalModel.Workspace(model: model, batch: 1) }
                    let ws = DistillShared(workspaces)
                    DistillRun.parallel(count, threads: threads) { t, range in
                        for i in range {
                            let lo = i == 0 ? 0 : en.value[i - 1]
                            let doc = UnsafeBufferPointer(rebasing: tx.value[lo..<en.value[i]])
                            model.features(doc, ws.value[t], into: &o.value[i])
                        }
                    }
                }
            }
        }
        return features
    }
}

/// Sendable wrapper for buffers the command's worker threads share (disjoint writes).
struct DistillShared<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

enum DistillRun {
    /// `body(thread, range)` on `threads` contiguous slices of `0..<count`, in parallel.
    static func parallel(_ count: Int, threads: Int, _ body: @escaping @Sendable (Int, Range<Int>) -> Void) {
        let t = max(1, min(threads, count))
        runOnThreads(t) { i in body(i, count * i / t..<count * (i + 1) / t) }
    }
}
