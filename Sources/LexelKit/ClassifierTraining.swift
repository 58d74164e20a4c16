import LexelClassifier
import LexelCore
import LexelKernels
import LexelStore
import LexelTraining
import LexelVectors

/// The `supervised` use case: trains a fastText-compatible classifier on a labelled file and writes
/// `PREFIX.bin`, which fastText's `load_model` opens (format 12), checked writable before training starts.
public enum ClassifierTraining {
    /// Word vectors from any file `ModelFiles` opens (`.vec`, Lexel or fastText `.bin`, `.lxv`), for
    /// -pretrainedVectors: only words the file holds (no out-of-vocabulary vectors).
    public static func pretrained(_ path: String) throws -> PretrainedVectors {
        if try ModelFiles.kind(of: path) == .vectorFile {
            let f = try VectorFile(path: path)
            let box = Unchecked(f)
            return PretrainedVectors(dim: f.dim, source: path) { w in
                guard box.value.row(of: w) != nil else { return nil }
                return try? box.value.vector(for: w)
            }
        }
        let v = try ModelFiles.wordVectors(path, for: "supervised -pretrainedVectors")
        let box = Unchecked(v)
        return PretrainedVectors(dim: v.dim, source: path) { w in
            guard let i = box.value.vocabulary.id(of: w) else { return nil }
            var out = [Float](repeating: 0, count: box.value.dim)
            out.withUnsafeMutableBufferPointer { box.value.wordVector(i, into: $0.baseAddress!) }
            return out
        }
    }

    @discardableResult
    public static func run(input: String, outputPrefix: String, arguments: SupervisedArguments,
                           events: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws -> Classifier {
        try arguments.validate()
        let out = try WordVectorTraining.outputs(prefix: outputPrefix).bin
        try OutputPath.checkWritable(out)
        let t = try SupervisedTrainer.train(path: input, arguments: arguments, events: events)
        let model = try Classifier(dictionary: t.dictionary,
                                   input: .dense(RowMatrix(t.input)), output: .dense(RowMatrix(t.output)))
        try FastTextClassifierWriter.write(model, to: out)
        return model
    }
}
