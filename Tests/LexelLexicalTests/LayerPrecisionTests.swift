import LexelCore
import LexelKernels
@testable import LexelLexical
import LexelTestSupport
import XCTest

/// The int8 and bf16 dense layers keep embeddings within cosine 0.999 of the f32 layers' (issue #14's bound), on
/// real paragraphs, short texts and single words: the shipped model's tokenizer and features (it is a static model,
/// with no dense layers of its own) under a network of the former default's shape, 96 -> 2048 -> 192, seeded.
final class LayerPrecisionTests: XCTestCase {
    func testInt8LayersStayWithinCosine0999() throws {
        XCTAssertEqual(LayerChoice.auto.resolved(for: try f32Model().network), .int8, "auto picks int8 for 590k dense weights")
        try checkLayers(.int8)
    }

    func testBF16LayersStayWithinCosine0999() throws {
        guard Gemm.bf16Available else {
            XCTAssertThrowsError(try f32Model().network.withLayers(.bf16), "bf16 layers are refused without AVX-512 BF16")
            throw XCTSkip("bf16 dense layers are not tested: this CPU lacks AVX-512 BF16")
        }
        try checkLayers(.bf16)
    }

    func f32Model() throws -> LexicalModel {
        let shipped = try LexicalModel.load(path: repositoryRoot + "/vocab/lexel-minilm-distilled.lxm")
        let network = try LexicalNetwork.random(inputDim: shipped.vocabulary.count, dims: [96, 2048, 192], seed: 11)
        return try LexicalModel(tokenizer: shipped.tokenizer, vocabulary: shipped.vocabulary, network: network)
    }

    func checkLayers(_ choice: LayerChoice) throws {
        let f32 = try f32Model(), network = f32.network
        let low = try LexicalModel(tokenizer: f32.tokenizer, vocabulary: f32.vocabulary, network: network.withLayers(choice))
        let loaded = try withBuffers((0..<2).map { network.layer($0) }) {
            try LexicalNetwork(input: network.input, layers: $0, dims: network.dims, choice: choice)
        }
        XCTAssertEqual(loaded.layerKind, choice, "a network built with choice .\(choice) converts at load")
        XCTAssertEqual(low.network.layerKind, choice)
        var texts = ["hello", "the", "Zürich 2024 results: 3-1", "A short question about cats?", "https://example.com/a/b"]
        let words = ["market", "river", "theorem", "protein", "election", "guitar", "poem", "engine", "court", "virus"]
        var state: UInt64 = 5
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        for _ in 0..<200 {
            texts.append((0..<(1 + Int(next() % 120))).map { _ in words[Int(next() % UInt64(words.count))] }.joined(separator: " "))
        }
        let a = f32.embed(texts), b = low.embed(texts)
        let c = try LexicalModel(tokenizer: f32.tokenizer, vocabulary: f32.vocabulary, network: loaded).embed(texts)
        XCTAssertEqual(b, c, "converted at load or afterwards: the same \(choice) layers, the same bits")
        var worst: Float = 1
        for (x, y) in zip(a, b) { worst = min(worst, zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }) }
        XCTAssertGreaterThanOrEqual(worst, 0.999, "worst cosine between \(choice) and f32 layers")
        print("worst cosine to f32, \(choice) layers: \(worst)")
    }
}
