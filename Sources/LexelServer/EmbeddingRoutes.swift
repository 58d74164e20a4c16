import Foundation
import Hummingbird
import LexelKit
import NIOCore

// POST /v1/embeddings (OpenAI's shapes) and POST /embed (TEI's).

extension ServerState {
    /// The embeddings of a request's texts, through the batcher shared by all clients.
    func embed(_ texts: TextBatch) async -> Embedded {
        let result = await batcher.embed(texts)
        metrics.texts.increment(by: Int64(texts.count))
        metrics.tokens.increment(by: Int64(result.tokens))
        metrics.batches(batcher.batches.load(ordering: .relaxed), texts: batcher.batchedTexts.load(ordering: .relaxed))
        return result
    }

    /// `dimensions`, when sent, must be the model's own (the model has no shorter, Matryoshka-trained prefixes).
    func checkDimensions(_ d: Int?) throws {
        if let d, d != dim {
            throw APIError.validation("dimensions \(d) is not available: this model gives \(dim) dimensions")
        }
    }

    func openAIEmbeddings(_ request: Request) async throws -> Response {
        let body = try await decode(OpenAIEmbeddingRequest.self, request, limit: options.limits.maxBodyBytes)
        let texts = try checked(body.input, limits: options.limits)
        let base64: Bool
        switch body.encoding_format ?? "float" {
        case "float": base64 = false
        case "base64": base64 = true
        case let f: throw APIError.validation("encoding_format must be \"float\" or \"base64\" (got \"\(f)\")")
        }
        try checkDimensions(body.dimensions)
        let result = await embed(texts)
        var out = ByteBuffer()
        out.reserveCapacity(texts.count * dim * (base64 ? 6 : 12) + 256)
        out.writeString("{\"object\":\"list\",\"data\":[")
        result.withVectors { v in
            for i in 0..<texts.count {
                out.writeString(i == 0 ? "{\"object\":\"embedding\",\"index\":\(i),\"embedding\":"
                                       : ",{\"object\":\"embedding\",\"index\":\(i),\"embedding\":")
                let row = UnsafeBufferPointer(rebasing: v[(i * dim)..<((i + 1) * dim)])
                if base64 { out.writeBase64Floats(row) } else { out.writeJSONFloats(row) }
                out.writeString("}")
            }
        }
        out.writeString("],\"model\":\(jsonString(options.modelName)),\"usage\":{\"prompt_tokens\":\(result.tokens),\"total_tokens\":\(result.tokens)}}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: out))
    }

    func teiEmbed(_ request: Request) async throws -> Response {
        let body = try await decode(TEIEmbedRequest.self, request, limit: options.limits.maxBodyBytes)
        let texts = try checked(body.inputs, limits: options.limits)
        try checkDimensions(body.dimensions)
        // normalize: false would want the unnormalised output, which the model does not keep: its output layer is
        // the normalisation. Said rather than ignored.
        if body.normalize == false {
            throw APIError.validation("normalize: false is not available: this model's embeddings are unit vectors by construction")
        }
        let result = await embed(texts)
        var out = ByteBuffer()
        out.reserveCapacity(texts.count * dim * 12 + 16)
        out.writeString("[")
        result.withVectors { v in
            for i in 0..<texts.count {
                if i > 0 { out.writeString(",") }
                out.writeJSONFloats(UnsafeBufferPointer(rebasing: v[(i * dim)..<((i + 1) * dim)]))
            }
        }
        out.writeString("]")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: out))
    }
}
