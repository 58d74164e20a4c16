import ArgumentParser
import LexelKit

/// `lexel distill-static`: a static model (one vector per WordPiece token, summed) distilled from a teacher.
struct DistillStatic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill-static",
        abstract: "Distil a teacher into a static model: one trained vector per WordPiece token (and per frequent n-gram), no dense layers.",
        discussion: """
            A text's vector is the normalised sum of its tokens' rows: no
            network, so it embeds several times faster than a lexical-dense
            model. The rows start as the teacher's vector of each token on its
            own (--token-vectors: `tools/teacher.py --tokens` writes them; row t
            = token id t of --vocab), centred and weighted by SIF, a / (a +
            p(token)), p from the training documents (model2vec's idea). They
            are then trained so that each document's vector points along its
            teacher vector (--teacher: row i = document i of INPUT): loss 1 -
            cosine, Adam (0.9, 0.999) on the rows a batch touches, warmup over
            5% of the steps, linear decay over the last 10%.

            --holdout H keeps the last H documents out of training and reports
            the Spearman correlation between student and teacher pair cosines
            before and after, and for the written file (--dtype int8 by default:
            one byte per value and one scale per row).

            --sketch-dims K appends K exact-match dimensions: each token's
            sublinear TF-IDF, added with a hashed sign into one of K buckets,
            normalised on its own and weighted so that it gives --sketch-weight
            of every cosine. Names, numbers and rare words keep coordinates of
            their own, as in TF-IDF; the output has D + K values.
            --sketch-short-weight A gives short texts more of it: a text of n
            tokens gets --sketch-weight + A exp(-n / --sketch-short-length),
            since a few tokens' rows say less than their exact words (titles
            and short queries find their documents more often).

            --ngrams TABLE adds a row for each n-gram of TABLE (count them on
            the training documents with `lexel ngrams --minn 2 --maxn 2`) found
            in at least --ngram-min-df documents. These rows start at zero and
            learn what the bigram means beyond its tokens ("new york", "how
            many"), so word order starts to count; the sketch stays on tokens.

            Example:
              tools/.venv/bin/python tools/teacher.py --tokens vocab/bert-base-uncased/vocab.txt tokens.npy
              lexel distill-static paragraphs.jsonl.zst --field text --teacher teacher.npy \\
                  --token-vectors tokens.npy --holdout 2000 -epoch 10 --output static.lxm
            """)
    @Argument(help: "Documents: one per line, or JSON Lines (see --field); plain or .zst.") var input: String
    @OptionGroup var documents: DocumentOptions
    @Option(help: "Teacher vectors of the documents, .npy (N x D, float16 or float32), row i = document i.") var teacher: String
    @Option(name: .customLong("token-vectors"), help: "The teacher's vector of each vocabulary token alone, .npy (V x D).") var tokenVectors: String
    @Option(help: "WordPiece vocabulary (vocab.txt).") var vocab = DefaultFiles.vocabularyPath
    @Option(parsing: .unconditional, help: "Output dimension (default: the teacher's). Smaller: teacher and token vectors are projected on the teacher's top principal axes.") var dims: Int?
    @Option(parsing: .unconditional, help: "SIF constant a of the initial weights a / (a + p) (default 0.001).") var sif = 1e-3
    @Option(name: [.customLong("epoch", withSingleDash: true), .customLong("epoch")], parsing: .unconditional, help: "Passes over the training documents (default 10).")
    var epoch = 10
    @Option(name: [.customLong("lr", withSingleDash: true), .customLong("lr")], parsing: .unconditional, help: "Peak learning rate (default 0.001).") var lr: Float = 0.001
    @Option(parsing: .unconditional, help: "Documents per step (default 256).") var batch = 256
    @Option(parsing: .unconditional, help: "Pull of each trained row toward its initial value (a token's vector; zero for an n-gram), per step: w -= lr * anchor * (w - w0) (default 0).") var anchor: Float = 0
    @Option(name: .customLong("gram-kl"), parsing: .unconditional, help: "Weight of a second loss term: Luxical's Gram-KL between the batch's student and teacher similarities, so that neighbours follow the teacher too (default 0: the cosine loss alone).") var gramKL: Float = 0
    @Option(name: .customLong("gram-temperature"), parsing: .unconditional, help: "Softmax temperature of the Gram-KL term (default 3; lower values weigh the nearest neighbours more).") var gramTemperature: Float = 3
    @Option(help: "Seed of the batch order.") var seed: UInt64 = 0
    @Option(name: [.customLong("threads"), .customLong("thread", withSingleDash: true), .customLong("thread")],
            parsing: .unconditional, help: "Worker threads (default: all online CPUs).")
    var threads: Int = onlineCPUs
    @Option(name: .customLong("sketch-dims"), parsing: .unconditional, help: "Exact-match dimensions appended after the trained ones: a signed hash of each token's sublinear TF-IDF (IDF from the training documents), normalised on its own (default 0: none).") var sketchDims = 0
    @Option(name: .customLong("sketch-weight"), parsing: .unconditional, help: "The sketch's share of every cosine, between 0 and 1 (default 0.3).") var sketchWeight: Float = 0.3
    @Option(name: .customLong("sketch-short-weight"), parsing: .unconditional, help: "What short texts add to the sketch's share: A exp(-tokens / L) (default 0: the same share for every text).") var sketchShortWeight: Float = 0
    @Option(name: .customLong("sketch-short-length"), parsing: .unconditional, help: "L, in tokens, of --sketch-short-weight (default 20).") var sketchShortLength: Float = 20
    @Option(help: "N-gram table (`lexel ngrams --minn 2 --maxn 2`): its n-grams get rows of their own after the tokens' rows, starting at zero.") var ngrams: String?
    @Option(name: .customLong("ngram-min-df"), parsing: .unconditional, help: "With --ngrams: only the table's n-grams found in at least this many documents (default 20).") var ngramMinDF: Int64?
    @Option(parsing: .unconditional, help: "Held-out documents (the last H of the teacher's rows), scored before and after.") var holdout = 0
    @Option(help: "Storage of the rows: f32, f16 or int8 (one scale per row).") var dtype = RowType.int8
    @Option(help: "The model (.lxm), written atomically.") var output: String
    @Flag(help: "No progress line.") var quiet = false

    func run() throws {
        try reportingErrors {
            var r = StaticDistillRequest(input: try documents.input(input), teacher: teacher, tokenVectors: tokenVectors, output: output)
            (r.vocabulary, r.sif, r.holdout, r.dtype, r.dims) = (vocab, sif, holdout, dtype, dims)
            (r.options.epochs, r.options.learningRate, r.options.batchSize, r.options.seed, r.options.threads) = (epoch, lr, batch, seed, threads)
            (r.options.anchor, r.sketchDims, r.sketchWeight) = (anchor, sketchDims, sketchWeight)
            (r.sketchShortWeight, r.sketchShortLength) = (sketchShortWeight, sketchShortLength)
            (r.options.gramWeight, r.options.gramTemperature) = (gramKL, gramTemperature)
            if ngramMinDF != nil && ngrams == nil { throw LexelError("--ngram-min-df needs --ngrams TABLE") }
            (r.ngrams, r.ngramMinDF) = (ngrams, ngramMinDF ?? r.ngramMinDF)
            let start = monotonicSeconds()
            var lastDraw = -1.0, smoothed = 0.0
            try StaticDistillJob.run(r, log: { writeStderr($0 + "\n") }) { step, total, loss in
                smoothed = step == 1 ? loss : 0.98 * smoothed + 0.02 * loss
                let elapsed = monotonicSeconds() - start
                guard !quiet, elapsed - lastDraw >= 0.5 || step == total else { return }
                lastDraw = elapsed
                let f = Double(step) / Double(max(1, total))
                let eta = f > 0 && f < 1 ? elapsed * (1 - f) / f : 0
                writeStderr("\rProgress: \(ProgressDisplay.bar(f))  step \(step)/\(total)  loss \(formatFixed(smoothed, 5))  ETA \(formatDuration(eta))"
                            + (step == total ? "\n" : " "))
            }
        }
    }
}
