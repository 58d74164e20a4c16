import XCTest
import LexelTestSupport
@testable import LexelText

/// fastText's dictionary pruning (quantize -cutoff): kept words in id order, every label, and kept hash buckets
/// mapped to rows after the words, so that a line's features name the kept rows only.
final class SupervisedDictionaryPruningTests: XCTestCase {
    func testPruningKeepsWordsLabelsAndMapsBuckets() throws {
        var args = FastTextArgs()
        (args.wordNgrams, args.bucket) = (2, 1000)
        let train = tempFile("__label__a red green blue\n__label__b red green\n__label__b yellow\n")
        let d = try SupervisedDictionary.count(path: train, args: args, minCountLabel: 0)
        let w = { (s: String) in Int(d.id(of: Array(s.utf8))!) }
        let line = Array("red green".utf8)
        var features: [Int32] = [], labels: [Int32] = []
        line.withUnsafeBufferPointer { d.line($0, features: &features, labels: &labels) }
        // red, green, </s>, then the buckets of "red green" and "green </s>"
        XCTAssertEqual(features.count, 5)
        let bigram = Int(features[3])
        XCTAssertGreaterThanOrEqual(bigram, d.wordCount)

        // keep: the bigram's bucket, "green", "</s>" (given out of order)
        let (p, rows) = try d.pruned(keeping: [bigram, w("green"), w("</s>")])
        XCTAssertEqual(p.wordCount, 2)
        XCTAssertEqual(p.labels, d.labels)
        XCTAssertEqual(rows, [min(w("green"), w("</s>")), max(w("green"), w("</s>")), bigram])
        XCTAssertEqual(p.pruneIndex, [Int32(bigram - d.wordCount): 0])
        var pf: [Int32] = [], pl: [Int32] = []
        line.withUnsafeBufferPointer { p.line($0, features: &pf, labels: &pl) }
        // "red" and the "green </s>" bucket are gone; the kept rows are renumbered
        let green = Int32(p.id(of: Array("green".utf8))!), eos = Int32(p.id(of: Array("</s>".utf8))!)
        XCTAssertEqual(pf, [green, eos, Int32(p.wordCount)])
        XCTAssertNil(p.id(of: Array("red".utf8)))
        XCTAssertThrowsError(try p.pruned(keeping: [0])) { XCTAssert("\($0)".contains("pruned already"), "\($0)") }
        // nothing hashed kept: no bucket reaches a row any more (fastText's pruning index of size 0)
        let (none, _) = try d.pruned(keeping: [w("red")])
        var nf: [Int32] = []
        line.withUnsafeBufferPointer { none.line($0, features: &nf, labels: &pl) }
        XCTAssertEqual(nf, [0])
    }
}
