import LexelCore
import LexelTraining
import LexelVectors
#if canImport(Glibc)
import Glibc
#endif

/// The `skipgram` / `cbow` use case: trains word vectors on a corpus and writes `PREFIX.bin` (the model, with
/// subword rows) and `PREFIX.vec` (text vectors) together: both are replaced, or neither. The output paths are
/// checked before training starts, not after hours of it.
public enum WordVectorTraining {
    /// The two outputs of a prefix.
    public static func outputs(prefix: String) throws -> (bin: String, vec: String) {
        guard !prefix.isEmpty else { throw LexelError("-output needs a prefix (PREFIX.bin and PREFIX.vec are written)") }
        var st = stat()
        if prefix.hasSuffix("/") || (stat(prefix, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR) {
            throw LexelError(file: prefix, "-output is a prefix, not a folder: give e.g. \(prefix.hasSuffix("/") ? prefix : prefix + "/")model "
                             + "to write model.bin and model.vec there")
        }
        return (prefix + ".bin", prefix + ".vec")
    }

    /// Trains on `input` and writes both outputs; returns what was trained.
    @discardableResult
    public static func run(input: String, outputPrefix: String, arguments: TrainingArguments,
                           events: @escaping @Sendable (TrainingEvent) -> Void = { _ in }) throws -> WordVectors {
        try arguments.validate()
        let out = try outputs(prefix: outputPrefix)
        try OutputPath.checkWritable(out.bin)
        try OutputPath.checkWritable(out.vec)
        let trained = try Trainer.train(path: input, arguments: arguments, events: events)
        let vectors = WordVectors(
            vocabulary: trained.vocabulary, rows: UnsafePointer(trained.input.pointer), rowCount: trained.input.rows,
            dim: arguments.dim, minn: arguments.minn, maxn: arguments.maxn, bucket: arguments.effectiveBucket,
            usedBuckets: UnsafeBufferPointer(start: trained.subwords.usedBuckets.base, count: trained.subwords.usedBuckets.count),
            metadata: arguments.asPairs + [("input", input)], owners: [trained.input, trained.subwords])
        try CommitGroup().run {
            try ModelFile.write(path: out.bin, vectors: vectors)
            try TextVectors.write(vectors, path: out.vec)
        }
        return vectors
    }
}
