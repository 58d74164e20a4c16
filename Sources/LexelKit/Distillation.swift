import LexelCore
import LexelIO
import LexelKernels
import LexelLexical
import LexelText

/// The `distill` use case: reads the teacher, the n-gram table and the documents, trains a lexical-dense model
/// (fresh, or resumed from a checkpoint), evaluates it on held-out documents and writes it.
public struct DistillRequest {
    public var input: DocumentInput
    public var teacher: String
    public var ngrams: String
    public var idf = IDFKind.collection
    public var vocabulary = DefaultFiles.vocabularyPath
    /// Hyper-parameters given on the command line (nil: the default, or the checkpoint's when resuming).
    public var dims: [Int]?, epochs: Double?, learningRate: Float?, batchSize: Int?, weightDecay: Float?
    public var temperature: Float?, seed: UInt64?
    public var denseW0 = false
    public var threads = onlineCPUs
    public var holdout = 0
    public var checkpoint: String?
    public var checkpointEvery = 200
    public var resume: String?
    public var dtype = RowType.f32
    public var layerType = RowType.f32
    public var output: String

    public init(input: DocumentInput, teacher: String, ngrams: String, output: String) {
        (self.input, self.teacher, self.ngrams, self.output) = (input, teacher, ngrams, output)
    }

    /// The run's hyper-parameters, validated (also called before any input is read, so bad flags fail at once).
    public func options() throws -> DistillOptions {
        guard (1...1024).contains(threads) else { throw LexelError("--threads must be 1...1024 (got \(threads))") }
        var o = DistillOptions()
        if let dims { o.dims = dims }
        if let epochs { o.epochs = epochs }
        if let learningRate { o.learningRate = learningRate }
        if let batchSize { o.batchSize = batchSize }
        if let weightDecay { o.adam.weightDecay = weightDecay }
        if let temperature { o.temperature = temperature }
        if let seed { o.seed = seed }
        o.lazyW0 = !denseW0
        o.threads = threads
        try o.validate()
        guard holdout >= 0 else { throw LexelError("--holdout must be >= 0 (got \(holdout))") }
        guard checkpointEvery >= 1 else { throw LexelError("--checkpoint-every must be >= 1 (got \(checkpointEvery))") }
        guard layerType != .int8 else { throw LexelError("--layer-dtype must be f32 or f16 (got int8)") }
        return o
    }

    /// A fresh run from the options, or the checkpoint's run (hyper-parameters given must then agree with it).
    func distiller(inputDim: Int, log: (String) -> Void) throws -> Distiller {
        let o = try options()
        guard let resume else { return try Distiller(inputDim: inputDim, options: o) }
        let d = try Distiller(checkpoint: resume, threads: threads)
        let c = d.options
        var conflicts: [String] = []
        if dims != nil && c.dims != o.dims { conflicts.append("--dims (checkpoint: \(c.dims.map(String.init).joined(separator: ",")))") }
        if epochs != nil && c.epochs != o.epochs { conflicts.append("-epoch (checkpoint: \(c.epochs))") }
        if learningRate != nil && c.learningRate != o.learningRate { conflicts.append("-lr (checkpoint: \(c.learningRate))") }
        if batchSize != nil && c.batchSize != o.batchSize { conflicts.append("--batch (checkpoint: \(c.batchSize))") }
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
}

/// The TF-IDF features of documents, computed on several threads.
public enum DocumentFeatures {
    /// The features of the first `count` documents of `input`; fewer documents than `count` is an error.
    public static func read(_ input: DocumentInput, count: Int, model: LexicalModel, threads: Int) throws -> [SparseVector] {
        struct Enough: Error {}
        var bytes: [UInt8] = [], ends: [Int] = []
        ends.reserveCapacity(count)
        do {
            try input.reader().forEach { text, index in
                if index >= count { throw Enough() }
                bytes.append(contentsOf: text)
                ends.append(bytes.count)
            }
        } catch is Enough {}
        guard ends.count == count else {
            throw LexelError(file: input.path, "has \(ends.count) documents but the teacher has \(count) rows: rows must "
                             + "align (row i = document i)")
        }
        var features = [SparseVector](repeating: SparseVector(), count: count)
        features.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { text in
                ends.withUnsafeBufferPointer { e in
                    let (o, tx, en) = (Unchecked(out), Unchecked(text), Unchecked(e))
                    let ws = Unchecked((0..<max(1, threads)).map { _ in LexicalModel.Workspace(model: model, batch: 1) })
                    parallelFor(count, threads: threads) { t, range in
                        for i in range {
                            let lo = i == 0 ? 0 : en.value[i - 1]
                            model.features(UnsafeBufferPointer(rebasing: tx.value[lo..<en.value[i]]), ws.value[t], into: &o.value[i])
                        }
                    }
                }
            }
        }
        return features
    }
}
