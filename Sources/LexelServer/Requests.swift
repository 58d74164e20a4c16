import Foundation
import Hummingbird
import LexelKit
import NIOCore

/// `"text"` or `["text", ...]`, as OpenAI's `input` and TEI's `inputs` take them. Token arrays (OpenAI's other
/// forms) are refused with what to send instead.
struct Inputs: Decodable {
    let texts: [String]
    /// Whether one string was sent (TEI then answers one result, not a list of one).
    let single: Bool

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) {
            (texts, single) = ([s], true)
        } else if let list = try? c.decode([String].self) {
            (texts, single) = (list, false)
        } else if (try? c.decode([Int].self)) != nil || (try? c.decode([[Int]].self)) != nil {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "token ids are not accepted: send the texts as strings")
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a string or an array of strings")
        }
    }
}

/// OpenAI's `POST /v1/embeddings`.
struct OpenAIEmbeddingRequest: Decodable {
    let input: Inputs
    let model: String?
    let encoding_format: String?
    let dimensions: Int?
    let user: String?
}

/// TEI's `POST /embed`.
struct TEIEmbedRequest: Decodable {
    let inputs: Inputs
    let normalize: Bool?
    let truncate: Bool?
    let dimensions: Int?
}

/// `POST /classify`: TEI's `/predict` inputs, with fastText's k and threshold.
struct ClassifyRequest: Decodable {
    let inputs: Inputs
    let k: Int?
    let threshold: Float?
}

/// `POST /similar`: documents of the collection nearest to `input`, or words nearest to `word` (or to
/// positive - negative words, gensim's most_similar) in the vector file.
struct SimilarRequest: Decodable {
    let input: String?
    let word: String?
    let positive: [String]?
    let negative: [String]?
    let k: Int?
}

/// The body of `request` decoded as `T`: 413 past the body limit, 400 for what is not JSON (or not UTF-8), 422 for
/// JSON of the wrong shape, naming the field.
func decode<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int) async throws -> T {
    let body: ByteBuffer
    do {
        body = try await request.body.collect(upTo: limit)
    } catch is NIOTooManyBytesError {
        throw APIError(.contentTooLarge, "the request body is larger than \(limit) bytes")
    }
    let bad = body.withUnsafeReadableBytes { firstInvalidUTF8Fast($0.bindMemory(to: UInt8.self)) }
    if let bad { throw APIError.badRequest("the body is not valid UTF-8 (byte \(bad))") }
    do {
        return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    } catch let DecodingError.dataCorrupted(c) where c.codingPath.isEmpty {
        throw APIError.badRequest("the body is not valid JSON (\(c.underlyingError.map { "\($0)" } ?? c.debugDescription))")
    } catch let e as DecodingError {
        throw APIError.validation(describe(e))
    }
}

/// A decoding error in a sentence: the field's path and what was wrong.
func describe(_ e: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the body" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().drop { $0 == "." }.description
    }
    switch e {
    case .typeMismatch(let t, let c): return "\(path(c.codingPath)): expected \(t) (\(c.debugDescription))"
    case .valueNotFound(let t, let c): return "\(path(c.codingPath)): expected \(t), found null"
    case .keyNotFound(let k, let c): return "\(path(c.codingPath + [k])): missing"
    case .dataCorrupted(let c): return "\(path(c.codingPath)): \(c.debugDescription)"
    @unknown default: return "\(e)"
    }
}

/// The texts of a request, checked against the limits: 400 for none or an empty text, 422 for too many.
func checked(_ inputs: Inputs, limits: ServerLimits) throws -> [String] {
    guard !inputs.texts.isEmpty else { throw APIError.badRequest("the input is empty: send at least one text") }
    guard inputs.texts.count <= limits.maxInputs else {
        throw APIError.validation("\(inputs.texts.count) inputs in one request; the limit is \(limits.maxInputs)")
    }
    if let i = inputs.texts.firstIndex(where: \.isEmpty) {
        throw APIError.badRequest("input \(i) is an empty string")
    }
    return inputs.texts
}
