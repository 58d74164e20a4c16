import LexelCore
@testable import LexelLexical
import LexelTestSupport
import XCTest

/// The int8 dense layers keep embeddings within cosine 0.999 of the f32 layers' (issue #14's bound), on real
/// paragraphs, short texts and single words: the shipped model's tokenizer and features (it is a static model,
/// with no dense layers of its own) under a network of the former default's shape, 96 -> 2048 -> 192, seeded.
final class Int8LayersTests: XCTestCase {
    func testInt8LayersStayWithinCosine0999() throws {
        let shipped = try LexicalModel.load(path: repositoryRoot + "/vocab/lexel-minilm-distilled.lxm")
        let network = try LexicalNetwork.random(inputDim: shipped.vocabulary.count, dims: [96, 2048, 192], seed: 11)
        let f32 = try LexicalModel(tokenizer: shipped.tokenizer, vocabulary: shipped.vocabulary, network: network)
        let int8 = try f32.withInt8Layers()
        XCTAssertEqual(LayerChoice.auto.resolved(for: network), .int8, "auto picks int8 for 590k dense weights")
        let loaded = try withBuffers((0..<2).map { network.layer($0) }) {
            try LexicalNetwork(input: network.input, layers: $0, dims: network.dims, choice: .int8)
        }
        XCTAssertTrue(loaded.int8Layers, "a network built with choice .int8 quantises at load")
        XCTAssertTrue(int8.network.int8Layers)
        var texts = ["hello", "the", "Zürich 2024 results: 3-1", "A short question about cats?", "https://example.com/a/b"]
        let words = ["market", "river", "theorem", "protein", "election", "guitar", "poem", "engine", "court", "virus"]
        var state: UInt64 = 5
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for _ in 0..<200 {
            texts.append((0..<(1 + Int(next() % 120))).map { _ in words[Int(next() % UInt64(words.count))] }.joined(separator: " "))
        }
        let a = f32.embed(texts), b = int8.embed(texts)
        let c = try LexicalModel(tokenizer: shipped.tokenizer, vocabulary: shipped.vocabulary, network: loaded).embed(texts)
        XCTAssertEqual(b, c, "quantised at load or afterwards: the same int8 layers, the same bits")
        var worst: Float = 1
        for (x, y) in zip(a, b) { worst = min(worst, zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }) }
        XCTAssertGreaterThanOrEqual(worst, 0.999, "worst cosine between int8 and f32 layers")
    }
}
