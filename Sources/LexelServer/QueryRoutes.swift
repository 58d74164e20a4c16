import Foundation
import Hummingbird
import LexelKit
import NIOCore

// POST /classify, POST /similar, and GET /health, /info, /metrics.

/// A JSON response from text already in JSON form.
func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
    Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
}

extension ServerState {
    /// `[{"label": ..., "score": ...}, ...]` per text (TEI's /predict shape): one list for one string, a list of
    /// lists for an array.
    func classify(_ request: Request) async throws -> Response {
        guard let classifier else {
            throw APIError(.notFound, "no classifier is loaded: start the server with --classifier FILE")
        }
        let body = try await decode(ClassifyRequest.self, request, limit: options.limits.maxBodyBytes)
        let texts = try checked(body.inputs, limits: options.limits)
        let k = body.k ?? 1, threshold = body.threshold ?? 0
        guard (1...max(1, classifier.labelNames.count)).contains(k) else {
            throw APIError.validation("k must be 1...\(classifier.labelNames.count) (got \(k))")
        }
        guard threshold.isFinite else { throw APIError.validation("threshold must be a number") }
        let names = classifier.labelNames, workspace = classifier.makeWorkspace()
        var lists: [String] = []
        for i in 0..<texts.count {
            let found = classifier.predict(texts[i], k: k, threshold: threshold, workspace: workspace)
            lists.append("[" + found.map { "{\"label\":\(jsonString(names[$0.label])),\"score\":\($0.probability)}" }
                .joined(separator: ",") + "]")
        }
        metrics.texts.increment(by: Int64(texts.count))
        return json(body.inputs.single ? lists[0] : "[" + lists.joined(separator: ",") + "]")
    }

    /// The collection's documents nearest to `input` (`[{"index", "score", "text"}]`), or the vector file's words
    /// nearest to `word` / positive - negative (`[{"word", "score"}]`).
    func similar(_ request: Request) async throws -> Response {
        let body = try await decode(SimilarRequest.self, request, limit: options.limits.maxBodyBytes)
        let k = body.k ?? 10
        guard (1...options.limits.maxK).contains(k) else { throw APIError.validation("k must be 1...\(options.limits.maxK) (got \(k))") }
        if let input = body.input {
            guard let collection else {
                throw APIError(.notFound, "no document collection is loaded: start the server with --collection FILE")
            }
            guard !input.isEmpty else { throw APIError.badRequest("input is an empty string") }
            let found = collection.search(input, k: k)
            return json("[" + found.map {
                "{\"index\":\($0.document),\"score\":\($0.score),\"text\":\(jsonString(collection.texts[$0.document]))}"
            }.joined(separator: ",") + "]")
        }
        let positive = (body.word.map { [$0] } ?? []) + (body.positive ?? [])
        let negative = body.negative ?? []
        guard !positive.isEmpty || !negative.isEmpty else {
            throw APIError.badRequest("send \"input\" (a text, for the document collection) or \"word\" / \"positive\" / \"negative\" (for the word vectors)")
        }
        guard let vectors else { throw APIError(.notFound, "no word vectors are loaded: start the server with --vectors FILE") }
        guard positive.count + negative.count <= options.limits.maxInputs, !(positive + negative).contains(where: \.isEmpty) else {
            throw APIError.validation("the words must be non-empty and at most \(options.limits.maxInputs)")
        }
        let found = try vectors.mostSimilar(positive: positive, negative: negative, k: k, threads: 1)
        return json("[" + (try found.map { "{\"word\":\(jsonString(try vectors.word($0.row))),\"score\":\($0.score)}" })
            .joined(separator: ",") + "]")
    }

    func info() -> Response {
        let l = options.limits
        var fields = [
            "\"model_id\":\(jsonString(options.modelName))", "\"model_type\":{\"embedding\":{\"pooling\":\"lexical-dense\"}}",
            "\"dimensions\":\(dim)", "\"version\":\(jsonString(BuildInfo.version))", "\"git\":\(jsonString(BuildInfo.gitHash))",
            "\"max_client_batch_size\":\(l.maxInputs)", "\"max_body_bytes\":\(l.maxBodyBytes)",
            "\"max_concurrent_requests\":\(l.maxConcurrent)", "\"max_batch_texts\":\(l.maxBatch)", "\"threads\":\(options.threads)",
        ]
        if let classifier { fields.append("\"labels\":[" + classifier.labelNames.map(jsonString).joined(separator: ",") + "]") }
        if let vectors { fields.append("\"vectors\":{\"count\":\(vectors.count),\"dimensions\":\(vectors.dim)}") }
        if let collection { fields.append("\"collection\":{\"documents\":\(collection.count)}") }
        return json("{" + fields.joined(separator: ",") + "}")
    }
}
