import XCTest
@testable import LexelText
import LexelKernels

/// A temp file with the given bytes; removed at the end of the test.
func tempFile(_ bytes: [UInt8], _ name: String = "corpus.txt") -> String {
    let dir = TestTemporaryFiles.folder("text")
    let path = dir + "/" + name
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

func tempFile(_ text: String, _ name: String = "corpus.txt") -> String { tempFile(Array(text.utf8), name) }

let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

final class TextPipelineTests: XCTestCase {
    func lines(_ path: String, capacity: Int = 1 << 20) throws -> [(String, Bool, Int64)] {
        var out: [(String, Bool, Int64)] = []
        try LineReader(path: path, capacity: capacity).forEachLine { l, ends, off in
            out.append((String(decoding: l, as: UTF8.self), ends, off))
        }
        return out
    }

    func testLineReaderLinesOffsetsAndLastLine() throws {
        let l = try lines(tempFile("ab c\n\nd e f\ng"))
        XCTAssertEqual(l.map(\.0), ["ab c", "", "d e f", "g"])
        XCTAssertEqual(l.map(\.1), [true, true, true, false])
        XCTAssertEqual(l.map(\.2), [0, 5, 6, 12])
    }

    func testLineReaderSplitsLinesLongerThanItsBufferAtWhitespace() throws {
        let words = (0..<1000).map { "w\($0)" }
        let l = try lines(tempFile(words.joined(separator: " ") + "\nlast\n"), capacity: 256)
        XCTAssert(l.count > 10)
        var tokens: [String] = []
        for (s, _, _) in l { tokens += s.split(separator: " ").map(String.init) }
        XCTAssertEqual(tokens, words + ["last"], "no token is cut or lost")
        XCTAssertEqual(l.filter(\.1).count, 2, "only real line ends count as line ends")
    }

    func testGiantTokenIsCutNotFatal() throws {
        let l = try lines(tempFile(String(repeating: "x", count: 1000) + "\n"), capacity: 128)
        XCTAssertEqual(l.map(\.0).joined().count, 1000)
    }

    func testZstdInputReadsLikePlainInput() throws {
        XCTAssertEqual(try lines(fixtures + "/tiny.txt.zst").map(\.0), try lines(fixtures + "/tiny.txt").map(\.0))
    }

    func testTruncatedZstdIsAnError() throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: fixtures + "/tiny.txt.zst")))
        let path = tempFile(Array(bytes.dropLast(5)), "cut.zst")
        XCTAssertThrowsError(try lines(path)) { e in
            XCTAssert("\(e)".contains("zstd"), "\(e)")
            XCTAssert("\(e)".contains(path), "names the file: \(e)")
        }
    }

    func testTokenizerUsesFastTextSeparators() {
        let s = Array("a\tb\u{0B}c\u{0C}d\re  f\u{0}g".utf8)
        var toks: [String] = []
        s.withUnsafeBufferPointer { forEachToken(in: $0) { t, _ in toks.append(String(decoding: t, as: UTF8.self)) } }
        XCTAssertEqual(toks, ["a", "b", "c", "d", "e", "f", "g"])
    }

    func testUTF8Validation() {
        func check(_ b: [UInt8]) -> Int? { b.withUnsafeBufferPointer { firstInvalidUTF8($0) } }
        XCTAssertNil(check(Array("héllo 日本 😀".utf8)))
        XCTAssertEqual(check([0x61, 0xFF]), 1)
        XCTAssertEqual(check([0xC0, 0x80]), 0, "overlong")
        XCTAssertEqual(check([0xED, 0xA0, 0x80]), 0, "surrogate")
        XCTAssertEqual(check([0x61, 0xE6, 0x97]), 1, "truncated sequence")
        XCTAssertEqual(check([0xF4, 0x90, 0x80, 0x80]), 0, "above U+10FFFF")
    }

    func testVocabularyCountsOrderAndEndOfLine() throws {
        let v = try Vocabulary.count(path: tempFile("b a b\nc b a\n"), minCount: 1)
        XCTAssertEqual(v.words, ["b", "a", "</s>", "c"])
        XCTAssertEqual(v.counts, [3, 2, 2, 1])
        XCTAssertEqual(v.totalTokens, 8)
        XCTAssertEqual(v.id(of: "c"), 3)
        XCTAssertNil(v.id(of: "zz"))
        let v2 = try Vocabulary.count(path: tempFile("b a b\nc b a\n"), minCount: 2)
        XCTAssertEqual(v2.words, ["b", "a", "</s>"])
        XCTAssertEqual(v2.totalTokens, 8, "tokens below minCount still count")
    }

    func testPruningDropsRareWordsAndKeepsFrequentOnes() {
        var b = VocabularyBuilder(maxSize: 8)
        for i in 0..<100 {
            b.add("common")
            b.add("rare\(i)")
        }
        XCTAssert(b.distinctCount <= 8)
        XCTAssert(b.pruneThreshold > 1)
        let v = b.build(minCount: 1)
        XCTAssertEqual(v.word(0), "common")
        XCTAssertEqual(v.counts[0], 100)
        XCTAssertEqual(b.totalTokens, 200)
    }

    func testEmptyAndInvalidCorporaGiveClearErrors() {
        XCTAssertThrowsError(try Vocabulary.count(path: tempFile(""), minCount: 1)) { e in
            XCTAssert("\(e)".contains("no words"), "\(e)")
        }
        XCTAssertThrowsError(try Vocabulary.count(path: tempFile(" \n\n \n"), minCount: 1))
        XCTAssertThrowsError(try Vocabulary.count(path: tempFile([0x61, 0x20, 0x62, 0xFF, 0x0A]), minCount: 1)) { e in
            XCTAssertEqual((e as? LexelError)?.offset, 3, "\(e)")
            XCTAssert("\(e)".contains("invalid UTF-8"))
        }
        XCTAssertThrowsError(try Vocabulary.count(path: "/nonexistent/lexel", minCount: 1)) { e in
            XCTAssert("\(e)".contains("/nonexistent/lexel"))
        }
        XCTAssertThrowsError(try Vocabulary.count(path: NSTemporaryDirectory(), minCount: 1)) { e in
            XCTAssert("\(e)".contains("directory"), "\(e)")
        }
        XCTAssertThrowsError(try Vocabulary.count(path: tempFile("a b c\n"), minCount: 5)) { e in
            XCTAssert("\(e)".contains("minCount"), "\(e)")
        }
    }

    func testSubsamplingFormulas() {
        // f = 0.01, t = 1e-4: fastText keeps sqrt(0.01) + 0.01 = 0.11, the paper's formula sqrt(0.01) = 0.1.
        let counts: [Int64] = [100, 1]
        let ft = Subsampler(counts: counts, totalTokens: 10_000, t: 1e-4)
        let paper = Subsampler(counts: counts, totalTokens: 10_000, t: 1e-4, formula: .paper)
        XCTAssertEqual(ft.keepProbability(0), 0.11, accuracy: 1e-6)
        XCTAssertEqual(paper.keepProbability(0), 0.1, accuracy: 1e-6)
        XCTAssertEqual(ft.keepProbability(1), 1, "rare words are always kept")
        var rng = SplitMix64(seed: 9)
        var kept = 0
        for _ in 0..<100_000 where ft.keep(0, &rng) { kept += 1 }
        XCTAssertEqual(Double(kept) / 100_000, 0.11, accuracy: 0.005)
        let off = Subsampler(counts: counts, totalTokens: 10_000, t: 0)
        XCTAssertEqual(off.keepProbability(0), 1)
    }

    func testNegativeSamplerFollowsUnigramPower() {
        let counts: [Int64] = [1000, 300, 100, 10, 1]
        let s = NegativeSampler(counts: counts, power: 0.75)
        var rng = SplitMix64(seed: 11)
        var hist = [Int](repeating: 0, count: counts.count)
        let draws = 400_000
        for _ in 0..<draws { hist[Int(s.sample(&rng))] += 1 }
        let w = counts.map { pow(Double($0), 0.75) }
        let z = w.reduce(0, +)
        for i in 0..<counts.count {
            XCTAssertEqual(Double(hist[i]) / Double(draws), w[i] / z, accuracy: 0.004, "word \(i): \(hist)")
        }
    }
}
