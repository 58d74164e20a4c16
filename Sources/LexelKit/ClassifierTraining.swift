import LexelClassifier
import LexelCore
import LexelKernels
import LexelTraining

/// The `supervised` use case: trains a fastText-compatible classifier on a labelled file and writes
/// `PREFIX.bin`, which fastText's `load_model` opens (format 12), checked writable before training starts.
public enum ClassifierTraining {
    @discardableResult
    public static func run(input: String, outputPrefix: String, arguments: SupervisedArguments,
                           events: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws -> Classifier {
        try arguments.validate()
        let out = try WordVectorTraining.outputs(prefix: outputPrefix).bin
        try OutputPath.checkWritable(out)
        let t = try SupervisedTrainer.train(path: input, arguments: arguments, events: events)
        let dim = t.input.cols
        let model = try Classifier(dictionary: t.dictionary,
                                   input: .dense(RowMatrix(base: UnsafePointer(t.input.pointer), rows: t.input.rows, cols: dim, owner: t.input)),
                                   output: .dense(RowMatrix(base: UnsafePointer(t.output.pointer), rows: t.output.rows, cols: dim, owner: t.output)))
        try FastTextClassifierWriter.write(model, to: out)
        return model
    }
}
