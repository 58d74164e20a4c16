import LexelKit

/// What the routes serve, opened once at start-up: the document model (and its batcher), and optionally a
/// classifier, word vectors and a document collection.
final class ServerState: Sendable {
    let options: ServerOptions
    let model: LexicalModel
    let batcher: EmbeddingBatcher
    let classifier: (any LineClassifier)?
    let vectors: WordQueries?
    nonisolated(unsafe) let collection: DocumentCollection?
    let metrics = ServerMetrics()

    init(_ options: ServerOptions) throws {
        self.options = options
        let model = try ModelFiles.lexicalModel(options.model, for: "serve")
        self.model = model
        batcher = EmbeddingBatcher(model: model, threads: options.threads, maxBatch: options.limits.maxBatch)
        classifier = try options.classifier.map { try ModelFiles.lineClassifier($0, for: "serve") }
        vectors = try options.vectors.map { try WordQueries(path: $0) }
        collection = try options.collection.map {
            try DocumentCollection(try DocumentInput(path: $0), model: model, threads: options.threads)
        }
    }

    var dim: Int { model.outputDim }
}
