import Foundation
import Hummingbird
import LexelKit
import NIOCore

/// `"text"` or `["text", ...]`, as OpenAI's `input` and TEI's `inputs` take them. Token arrays (OpenAI's other
/// forms) are refused with what to send instead.
struct Inputs: Decodable {
    let texts: TextBatch
    /// Whether one string was sent (TEI then answers one result, not a list of one).
    let single: Bool

    init(texts: TextBatch, single: Bool) { (self.texts, self.single) = (texts, single) }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let list = try? c.decode([String].self) {
            (texts, single) = (TextBatch(list), false)
        } else if let s = try? c.decode(String.self) {
            (texts, single) = (TextBatch([s]), true)
        } else if (try? c.decode([Int].self)) != nil || (try? c.decode([[Int]].self)) != nil {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "token ids are not accepted: send the texts as strings")
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a string or an array of strings")
        }
    }
}

/// A request of texts plus scalar options, which `RequestReader` reads without `JSONDecoder` when it can.
protocol TextsRequest: Decodable {
    /// The key of the texts.
    static var textsKey: String { get }
    /// The request from what the reader read; nil when a field has a type the `Decodable` form would refuse (the
    /// body then goes through `JSONDecoder`, for its error).
    init?(inputs: Inputs, fields: inout RequestFields)
}

/// The scalar fields of a read request, taken by type; a value of another type marks the request as one for
/// `JSONDecoder` (absent and null are nil, as for optionals).
struct RequestFields {
    let values: [String: RequestReader.Scalar]
    private(set) var wrongType = false

    init(_ values: [String: RequestReader.Scalar]) { self.values = values }

    mutating func string(_ key: String) -> String? { take(key) { if case .string(let s) = $0 { s } else { nil } } }
    mutating func int(_ key: String) -> Int? { take(key) { if case .int(let v) = $0 { v } else { nil } } }
    mutating func bool(_ key: String) -> Bool? { take(key) { if case .bool(let v) = $0 { v } else { nil } } }

    /// The value of `key` as `extract` finds it; nil when absent or null, and nil marking `wrongType` when
    /// `extract` finds none.
    private mutating func take<T>(_ key: String, _ extract: (RequestReader.Scalar) -> T?) -> T? {
        guard let v = values[key], v != .null else { return nil }
        guard let t = extract(v) else { wrongType = true; return nil }
        return t
    }
}

/// OpenAI's `POST /v1/embeddings`.
struct OpenAIEmbeddingRequest: TextsRequest {
    let input: Inputs
    let model: String?
    let encoding_format: String?
    let dimensions: Int?
    let user: String?

    static let textsKey = "input"

    init?(inputs: Inputs, fields f: inout RequestFields) {
        (input, model, encoding_format, dimensions, user) = (inputs, f.string("model"), f.string("encoding_format"), f.int("dimensions"), f.string("user"))
        if f.wrongType { return nil }
    }
}

/// TEI's `POST /embed`.
struct TEIEmbedRequest: TextsRequest {
    let inputs: Inputs
    let normalize: Bool?
    let truncate: Bool?
    let dimensions: Int?

    static let textsKey = "inputs"

    init?(inputs: Inputs, fields f: inout RequestFields) {
        (self.inputs, normalize, truncate, dimensions) = (inputs, f.bool("normalize"), f.bool("truncate"), f.int("dimensions"))
        if f.wrongType { return nil }
    }
}

/// `POST /classify`: TEI's `/predict` inputs, with fastText's k and threshold.
struct ClassifyRequest: TextsRequest {
    let inputs: Inputs
    let k: Int?
    let threshold: Float?

    static let textsKey = "inputs"

    init?(inputs: Inputs, fields f: inout RequestFields) {
        (self.inputs, k, threshold) = (inputs, f.int("k"), f.int("threshold").map(Float.init))
        if f.wrongType { return nil }
    }
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

/// The body of `request`: 413 past the body limit, 400 when it is not UTF-8. Past the limit the rest of the body is
/// read and dropped before the answer: a client that sends `Connection: close` and reads nothing until it has sent
/// everything (Python's urllib) would otherwise wait forever on a server that has stopped reading.
func collectBody(_ request: Request, limit: Int) async throws -> ByteBuffer {
    var body = ByteBuffer()
    var total = 0
    for try await chunk in request.body {
        total += chunk.readableBytes
        if total == chunk.readableBytes {
            body = chunk  // the common case, one chunk: no copy
        } else if total <= limit {
            if body.writableBytes < chunk.readableBytes, let length = request.headers[.contentLength].flatMap(Int.init), length <= limit {
                body.reserveCapacity(length)
            }
            var chunk = chunk
            body.writeBuffer(&chunk)
        }
    }
    if total > limit { throw APIError(.contentTooLarge, "the request body is \(total) bytes, larger than the limit of \(limit) bytes") }
    let bad = body.withUnsafeReadableBytes { firstInvalidUTF8Fast($0.bindMemory(to: UInt8.self)) }
    if let bad { throw APIError.badRequest("the body is not valid UTF-8 (byte \(bad))") }
    return body
}

/// Reads and drops what is left of `request`'s body (for answers given before reading it: 401, 429); see
/// `collectBody`.
func discardBody(_ request: Request) async {
    do { for try await _ in request.body {} } catch {}
}

/// `body` decoded as `T` by `JSONDecoder`: 400 for what is not JSON, 422 for JSON of the wrong shape, naming the field.
func decodeJSON<T: Decodable>(_ type: T.Type, _ body: ByteBuffer) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
    } catch let DecodingError.dataCorrupted(c) where c.codingPath.isEmpty {
        // Foundation says "not valid JSON" for valid JSON too, when a number does not fit its field (1.5 for an integer)
        if (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed])) != nil {
            throw APIError.validation("a number does not fit its field (a fraction or an out-of-range value where an integer is expected)")
        }
        throw APIError.badRequest("the body is not valid JSON (\(c.underlyingError.map { "\($0)" } ?? c.debugDescription))")
    } catch let e as DecodingError {
        throw APIError.validation(describe(e))
    }
}

/// The body of `request` decoded as `T` (errors as `collectBody` and `decodeJSON` give them).
func decode<T: Decodable>(_ type: T.Type, _ request: Request, limit: Int) async throws -> T {
    try decodeJSON(T.self, try await collectBody(request, limit: limit))
}

/// The body of `request` as `T`, read by `RequestReader` when it has the common shape (several times faster than
/// `JSONDecoder`, which still decides every other body and words every error).
func decode<T: TextsRequest>(_ type: T.Type, _ request: Request, limit: Int) async throws -> T {
    let body = try await collectBody(request, limit: limit)
    let read = body.withUnsafeReadableBytes { RequestReader.read($0.bindMemory(to: UInt8.self), textsKey: T.textsKey) }
    if let read {
        var fields = RequestFields(read.fields)
        if let value = T(inputs: Inputs(texts: read.texts, single: read.single), fields: &fields) { return value }
    }
    return try decodeJSON(T.self, body)
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
func checked(_ inputs: Inputs, limits: ServerLimits) throws -> TextBatch {
    let texts = inputs.texts
    guard texts.count > 0 else { throw APIError.badRequest("the input is empty: send at least one text") }
    guard texts.count <= limits.maxInputs else {
        throw APIError.validation("\(texts.count) inputs in one request; the limit is \(limits.maxInputs)")
    }
    if let i = (0..<texts.count).first(where: { texts[$0].isEmpty }) {
        throw APIError.badRequest("input \(i) is an empty string")
    }
    return texts
}
