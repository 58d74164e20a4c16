import ArgumentParser
import LexelKit

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
    @OptionGroup var documents: DocumentOptions
    @Option(help: "Teacher vectors, .npy (N x D, float16 or float32), row i = document i.") var teacher: String
    @Option(help: "N-gram table from `lexel ngrams`: the feature vocabulary.") var ngrams: String
    @Option(help: "IDF weighting: collection (Luxical's) or document.") var idf = IDFKind.collection
    @Option(help: "WordPiece vocabulary (vocab.txt).") var vocab = DefaultFiles.vocabularyPath
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
    @Option(name: [.customLong("threads"), .customLong("thread", withSingleDash: true), .customLong("thread")],
            parsing: .unconditional, help: "Worker threads (default: all online CPUs; -thread and --thread are accepted too).")
    var threads: Int = onlineCPUs
    @Option(parsing: .unconditional, help: "Held-out documents (the last H of the teacher's rows), evaluated before and after.") var holdout = 0
    @Option(help: "Checkpoint file.") var checkpoint: String?
    @Option(name: .customLong("checkpoint-every"), parsing: .unconditional, help: "Steps between checkpoints.") var checkpointEvery = 200
    @Option(help: "Resume from this checkpoint (and keep checkpointing there unless --checkpoint says otherwise).")
    var resume: String?
    @Option(help: "Storage of W0 (the n-gram rows, most of the file) in the model: f32, f16 or int8 (one scale per row).")
    var dtype = RowType.f32
    @Option(name: .customLong("layer-dtype"), help: "Storage of the dense layers in the model: f32 or f16.")
    var layerDtype = RowType.f32
    @Option(help: "The trained model (.lxm), written atomically.") var output: String
    @Flag(help: "No progress line.") var quiet = false

    func request() throws -> DistillRequest {
        var r = DistillRequest(input: try documents.input(input), teacher: teacher, ngrams: ngrams, output: output)
        if let dims {
            let parsed = dims.split(separator: ",", omittingEmptySubsequences: false).map { Int(String($0.filter { $0 != " " })) }
            guard parsed.count >= 2, parsed.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw LexelError("--dims must be at least two positive sizes separated by commas (got \(dims))")
            }
            r.dims = parsed.map { $0! }
        }
        (r.idf, r.vocabulary, r.epochs, r.learningRate, r.batchSize) = (idf, vocab, epoch, lr, batch)
        (r.weightDecay, r.temperature, r.seed, r.denseW0, r.threads) = (weightDecay, temperature, seed, denseW0, threads)
        (r.holdout, r.checkpoint, r.checkpointEvery, r.resume) = (holdout, checkpoint, checkpointEvery, resume)
        (r.dtype, r.layerType) = (dtype, layerDtype)
        return r
    }

    // No validate(): -epoch holds an 'h', which ArgumentParser takes for a help request when validation fails;
    // DistillJob checks every flag before reading any input.

    func run() throws {
        try reportingErrors {
            var shown = false, lastDraw = -1.0
            try DistillJob.run(try request(), log: { writeStderr($0 + "\n") }) { p, elapsed in
                guard !quiet, elapsed - lastDraw >= 0.5 || p.step == p.totalSteps else { return }
                (lastDraw, shown) = (elapsed, true)
                writeStderr(Distill.progressLine(p, elapsed: elapsed))
            }
            _ = shown
        }
    }

    static func progressLine(_ p: DistillProgress, elapsed: Double) -> String {
        let rate = p.documentsPerSecond
        let eta = rate > 0 && p.fraction < 1 ? elapsed * (1 - p.fraction) / max(p.fraction, 1e-9) : 0
        return "\rProgress: \(ProgressDisplay.bar(p.fraction))  step \(p.step)/\(p.totalSteps)  loss \(formatFixed(p.loss, 5)) "
            + "(avg \(formatFixed(p.smoothedLoss, 5)))  lr \(formatFixed(Double(p.learningRate), 5))  docs/s \(Int(rate))  "
            + "ETA \(formatDuration(eta))" + (p.step == p.totalSteps ? "\n" : " ")
    }
}
