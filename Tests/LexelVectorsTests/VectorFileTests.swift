import XCTest
import LexelTestSupport
import LexelCore
import LexelKernels
import LexelText
@testable import LexelVectors

func tmpPath(_ name: String) -> String {
    TestTemporaryFiles.folder("vec") + "/" + name
}

/// Small vectors with subword rows, built by hand.
func handMadeVectors(subwords: Bool) -> WordVectors {
    let words = ["alpha", "beta", "gamma", "</s>", "naïve"]
    let vocab = Vocabulary(words: words.map { Array($0.utf8) }, counts: [50, 40, 30, 20, 10], totalTokens: 150)
    let bucket = subwords ? 97 : 0
    let sub = SubwordIndex(vocabulary: vocab, minn: 2, maxn: subwords ? 4 : 0, bucket: bucket)
    let m = Matrix(rows: sub.rowCount, cols: 6)
    m.fillUniform(bound: 1, seed: 3)
    return WordVectors(vocabulary: vocab, rows: UnsafePointer(m.pointer), rowCount: m.rows, dim: 6, minn: 2,
                       maxn: subwords ? 4 : 0, bucket: bucket,
                       usedBuckets: UnsafeBufferPointer(start: sub.usedBuckets.base, count: sub.usedBuckets.count),
                       metadata: [("model", "test")], owners: [m, sub])
}

final class VectorFileTests: XCTestCase {
    func testTextVectorsRoundTripExactly() throws {
        let v = handMadeVectors(subwords: false)
        let path = tmpPath("v.vec")
        try TextVectors.write(v, path: path)
        let r = try WordVectors.load(path: path)
        XCTAssertEqual(r.vocabulary.words, v.vocabulary.words)
        XCTAssertEqual(r.dim, 6)
        for w in v.vocabulary.words { XCTAssertEqual(r.vector(for: w), v.vector(for: w), w) }
    }

    func testTextVectorsWithoutHeaderGloVeStyle() throws {
        let path = tmpPath("g.txt")
        try "a 1 2 3\nb 4 5 6\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try WordVectors.load(path: path)
        XCTAssertEqual(r.vocabulary.words, ["a", "b"])
        XCTAssertEqual(r.vector(for: "b"), [4, 5, 6])
    }

    func testBadTextVectorsGiveErrorsWithLineNumbers() throws {
        let cases = ["2 3\na 1 2 3\n": "announces 2",
                     "2 3\na 1 2\nb 1 2 3\n": "line 2 has 2 values",
                     "2 3\na 1 x 3\nb 1 2 3\n": "not a finite number"]
        for (text, message) in cases {
            let path = tmpPath("bad.vec")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try WordVectors.load(path: path)) { XCTAssert("\($0)".contains(message), "\($0)") }
        }
    }

    func testModelFileRoundTripKeepsSubwordsAndOOVVectors() throws {
        let v = handMadeVectors(subwords: true)
        let path = tmpPath("m.bin")
        try ModelFile.write(path: path, vectors: v)
        let r = try WordVectors.load(path: path)
        XCTAssertEqual(r.vocabulary.words, v.vocabulary.words)
        XCTAssertEqual(r.vocabulary.counts, v.vocabulary.counts)
        XCTAssertEqual(r.bucket, 97)
        XCTAssertEqual(r.metadata.first?.1, "test")
        for w in ["alpha", "naïve", "unknownword", "alphx"] { XCTAssertEqual(r.vector(for: w), v.vector(for: w), w) }
        XCTAssert(r.usedBuckets.count > 10 && r.usedBuckets.count < 97, "only buckets of vocabulary n-grams get rows")
        XCTAssertEqual(r.rowCount, 5 + r.usedBuckets.count)
        // An OOV word's vector is the mean of the rows of its n-grams that have one.
        let rows = r.rowIndices(for: "zeta")
        let known = subwordStrings(of: "zeta", minn: 2, maxn: 4).filter { g in
            SubwordIndex.rank(of: fastTextHash(g) % 97, in: r.usedBuckets) != nil
        }
        XCTAssertEqual(rows.count, known.count)
        XCTAssert(rows.count > 0)
        var mean = [Float](repeating: 0, count: 6)
        for row in rows { for k in 0..<6 { mean[k] += v.rows[Int(row) * 6 + k] } }
        let got = r.vector(for: "zeta")!
        for k in 0..<6 { XCTAssertEqual(got[k], mean[k] / Float(rows.count), accuracy: 1e-6) }
        XCTAssertNil(handMadeVectors(subwords: false).vector(for: "zeta"), "no subwords: unknown words have no vector")
    }

    func testCorruptModelFilesAreRejected() throws {
        let v = handMadeVectors(subwords: true)
        let path = tmpPath("m.bin")
        try ModelFile.write(path: path, vectors: v)
        let good = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = tmpPath("t.bin")
        try good.prefix(good.count - 10).write(to: URL(fileURLWithPath: truncated))
        XCTAssertThrowsError(try WordVectors.load(path: truncated)) { XCTAssert("\($0)".contains("truncated"), "\($0)") }
        var badVersion = good
        badVersion[8] = 99
        let bv = tmpPath("v.bin")
        try badVersion.write(to: URL(fileURLWithPath: bv))
        XCTAssertThrowsError(try WordVectors.load(path: bv)) { XCTAssert("\($0)".contains("version"), "\($0)") }
        let headerOnly = tmpPath("h.bin")
        try good.prefix(30).write(to: URL(fileURLWithPath: headerOnly))
        XCTAssertThrowsError(try WordVectors.load(path: headerOnly))
        var hugeCount = good
        for i in 16..<24 { hugeCount[i] = 0x7F }
        let hc = tmpPath("c.bin")
        try hugeCount.write(to: URL(fileURLWithPath: hc))
        XCTAssertThrowsError(try WordVectors.load(path: hc))
    }

    func testWord2VecBinaryRoundTripAndNpyExport() throws {
        let v = handMadeVectors(subwords: true)
        let path = tmpPath("w2v.bin")
        try Word2VecBinary.write(v, path: path)
        let r = try WordVectors.load(path: path)
        XCTAssertEqual(r.vocabulary.words, v.vocabulary.words)
        for w in v.vocabulary.words { XCTAssertEqual(r.vector(for: w), v.vector(for: w), w) }
        let npy = tmpPath("m.npy")
        try Word2VecBinary.writeNpy(v, path: npy)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: npy)))
        XCTAssertEqual(Array(bytes[0..<6]), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        XCTAssertEqual((10 + headerLength) % 64, 0)
        XCTAssert(String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self).contains("'shape': (5, 6)"))
        XCTAssertEqual(bytes.count, 10 + headerLength + 5 * 6 * 4)
        let keys = try String(contentsOfFile: String(npy.dropLast(4)) + ".keys.txt", encoding: .utf8)
        XCTAssertEqual(keys, v.vocabulary.words.joined(separator: "\n") + "\n")
        let cut = tmpPath("cut.bin")
        try Data(Array(try Data(contentsOf: URL(fileURLWithPath: path))).dropLast(3)).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try WordVectors.load(path: cut)) { XCTAssert("\($0)".contains("truncated"), "\($0)") }
    }

    func testAtomicWriteLeavesExistingFileUntilCommit() throws {
        let path = tmpPath("out.txt")
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        do {
            let w = try AtomicFileWriter(path: path)
            try w.write("new contents")
            // Not committed: dropped here.
        }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
        let w = try AtomicFileWriter(path: path)
        try w.write("new")
        try w.commit()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        XCTAssertEqual(leftovers, ["out.txt"])
    }
}

final class EvaluationTests: XCTestCase {
    func testSpearmanWithTies() {
        XCTAssertEqual(Evaluation.spearman([1, 2, 3, 4], [10, 20, 30, 40]), 1, accuracy: 1e-12)
        XCTAssertEqual(Evaluation.spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1, accuracy: 1e-12)
        // Ranks of y with a tie: [1, 2.5, 2.5, 4]; rho = 0.9486832980505138 (scipy.stats.spearmanr).
        XCTAssertEqual(Evaluation.spearman([1, 2, 3, 4], [1, 5, 5, 9]), 0.9486832980505138, accuracy: 1e-12)
    }

    func testAnalogiesAndSimilarityOnHandMadeVectors() throws {
        // king - man + woman = queen exactly, in 3 dimensions: (royal, male, female)
        let text = "6 3\nking 1 1 0\nqueen 1 0 1\nman 0 1 0\nwoman 0 0 1\napple 0.1 -1 -1\nprince 0.9 1 0.1\n"
        let path = tmpPath("a.vec")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let v = try WordVectors.load(path: path)
        XCTAssertEqual(v.analogy("man", "king", "woman", k: 1)?.first?.word, "queen")
        XCTAssertEqual(v.nearest(toWord: "king", k: 1)?.first?.word, "prince")
        let q = tmpPath("q.txt")
        try ": family\nman king woman queen\nMAN KING WOMAN QUEEN\nman king woman zebra\n: other\nking queen man woman\n"
            .write(toFile: q, atomically: true, encoding: .utf8)
        let r = try Evaluation.analogies(v, path: q)
        XCTAssertEqual(r.sections.map(\.name), ["family", "other"])
        XCTAssertEqual(r.sections[0].questions, 3)
        XCTAssertEqual(r.sections[0].answered, 2, "questions with an unknown word are not answered")
        XCTAssertEqual(r.sections[0].correct, 2)
        XCTAssertEqual(r.sections[1].correct, 1)
        let restricted = try Evaluation.analogies(v, path: q, restrict: 3)
        XCTAssertEqual(restricted.answered, 0, "woman is not among the 3 most frequent")
        let s = tmpPath("s.tsv")
        try "# comment\nking\tqueen\t8\nking\tapple\t1\nman\twoman\t6\nman\tzebra\t3\n".write(toFile: s, atomically: true, encoding: .utf8)
        let sim = try Evaluation.similarity(v, path: s)
        XCTAssertEqual(sim.pairs, 3)
        XCTAssertEqual(sim.oovPairs, 1)
        XCTAssertEqual(sim.skipped, 1)
    }
}
