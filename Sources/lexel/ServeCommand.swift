import ArgumentParser
import Foundation
import LexelKit
import LexelServer

/// `lexel serve`: the HTTP server.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve embeddings, classification and similarity over HTTP (OpenAI's and TEI's request shapes).",
        discussion: """
            Routes:
              POST /v1/embeddings  OpenAI: {"input": "text" | ["text", ...], "encoding_format": "float" | "base64"}
                                   -> {"object": "list", "data": [{"embedding": [...], "index": 0}], "usage": ...}
              POST /embed          TEI: {"inputs": "text" | ["text", ...]} -> [[...], ...]
              POST /classify       {"inputs": ..., "k": 1, "threshold": 0} -> [{"label", "score"}] per text (--classifier)
              POST /similar        {"input": "text", "k": 10} -> nearest documents of --collection;
                                   {"word": "king"} or {"positive": [...], "negative": [...]} -> nearest words of --vectors
              GET  /health, /info, /metrics (Prometheus)
            Requests from many clients are embedded together in batches, on all --threads. Limits answer with a JSON
            error: more than --max-inputs texts (422), a body over --max-body-mb (413), more than --max-concurrent
            requests at once (429), an empty input (400), JSON of the wrong shape (422) or not JSON at all (400).
            Safe by default: listens on 127.0.0.1 unless --host says otherwise; with --api-key (or $LEXEL_API_KEY),
            every route but /health needs `Authorization: Bearer KEY` (401 otherwise). Models are chosen here, at
            start-up: requests never name a file. SIGTERM or SIGINT: stops accepting connections, answers the requests
            in flight, then exits. One log line per request on standard error.
            Examples:
              lexel serve --port 8080
              curl -s localhost:8080/v1/embeddings -H 'Content-Type: application/json' -d '{"input": ["hello"]}'
              lexel serve --classifier quality.bin --vectors words.lxv --collection docs.jsonl --host 0.0.0.0 --api-key $KEY
            """)
    @Option(help: "Document model (.lxm or Luxical .npz); default: the shipped model.") var model: String?
    @Option(help: "Classifier for /classify: a fastText .bin/.ftz or an .lxm with a head.") var classifier: String?
    @Option(help: "Word vectors for /similar words: .lxv, fastText/word2vec .bin or .vec.") var vectors: String?
    @Option(help: "Documents (lines or JSON Lines) embedded at start-up for /similar.") var collection: String?
    @Option(help: "Address to listen on (0.0.0.0: every interface).") var host = "127.0.0.1"
    @Option(help: "Port.") var port = 8080
    @Option(help: "Require `Authorization: Bearer KEY` (default: $LEXEL_API_KEY when set).") var apiKey: String?
    @Option(help: "Texts per request at most (more: 422).") var maxInputs = 2048
    @Option(help: "Request body size limit in MiB (more: 413).") var maxBodyMb: Double = 2
    @Option(help: "Requests handled at once at most (more: 429).") var maxConcurrent = 512
    @Option(help: "Texts embedded together at most when batching requests.") var maxBatch = 4096
    @Option(help: "Name of the model in /v1/embeddings and /info responses.") var modelName = "lexel-minilm-distilled"
    @OptionGroup var threads: ThreadsOption

    func validate() throws {
        guard (1...65535).contains(port) || port == 0 else { throw ValidationError("--port must be 1...65535 (got \(port))") }
        guard maxInputs >= 1, maxConcurrent >= 1, maxBatch >= 1, maxBodyMb > 0 else {
            throw ValidationError("--max-inputs, --max-concurrent, --max-batch and --max-body-mb must be positive")
        }
        if let apiKey, apiKey.isEmpty { throw ValidationError("--api-key must not be empty") }
    }

    func run() throws { try reportingErrors { try serve() } }

    func serve() throws {
        var options = ServerOptions()
        (options.model, options.classifier, options.vectors, options.collection) = (model, classifier, vectors, collection)
        (options.host, options.port, options.modelName) = (host, port, modelName)
        options.apiKey = apiKey ?? ProcessInfo.processInfo.environment["LEXEL_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        options.limits.maxInputs = maxInputs
        options.limits.maxBodyBytes = Int(maxBodyMb * 1024 * 1024)
        options.limits.maxConcurrent = maxConcurrent
        options.limits.maxBatch = maxBatch
        options.threads = threads.threads
        try LexelHTTPServer.serve(options)
    }
}
