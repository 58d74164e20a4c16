import Foundation
import Hummingbird
import HummingbirdTesting
import LexelKit
@testable import LexelServer
import LexelTestSupport
import NIOCore
import XCTest

/// The server's routes through HummingbirdTesting (in process, and live over loopback where concurrency matters):
/// shapes, agreement with the in-process model, limits, and the API key.
final class ServerRouteTests: XCTestCase {
    static let model = repositoryRoot + "/vocab/lexel-minilm-distilled.lxm"
    static let classifierFixture = repositoryRoot + "/Tests/LexelClassifierTests/Fixtures/softmax-bigrams.bin"
    static let vectorsFixture = repositoryRoot + "/Tests/LexelStoreTests/Fixtures/tiny-fasttext.bin"
    /// The shipped model, loaded once for the expected vectors.
    static let lexical = try! ModelFiles.lexicalModel(model, for: "test")

    static func options(_ change: (inout ServerOptions) -> Void = { _ in }) -> ServerOptions {
        var o = ServerOptions()
        o.model = Self.model
        o.classifier = Self.classifierFixture
        o.vectors = Self.vectorsFixture
        o.port = 0
        o.threads = 2
        change(&o)
        return o
    }

    static func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView), options: [.fragmentsAllowed])
    }

    static func post(_ client: some TestClientProtocol, _ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var h = headers
        h[.contentType] = "application/json"
        return try await client.execute(uri: uri, method: .post, headers: h, body: ByteBuffer(string: body))
    }

    func testOpenAIEmbeddingsMatchTheModelInFloatAndBase64() async throws {
        let texts = ["How do I install a package on Debian?", "naïve café — ünïcödé", "the king"]
        let expected = Self.lexical.embed(texts)
        let (app, stop) = try LexelHTTPServer.application(Self.options())
        defer { stop() }
        try await app.test(.router) { client in
            let body = "{\"input\": [\"How do I install a package on Debian?\", \"naïve café — ünïcödé\", \"the king\"], \"model\": \"x\"}"
            let r = try await Self.post(client, "/v1/embeddings", body)
            XCTAssertEqual(r.status, .ok)
            let o = try XCTUnwrap(try Self.json(r) as? [String: Any])
            XCTAssertEqual(o["object"] as? String, "list")
            let data = try XCTUnwrap(o["data"] as? [[String: Any]])
            XCTAssertEqual(data.count, 3)
            for (i, d) in data.enumerated() {
                XCTAssertEqual(d["index"] as? Int, i)
                XCTAssertEqual(d["object"] as? String, "embedding")
                let v = try XCTUnwrap(d["embedding"] as? [Double]).map { Float($0) }
                XCTAssertEqual(v, expected[i], "row \(i) equals the model's own output, bit for bit")
            }
            let usage = try XCTUnwrap(o["usage"] as? [String: Int])
            XCTAssertGreaterThan(usage["prompt_tokens"] ?? 0, 10)
            XCTAssertEqual(usage["prompt_tokens"], usage["total_tokens"])

            let b = try await Self.post(client, "/v1/embeddings", "{\"input\": \"the king\", \"encoding_format\": \"base64\"}")
            let row = try XCTUnwrap(((try Self.json(b) as? [String: Any])?["data"] as? [[String: Any]])?.first?["embedding"] as? String)
            let bytes = try XCTUnwrap(Data(base64Encoded: row))
            let floats = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            XCTAssertEqual(floats, expected[2])
        }
    }

    func testTEIEmbedShapeAndOneString() async throws {
        let (app, stop) = try LexelHTTPServer.application(Self.options())
        defer { stop() }
        try await app.test(.router) { client in
            let r = try await Self.post(client, "/embed", "{\"inputs\": \"the king\"}")
            XCTAssertEqual(r.status, .ok)
            let rows = try XCTUnwrap(try Self.json(r) as? [[Double]])
            XCTAssertEqual(rows.count, 1)
            XCTAssertEqual(rows[0].map { Float($0) }, Self.lexical.embed(["the king"])[0])
            let twoResponse = try await Self.post(client, "/embed", "{\"inputs\": [\"a\", \"b c\"]}")
            let two = try XCTUnwrap(try Self.json(twoResponse) as? [[Double]])
            XCTAssertEqual(two.map(\.count), [1408, 1408])
        }
    }

    /// Each bad request gets its status and a JSON body naming the problem.
    func testBadRequestsGetJSONErrors() async throws {
        let (app, stop) = try LexelHTTPServer.application(Self.options { $0.limits.maxInputs = 100; $0.limits.maxBodyBytes = 64 * 1024 })
        defer { stop() }
        let many = "{\"inputs\": [" + Array(repeating: "\"a\"", count: 101).joined(separator: ",") + "]}"
        let huge = "{\"inputs\": \"" + String(repeating: "x", count: 100_000) + "\"}"
        let cases: [(String, String, Int, String)] = [
            ("/embed", "{\"inputs\": []}", 400, "empty"),
            ("/embed", "{\"inputs\": [\"a\", \"\"]}", 400, "input 1"),
            ("/embed", "not json", 400, "not valid JSON"),
            ("/embed", "{\"inputs\": 5}", 422, "inputs"),
            ("/embed", "{\"inputs\": [\"a\", 7]}", 422, "inputs"),
            ("/embed", "{\"text\": \"a\"}", 422, "inputs: missing"),
            ("/embed", many, 422, "101 inputs"),
            ("/embed", huge, 413, "larger than"),
            ("/embed", "{\"inputs\": \"a\", \"normalize\": false}", 422, "normalize"),
            ("/embed", "{\"inputs\": [\"a\"], \"normalize\": \"no\"}", 422, "normalize"),   // read fast, typed by JSONDecoder
            ("/embed", "{\"inputs\": [\"a\"], \"dimensions\": 1.5}", 422, "does not fit its field"),
            ("/v1/embeddings", "{\"input\": [1, 2, 3]}", 422, "token ids"),
            ("/v1/embeddings", "{\"input\": \"a\", \"encoding_format\": \"hex\"}", 422, "encoding_format"),
            ("/v1/embeddings", "{\"input\": \"a\", \"dimensions\": 64}", 422, "dimensions"),
            ("/classify", "{\"inputs\": \"a\", \"k\": 0}", 422, "k must be"),
            ("/similar", "{\"k\": 3}", 400, "send"),
            ("/similar", "{\"input\": \"a\"}", 404, "--collection"),
        ]
        try await app.test(.router) { client in
            for (uri, body, status, words) in cases {
                let r = try await Self.post(client, uri, body)
                XCTAssertEqual(Int(r.status.code), status, "\(uri) \(body.prefix(60))")
                let text = String(buffer: r.body)
                XCTAssertTrue(text.contains(words), "\(uri) \(body.prefix(60)): \(text)")
                let o = try XCTUnwrap(try Self.json(r) as? [String: Any], text)
                XCTAssertNotNil(o["error"])
                if uri.hasPrefix("/v1/") { XCTAssertNotNil((o["error"] as? [String: Any])?["message"], "OpenAI's error shape") }
            }
            // Bytes that are not UTF-8 inside a JSON string
            var bad = ByteBuffer(string: "{\"inputs\": \"a")
            bad.writeBytes([0xFF, 0xFE])
            bad.writeString("\"}")
            let r = try await client.execute(uri: "/embed", method: .post, headers: [.contentType: "application/json"], body: bad)
            XCTAssertEqual(r.status, .badRequest)
        }
    }

    func testAPIKeyGuardsEveryRouteButHealthAndNoWorkIsDone() async throws {
        let (app, stop) = try LexelHTTPServer.application(Self.options { $0.apiKey = "s3cret-key" })
        defer { stop() }
        try await app.test(.router) { client in
            for auth in [nil, "Bearer wrong", "Bearer s3cret-ke", "Bearer s3cret-key2", "s3cret-key", "Basic s3cret-key"] {
                var h: HTTPFields = [:]
                if let auth { h[.authorization] = auth }
                for uri in ["/embed", "/v1/embeddings"] {
                    let r = try await Self.post(client, uri, "{\"inputs\": \"a\", \"input\": \"a\"}", headers: h)
                    XCTAssertEqual(r.status, .unauthorized, "\(uri) with \(auth ?? "no header")")
                }
                let info = try await client.execute(uri: "/info", method: .get, headers: h)
                XCTAssertEqual(info.status, .unauthorized)
            }
            let health = try await client.execute(uri: "/health", method: .get)
            XCTAssertEqual(health.status, .ok)
            let ok = try await Self.post(client, "/embed", "{\"inputs\": \"a\"}", headers: [.authorization: "Bearer s3cret-key"])
            XCTAssertEqual(ok.status, .ok)
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer s3cret-key"])
            XCTAssertTrue(String(buffer: metrics.body).contains("lexel_texts_total 1\n"),
                          "only the authorised request embedded anything: \(String(buffer: metrics.body))")
        }
    }

    func testClassifyMatchesTheClassifier() async throws {
        let clf = try ModelFiles.lineClassifier(Self.classifierFixture, for: "test")
        let text = "the team scored a late goal"
        let expected = Array(text.utf8).withUnsafeBufferPointer { clf.predict($0, k: 2, threshold: 0, workspace: clf.makeWorkspace()) }
        let (app, stop) = try LexelHTTPServer.application(Self.options())
        defer { stop() }
        try await app.test(.router) { client in
            let r = try await Self.post(client, "/classify", "{\"inputs\": [\"\(text)\"], \"k\": 2}")
            let lists = try XCTUnwrap(try Self.json(r) as? [[[String: Any]]])
            XCTAssertEqual(lists.count, 1)
            XCTAssertEqual(lists[0].map { $0["label"] as? String }, expected.map { clf.labelNames[$0.label] })
            XCTAssertEqual(lists[0].map { Float(($0["score"] as? Double) ?? -1) }, expected.map(\.probability))
            let oneResponse = try await Self.post(client, "/classify", "{\"inputs\": \"\(text)\"}")
            let one = try XCTUnwrap(try Self.json(oneResponse) as? [[String: Any]])
            XCTAssertEqual(one.count, 1, "one string: one list of k = 1")
        }
    }

    func testSimilarWordsAndDocuments() async throws {
        let docs = tempFile("{\"text\": \"the cat sat on the mat\"}\n{\"text\": \"stock markets fell sharply\"}\n{\"text\": \"a kitten on a rug\"}\n", "docs.jsonl")
        let (app, stop) = try LexelHTTPServer.application(Self.options { $0.collection = docs })
        defer { stop() }
        let words = try WordQueries(path: Self.vectorsFixture)
        let expected = try words.mostSimilar(positive: ["über"], k: 3, threads: 1).map { try words.word($0.row) }
        try await app.test(.router) { client in
            let wr = try await Self.post(client, "/similar", "{\"word\": \"über\", \"k\": 3}")
            let w = try XCTUnwrap(try Self.json(wr) as? [[String: Any]])
            XCTAssertEqual(w.map { $0["word"] as? String }, expected)
            let dr = try await Self.post(client, "/similar", "{\"input\": \"a cat on a mat\", \"k\": 2}")
            let d = try XCTUnwrap(try Self.json(dr) as? [[String: Any]])
            XCTAssertEqual(d.count, 2)
            XCTAssertEqual(d.first?["index"] as? Int, 0)
            XCTAssertEqual(d.first?["text"] as? String, "the cat sat on the mat")
        }
    }

    func testHealthInfoMetrics() async throws {
        let (app, stop) = try LexelHTTPServer.application(Self.options())
        defer { stop() }
        try await app.test(.router) { client in
            let health = try await client.execute(uri: "/health", method: .get)
            XCTAssertEqual(String(buffer: health.body), "{\"status\":\"ok\"}")
            let infoResponse = try await client.execute(uri: "/info", method: .get)
            let info = try XCTUnwrap(try Self.json(infoResponse) as? [String: Any])
            XCTAssertEqual(info["dimensions"] as? Int, 1408)
            XCTAssertEqual(info["max_client_batch_size"] as? Int, 2048)
            XCTAssertEqual((info["labels"] as? [String])?.count, 3)
            _ = try await Self.post(client, "/embed", "{\"inputs\": [\"a\", \"b\"]}")
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let m = String(buffer: metrics.body)
            XCTAssertTrue(m.contains("lexel_texts_total 2\n"), m)
            XCTAssertTrue(m.contains("lexel_requests_total{route=\"/embed\",status=\"200\"} 1"), m)
        }
    }

    /// Live over loopback: concurrent requests past --max-concurrent get 429 (and the others their embeddings).
    func testOverloadGets429() async throws {
        let (app, stop) = try LexelHTTPServer.application(Self.options { $0.limits.maxConcurrent = 1 })
        defer { stop() }
        let body = "{\"inputs\": [" + Array(repeating: "\"a few words to embed, repeated many times over\"", count: 1000).joined(separator: ",") + "]}"
        try await app.test(.live) { client in
            let port = try XCTUnwrap(client.port)
            // One connection per request (a connection's requests are answered in turn)
            let codes = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        let c = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120)))
                        c.connect()
                        let r = try await c.execute(.init("/embed", method: .post, headers: [.contentType: "application/json"],
                                                          body: ByteBuffer(string: body)))
                        try await c.shutdown()
                        return Int(r.status.code)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            XCTAssertTrue(codes.allSatisfy { $0 == 200 || $0 == 429 }, "\(codes)")
            XCTAssertTrue(codes.contains(429), "\(codes)")
            XCTAssertTrue(codes.contains(200), "\(codes)")
        }
    }
}
