import LexelClassifier
import LexelCore
import LexelKernels
import LexelTraining

/// The `quantize` use case (fastText's `quantize`): reads `PREFIX.bin`, keeps the `cutoff` input rows of largest
/// norm (pruning the dictionary), optionally trains them further on the training file, product-quantises the
/// matrices and writes `PREFIX.ftz`, which fastText's `load_model` opens.
public enum ClassifierQuantization {
    public struct Options: Sendable {
        /// Input rows to keep (words and hash buckets of largest norm); 0 keeps all.
        public var cutoff = 0
        /// Train the kept rows further on `input` after the cutoff (only with a cutoff, as fastText).
        public var retrain = false
        /// The training file, for `retrain`.
        public var input: String?
        /// Store each row's norm apart from its direction.
        public var qnorm = false
        /// Quantise the output matrix too (needs at least 256 labels).
        public var qout = false
        /// Values per quantiser part.
        public var dsub = 2
        /// Retraining: epochs, learning rate, threads (fastText's `quantize` defaults: 5, 0.05).
        public var epoch: Int32 = 5
        public var lr = 0.05
        public var threads = onlineCPUs
        public var seed: UInt64 = 0
        public init() {}
    }

    /// What quantisation did: the model written and its sizes.
    public struct Result {
        public let model: Classifier
        public let keptRows: Int
        public let originalRows: Int
        public let output: String
        public let bytes: Int64
    }

    public static func run(prefix: String, options o: Options,
                           events: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws -> Result {
        let source = prefix + ".bin", out = prefix + ".ftz"
        guard o.cutoff >= 0 else { throw LexelError("-cutoff: must be >= 0 (got \(o.cutoff))") }
        guard (1...1000).contains(o.dsub) else { throw LexelError("-dsub: must be between 1 and 1000 (got \(o.dsub))") }
        if o.retrain && o.cutoff > 0 && o.input == nil { throw LexelError("-retrain needs -input, the training file") }
        try OutputPath.checkWritable(out)
        let model = try ModelFiles.classifier(source, for: "quantize")
        let (input, output) = try ClassifierCompression.denseMatrices(model, path: source)
        var dictionary = model.dictionary, rows = input, outputRows = output
        if o.cutoff > 0 && o.cutoff < input.rows {
            let pruned = try ClassifierCompression.prune(model, input: input, cutoff: o.cutoff)
            dictionary = pruned.dictionary
            rows = RowMatrix(pruned.input)
            if o.retrain, let file = o.input {
                var a = SupervisedArguments()
                a.model = dictionary.args
                a.model.epoch = o.epoch
                (a.lr, a.threads, a.seed) = (o.lr, o.threads, o.seed)
                let trainedOutput = Matrix(rows: output.rows, cols: output.cols)
                trainedOutput.pointer.update(from: output.base, count: output.rows * output.cols)
                let t = try SupervisedTrainer.retrain(path: file, dictionary: dictionary, input: pruned.input, output: trainedOutput,
                                                      arguments: a, events: events)
                (rows, outputRows) = (RowMatrix(t.input), RowMatrix(t.output))
            }
        }
        let q = try ClassifierCompression.quantize(dictionary: dictionary, input: rows, output: outputRows, dsub: o.dsub,
                                                   normsApart: o.qnorm, quantizeOutput: o.qout, seed: o.seed, threads: o.threads)
        let bytes = try FastTextClassifierWriter.write(q, to: out)
        return Result(model: q, keptRows: rows.rows, originalRows: input.rows, output: out, bytes: bytes)
    }
}
