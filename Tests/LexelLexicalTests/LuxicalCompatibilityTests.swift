import Foundation
import XCTest
import LexelText
import LexelIO
import LexelCore
@testable import LexelLexical

/// A model made and run by luxical 1.1.2 itself (`tools/make_luxical_fixture.py`: Fixtures/luxical/tiny.npz and
/// expected.json): Lexel loads the .npz and must give the same tokens, TF-IDF features and embeddings.
final class LuxicalCompatibilityTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/luxical")

    func fixture() throws -> [String: Any] {
        let data = try Data(contentsOf: Self.dir.appendingPathComponent("expected.json"))
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func testEmbeddingsEqualLuxicals() throws {
        let f = try fixture()
        let model = try LexicalModel.load(path: Self.dir.appendingPathComponent("tiny.npz").path)
        XCTAssertEqual(model.network.dims, [16, 32, 8])
        XCTAssertEqual(model.vocabulary.count, 2000)
        let texts = try XCTUnwrap(f["texts"] as? [String])
        let want = try XCTUnwrap(f["embeddings"] as? [[Double]])
        let got = model.embed(texts)
        var worst: Float = 1, maxDiff: Float = 0
        for (i, (g, w)) in zip(got, want).enumerated() {
            let w = w.map { Float($0) }
            let dot = zip(g, w).reduce(0) { $0 + $1.0 * $1.1 }
            let zero = w.allSatisfy { $0 == 0 }
            if zero { XCTAssertTrue(g.allSatisfy { $0 == 0 }, "text \(i): expected the zero vector") } else { worst = min(worst, dot) }
            maxDiff = max(maxDiff, zip(g, w).map { abs($0 - $1) }.max()!)
        }
        XCTAssertGreaterThanOrEqual(worst, 0.9999, "minimum cosine over \(texts.count) texts")
        XCTAssertLessThan(maxDiff, 1e-4)
    }

    func testStagesEqualLuxicals() throws {
        let f = try fixture()
        let model = try LexicalModel.load(path: Self.dir.appendingPathComponent("tiny.npz").path)
        let texts = try XCTUnwrap(f["texts"] as? [String])
        for stage in try XCTUnwrap(f["stages"] as? [[String: Any]]) {
            let i = try XCTUnwrap(stage["text_index"] as? Int)
            let tokens = try XCTUnwrap(stage["tokens"] as? [Int])
            XCTAssertEqual(model.tokenizer.encode(texts[i]).map(Int.init), tokens, "text \(i)")
            let features = try XCTUnwrap(stage["features"] as? [[Double]]).sorted { $0[0] < $1[0] }
            let w = LexicalModel.Workspace(model: model, batch: 1)
            var x = SparseVector()
            let t = Array(texts[i].utf8)
            t.withUnsafeBufferPointer { model.features($0, w, into: &x) }
            XCTAssertEqual(x.indices.map(Int.init), features.map { Int($0[0]) }, "text \(i)")
            for (v, e) in zip(x.values, features) { XCTAssertEqual(Double(v), e[2], accuracy: 1e-6, "text \(i)") }
        }
    }
}
