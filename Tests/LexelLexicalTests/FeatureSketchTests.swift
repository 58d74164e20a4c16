import Foundation
import XCTest
import LexelContainer
import LexelCore
import LexelKernels
import LexelTestSupport
import LexelText
@testable import LexelLexical

/// The feature sketch of static models (`FeatureSketch`): fixed buckets and signs, the output's two blocks and
/// their share of every cosine, computed by hand on a small case, the model file round trip, and clear errors.
final class FeatureSketchTests: XCTestCase {
    /// 4 features, 2 trained dimensions, sketch of 3 buckets at weight 0.25.
    func network() throws -> LexicalNetwork {
        let w0: [Float] = [1, 0, 0, 2, 3, 4, -1, 1]
        let net = try LexicalNetwork(w0: w0, inputDim: 4, layers: [], dims: [2])
        return try net.withSketch(FeatureSketch(dims: 3, weight: 0.25, idf: [1, 2, 0.5, 3]))
    }

    func embed(_ net: LexicalNetwork, _ x: SparseVector) -> [Float] {
        var out = [Float](repeating: 0, count: net.outputDim), scratch = [Float](repeating: 0, count: net.scratchCount(batch: 1))
        out.withUnsafeMutableBufferPointer { o in scratch.withUnsafeMutableBufferPointer { net.embed([x], into: o.baseAddress!, scratch: $0.baseAddress!) } }
        return out
    }

    func testBucketsAndSignsAreFixed() {
        // Golden values (from a Python transcription of the mix): a change here changes every shipped model's embeddings.
        let slots = (0..<6).map { FeatureSketch.slot($0, dims: 1024) }
        XCTAssertEqual(slots.map(\.bucket), [904, 580, 605, 116, 441, 396])
        XCTAssertEqual(slots.map(\.negative), [true, true, false, true, false, false])
        // Buckets spread evenly: 100,000 rows over 64 buckets (1,562 each on average), max - min under 20% of that.
        var counts = [Int](repeating: 0, count: 64)
        for r in 0..<100_000 { counts[FeatureSketch.slot(r, dims: 64).bucket] += 1 }
        XCTAssertLessThan(counts.max()! - counts.min()!, 2 * 156, "\(counts)")
    }

    func testOutputBlocksByHand() throws {
        let net = try network()
        XCTAssertEqual(net.outputDim, 5)
        XCTAssertEqual(net.dims, [2])
        var x = SparseVector()
        (x.indices, x.values) = ([0, 2, 3], [1, 2, 1])   // raw counts
        let y = embed(net, x)
        // trained block: rows 0 + 2*2 + 3 = (1,0) + (6,8) + (-1,1) = (6,9), unit, times sqrt(0.75)
        let n = Float(117).squareRoot()
        XCTAssertEqual(y[0], 6 / n * Float(0.75).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(y[1], 9 / n * Float(0.75).squareRoot(), accuracy: 1e-6)
        // sketch block: idf * (1 + ln count) with each row's sign in its bucket, unit, times sqrt(0.25)
        var s = [Float](repeating: 0, count: 3)
        for (r, c) in [(0, Float(1)), (2, 2), (3, 1)] {
            let (b, negative) = FeatureSketch.slot(r, dims: 3)
            let v = [Float(1), 2, 0.5, 3][r] * (1 + log(c))
            s[b] += negative ? -v : v
        }
        let sn = s.reduce(0) { $0 + $1 * $1 }.squareRoot()
        for k in 0..<3 { XCTAssertEqual(y[2 + k], s[k] / sn * 0.5, accuracy: 1e-6, "bucket \(k)") }
        XCTAssertEqual(y.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
        XCTAssertEqual(embed(net, SparseVector()), [Float](repeating: 0, count: 5), "no features: a zero vector")
        // A sketch that comes out zero (here: IDF 0) leaves the trained block at unit length, and vice versa.
        let flat = try LexicalNetwork(w0: [1, 0, 0, 2, 3, 4, -1, 1], inputDim: 4, layers: [], dims: [2])
            .withSketch(FeatureSketch(dims: 3, weight: 0.25, idf: [0, 0, 0, 0]))
        let z = embed(flat, x)
        XCTAssertEqual(z[0], 6 / n, accuracy: 1e-6)
        XCTAssertEqual(Array(z[2...]), [0, 0, 0])
        let noRows = try LexicalNetwork(w0: [Float](repeating: 0, count: 8), inputDim: 4, layers: [], dims: [2])
            .withSketch(FeatureSketch(dims: 3, weight: 0.25, idf: [1, 2, 0.5, 3]))
        XCTAssertEqual(embed(noRows, x).reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
    }

    func testCosineIsTheWeightedMixOfTheBlocks() throws {
        let net = try network()
        var a = SparseVector(), b = SparseVector()
        (a.indices, a.values) = ([0, 1], [1, 3])
        (b.indices, b.values) = ([1, 2, 3], [1, 1, 2])
        let (ya, yb) = (embed(net, a), embed(net, b))
        func cos(_ p: ArraySlice<Float>, _ q: ArraySlice<Float>) -> Float {
            zip(p, q).reduce(0) { $0 + $1.0 * $1.1 } / (p.reduce(0) { $0 + $1 * $1 } * q.reduce(0) { $0 + $1 * $1 }).squareRoot()
        }
        let whole = zip(ya, yb).reduce(0) { $0 + $1.0 * $1.1 }
        XCTAssertEqual(whole, 0.75 * cos(ya[0..<2], yb[0..<2]) + 0.25 * cos(ya[2...], yb[2...]), accuracy: 1e-6)
    }

    func testRoundTripThroughTheModelFileAndErrors() throws {
        let tok = try BertTokenizer(vocabFile: repositoryRoot + "/vocab/bert-base-uncased/vocab.txt")
        let texts = ["the the of and", "in to a was", "he is for on that"]
        let ids = Array(Set(texts.flatMap { tok.encode($0) })).sorted()
        let v = ids.count
        let vocab = try NgramVocabulary(hashes: ids.map { Ngrams.hash([UInt32($0)], maxN: 1) },
                                        idf: [Float](repeating: 1, count: v), minN: 1, maxN: 1)
        var rng = SplitMix64(seed: 5)
        let w0 = (0..<(v * 8)).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let idf = (0..<v).map { 1 + Float($0 % 5) }
        let net = try LexicalNetwork(w0: w0, inputDim: v, layers: [], dims: [8]).withSketch(FeatureSketch(dims: 16, weight: 0.3, idf: idf))
        var options = TFIDFOptions()
        options.normalize = false
        let model = try LexicalModel(tokenizer: tok, vocabulary: vocab, network: net, tfidf: options)
        let want = model.embed(texts)
        XCTAssertEqual(want[0].count, 24)
        XCTAssertTrue(want.allSatisfy { $0[8...].contains { $0 != 0 } }, "every text has sketch values")
        let folder = TestTemporaryFiles.folder("sketch")
        func reloaded(_ m: LexicalModel, _ name: String) throws -> LexicalModel {
            try m.write(path: folder + "/" + name)
            return try LexicalModel.load(path: folder + "/" + name)
        }
        let path = folder + "/sketch.lxm"
        defer { unlink(path) }
        let loaded = try reloaded(model, "sketch.lxm")
        XCTAssertEqual(loaded.network.sketch?.dims, 16)
        XCTAssertEqual(loaded.network.sketch?.weight, 0.3)
        XCTAssertEqual(loaded.network.sketch?.idf, idf)
        XCTAssertEqual(loaded.outputDim, 24)
        XCTAssertEqual(loaded.embed(texts), want)
        XCTAssertNil(try ContainerFile(path: path, kinds: LexicalModel.sectionKinds).meta["sketch-short-weight"], "written only when used")
        let boosted = try LexicalModel(tokenizer: tok, vocabulary: vocab, network: net.withSketch(
            FeatureSketch(dims: 16, weight: 0.3, idf: idf, shortWeight: 0.4, shortLength: 12)), tfidf: options)
        defer { unlink(folder + "/boosted.lxm") }
        let boostedLoaded = try reloaded(boosted, "boosted.lxm")
        XCTAssertEqual(try ContainerFile(path: folder + "/boosted.lxm", kinds: LexicalModel.sectionKinds).meta["requires"], "sketch-short-weight")
        XCTAssertEqual(boostedLoaded.network.sketch?.shortWeight, 0.4)
        XCTAssertEqual(boostedLoaded.network.sketch?.shortLength, 12)
        XCTAssertEqual(boostedLoaded.embed(texts), boosted.embed(texts))
        XCTAssertNotEqual(boosted.embed(texts), want, "short texts weigh the sketch more")

        // Bad sketch values in a file: errors name the file and what was wrong.
        func rewritten(_ name: String, _ change: (inout [String: String]) -> Void) throws -> String {
            let source = try ContainerFile(path: path, kinds: LexicalModel.sectionKinds)
            var meta = source.meta
            change(&meta)
            let out = TestTemporaryFiles.folder("sketch") + "/" + name
            let others = source.sections.filter { $0.kind != SectionKind.meta.rawValue }
            let w = try SectionWriter(path: out, sectionCount: others.count + 1)
            try w.section(.meta, compressing: Array(meta.sorted { $0.key < $1.key }.map { "\($0)=\($1)\n" }.joined().utf8))
            for e in others { try w.copy(e, from: source.bytes(of: e)) }
            try w.commit()
            return out
        }
        for (name, change, expect) in [("w.lxm", { (m: inout [String: String]) in m["sketch-weight"] = "1.5" }, "weight 1.5"),
                                       ("nan.lxm", { $0["sketch-weight"] = "nan" }, "weight nan"),
                                       ("d.lxm", { $0["sketch-dims"] = "70000" }, "70000 dimensions"),
                                       ("x.lxm", { $0["sketch-dims"] = "x" }, "sketch-dims x"),
                                       ("none.lxm", { $0["sketch-dims"] = nil }, "sketch-dims (missing)"),
                                       ("s.lxm", { $0["sketch-short-weight"] = "0.9" }, "short-text weight 0.9"),
                                       ("l.lxm", { $0["sketch-short-length"] = "x" }, "sketch-short-length x"),
                                       ("r.lxm", { $0["requires"] = "sketch-short-weight,warp-drive" }, "needs warp-drive, which this build")] {
            let bad = try rewritten(name, change)
            defer { unlink(bad) }
            XCTAssertThrowsError(try LexicalModel.load(path: bad)) {
                XCTAssertTrue("\($0)".contains(bad) && "\($0)".contains(expect), "\($0)")
            }
        }
        var normalised = TFIDFOptions()
        normalised.normalize = true
        XCTAssertThrowsError(try LexicalModel(tokenizer: tok, vocabulary: vocab, network: net, tfidf: normalised)) {
            XCTAssertTrue("\($0)".contains("raw counts"))
        }

        XCTAssertThrowsError(try FeatureSketch(dims: 16, weight: 1, idf: idf)) { XCTAssertTrue("\($0)".contains("weight")) }
        XCTAssertThrowsError(try FeatureSketch(dims: 16, weight: 0.3, idf: [1, .nan])) { XCTAssertTrue("\($0)".contains("feature 1 is nan")) }
        XCTAssertThrowsError(try FeatureSketch(dims: 0, weight: 0.3, idf: idf))
        XCTAssertThrowsError(try LexicalNetwork(w0: w0, inputDim: v, layers: [], dims: [8]).withSketch(FeatureSketch(dims: 4, weight: 0.3, idf: [1])))
        let dense = try LexicalNetwork.random(inputDim: v, dims: [8, 4], seed: 1)
        XCTAssertThrowsError(try dense.withSketch(FeatureSketch(dims: 4, weight: 0.3, idf: idf))) { XCTAssertTrue("\($0)".contains("static")) }
    }

    /// With a short-text weight, a text of n sketched tokens (n-gram rows, IDF 0, do not count) gives the sketch
    /// `weight + shortWeight * exp(-n / shortLength)` of the squared norm; long texts get `weight`.
    func testShortTextsWeighTheSketchMore() throws {
        let net = try LexicalNetwork(w0: [1, 0, 0, 2, 3, 4, -1, 1], inputDim: 4, layers: [], dims: [2])
            .withSketch(FeatureSketch(dims: 3, weight: 0.25, idf: [1, 2, 0.5, 0], shortWeight: 0.4, shortLength: 20))
        func blocks(_ indices: [Int32], _ counts: [Float]) -> (rows: Float, sketch: Float) {
            var x = SparseVector()
            (x.indices, x.values) = (indices, counts)
            let y = embed(net, x)
            return (y[0..<2].reduce(0) { $0 + $1 * $1 }, y[2...].reduce(0) { $0 + $1 * $1 })
        }
        let short = blocks([0, 2, 3], [1, 2, 5])   // 3 sketched tokens; feature 3 (IDF 0) is not sketched
        let w = 0.25 + 0.4 * expf(-3 / 20)
        XCTAssertEqual(short.sketch, w, accuracy: 1e-5)
        XCTAssertEqual(short.rows, 1 - w, accuracy: 1e-5)
        let long = blocks([0, 1, 2], [100, 60, 40])
        XCTAssertEqual(long.sketch, 0.25 + 0.4 * expf(-10), accuracy: 1e-5)
        XCTAssertEqual(net.sketch!.weight(tokens: 0), 0.65, accuracy: 1e-6)
        XCTAssertEqual(try FeatureSketch(dims: 3, weight: 0.25, idf: []).weight(tokens: 1), 0.25, "no short weight: constant")
        XCTAssertThrowsError(try FeatureSketch(dims: 3, weight: 0.3, idf: [], shortWeight: 0.7)) { XCTAssertTrue("\($0)".contains("below 1 - weight")) }
        XCTAssertThrowsError(try FeatureSketch(dims: 3, weight: 0.3, idf: [], shortWeight: -0.1))
        XCTAssertThrowsError(try FeatureSketch(dims: 3, weight: 0.3, idf: [], shortWeight: 0.2, shortLength: 0)) { XCTAssertTrue("\($0)".contains("length 0")) }
    }
}
