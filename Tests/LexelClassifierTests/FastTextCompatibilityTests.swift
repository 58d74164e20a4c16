import Foundation
import XCTest
import LexelCore
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
            for (q, query) in expected.queries.enumerated() {
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
