import LexelCore
@testable import LexelLexical
import LexelTestSupport
import XCTest

/// The int8 dense layers keep the shipped model's embeddings within cosine 0.999 of the f32 layers' (issue #14's
/// bound), on real paragraphs, short texts and single words.
final class Int8LayersTests: XCTestCase {
    func testShippedModelInt8LayersStayWithinCosine0999() throws {
        let f32 = try LexicalModel.load(path: repositoryRoot + "/vocab/lexel-minilm-distilled.lxm")
        let int8 = try f32.withInt8Layers()
        XCTAssertTrue(int8.network.int8Layers)
        var texts = ["hello", "the", "Zürich 2024 results: 3-1", "A short question about cats?", "https://example.com/a/b"]
        let words = ["market", "river", "theorem", "protein", "election", "guitar", "poem", "engine", "court", "virus"]
        var state: UInt64 = 5
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for _ in 0..<200 {
            texts.append((0..<(1 + Int(next() % 120))).map { _ in words[Int(next() % UInt64(words.count))] }.joined(separator: " "))
        }
        let a = f32.embed(texts), b = int8.embed(texts)
        var worst: Float = 1
        for (x, y) in zip(a, b) { worst = min(worst, zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }) }
        XCTAssertGreaterThanOrEqual(worst, 0.999, "worst cosine between int8 and f32 layers")
    }
}
