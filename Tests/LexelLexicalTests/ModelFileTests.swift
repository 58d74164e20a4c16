import Foundation
import XCTest
import LexelKernels
import LexelText
import LexelTestSupport
import LexelIO
import LexelCore
import LexelStore
import LexelContainer
@testable import LexelLexical

/// Lexical model files: write -> load round trips in every dtype, and clear errors on bad files.
final class ModelFileTests: XCTestCase {
    static let texts = [
        "The quick brown fox jumps over the lazy dog.", "A lazy dog sleeps.", "Café crème brûlée, 東京 and naïve résumés!",
        "", "dog dog dog dog", String(repeating: "tokenization ", count: 300),
    ]

    /// A small model over the n-grams of `texts` (every 1..3-gram, IDF from its rank) with random weights.
    static func tinyModel(dtype: RowType = .f32) throws -> LexicalModel {
        let tok = try! BertTokenizer(vocabFile: repositoryRoot + "/vocab/bert-base-uncased/vocab.txt")
        var hashes: [UInt64] = []
        var seen = Set<UInt64>()
        for t in texts {
            let ids = tok.encode(t).map { UInt32($0) }
            ids.withUnsafeBufferPointer { Ngrams.forEach(in: $0, maxN: 3) { h, _ in if seen.insert(h).inserted { hashes.append(h) } } }
        }
        let idf = hashes.indices.map { 1 + Float($0 % 7) / 3 }
        let vocab = try NgramVocabulary(hashes: hashes, idf: idf, maxN: 3)
        let base = try LexicalNetwork.random(inputDim: hashes.count, dims: [16, 40, 8], seed: 3)
        let w0 = (0..<hashes.count).flatMap { base.input.row($0) }
        let net = try LexicalNetwork(w0: w0, inputDim: hashes.count, layers: [base.layer(0), base.layer(1)], dims: [16, 40, 8], dtype: dtype)
        return try LexicalModel(tokenizer: tok, vocabulary: vocab, network: net, info: ["source": "unit-test"])
    }

    func temp(_ name: String) -> String { TestTemporaryFiles.folder("model") + "/" + name }

    func cosine(_ a: [Float], _ b: [Float]) -> Float {
        let d = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let n = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
        return n > 0 ? d / n : (a == b ? 1 : 0)
    }

    func testRoundTripInEveryDtype() throws {
        let model = try Self.tinyModel()
        let want = model.embed(Self.texts)
        XCTAssertEqual(want[3], [Float](repeating: 0, count: 8))  // empty text: no features, zero vector
        for (dtype, layers, minCos) in [(RowType.f32, RowType.f32, Float(1 - 1e-6)),
                                        (.f16, .f16, 0.999), (.int8, .f32, 0.99)] {
            let path = temp("model-\(dtype).lxm")
            defer { unlink(path) }
            try model.write(path: path, dtype: dtype, layerType: layers)
            let loaded = try LexicalModel.load(path: path)
            XCTAssertEqual(loaded.network.dims, [16, 40, 8])
            XCTAssertEqual(loaded.network.input.dtype, dtype)
            XCTAssertEqual(loaded.vocabulary.hashes, model.vocabulary.hashes)
            XCTAssertEqual(loaded.info["source"], "unit-test")
            for (a, b) in zip(loaded.embed(Self.texts), want) where b.contains(where: { $0 != 0 }) {
                XCTAssertGreaterThanOrEqual(cosine(a, b), minCos, "\(dtype)")
            }
            // a re-written int8 model keeps its codes and scales exactly
            let again = temp("again-\(dtype).lxm")
            defer { unlink(again) }
            try loaded.write(path: again)
            XCTAssertEqual(try LexicalModel.load(path: again).embed(Self.texts), loaded.embed(Self.texts))
        }
    }

    func testBadFilesGiveClearErrors() throws {
        let path = temp("bad.lxm")
        defer { unlink(path) }
        try Self.tinyModel().write(path: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try LexicalModel.load(path: path)) { XCTAssertTrue("\($0)".contains("truncated"), "\($0)") }
        bytes[200] ^= 0xFF  // inside the table or meta: a checksum catches it
        try bytes.write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try LexicalModel.load(path: path)) { XCTAssertTrue("\($0)".contains("checksum"), "\($0)") }
        try Data("hello".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try LexicalModel.load(path: path)) { XCTAssertTrue("\($0)".contains(path), "\($0)") }
        XCTAssertThrowsError(try LexicalModel.load(path: "/nonexistent/model.lxm"))
    }

    /// A NaN in the dense layers (with a valid checksum) is refused in both stored types: f32 layers are read in
    /// place from the mapping, f16 ones widened first, and both are checked.
    func testNonFiniteLayerWeightsAreRefused() throws {
        for layerType in [RowType.f32, .f16] {
            let (good, bad) = (temp("finite-\(layerType).lxm"), temp("nan-\(layerType).lxm"))
            defer { unlink(good); unlink(bad) }
            try Self.tinyModel().write(path: good, layerType: layerType)
            XCTAssertNoThrow(try LexicalModel.load(path: good))
            let source = try ContainerFile(path: good, kinds: LexicalModel.sectionKinds)
            let w = try SectionWriter(path: bad, sectionCount: source.sections.count)
            for e in source.sections {
                guard e.kind == SectionKind.networkLayers.rawValue else { try w.copy(e, from: source.bytes(of: e)); continue }
                var bytes = Array(source.bytes(of: e))
                let at = 7 * layerType.size  // weight 7 of layer 1
                if layerType == .f32 {
                    withUnsafeBytes(of: Float.nan.bitPattern) { for k in 0..<4 { bytes[at + k] = $0[k] } }
                } else {
                    withUnsafeBytes(of: Float16.nan.bitPattern) { for k in 0..<2 { bytes[at + k] = $0[k] } }
                }
                try bytes.withUnsafeBytes { try w.section(.networkLayers, raw: $0) }
            }
            try w.commit()
            XCTAssertThrowsError(try LexicalModel.load(path: bad)) {
                XCTAssertTrue("\($0)".contains(bad) && "\($0)".contains("layer 1 holds a non-finite weight"), "\($0)")
            }
        }
    }
}
