import XCTest
import LexelContainer
import LexelCore
import LexelKernels
import LexelText
import LexelVectors
@testable import LexelStore

final class OOVTests: XCTestCase {
    /// A text-vector file (no subwords) of random vectors for real-looking words.
    func textFile() throws -> VectorFile {
        let words = ["kernel", "memory", "driver", "device", "module", "network", "process", "thread", "schedule",
                     "interrupt", "filesystem", "directory", "permission", "happy", "running", "unhappy"]
        var rng = SplitMix64(seed: 99)
        var text = "\(words.count) 16\n"
        for w in words { text += w + " " + (0..<16).map { _ in "\(rng.nextUnitFloat() * 2 - 1)" }.joined(separator: " ") + "\n" }
        let src = storeTmp("w.vec"), out = storeTmp("w.lxv")
        try text.write(toFile: src, atomically: true, encoding: .utf8)
        try VectorFileWriter.write(try WordVectors.load(path: src), to: out, source: src)
        return try VectorFile(path: out)
    }

    func cos(_ a: [Float], _ b: [Float]) -> Float { Evaluation.cosine(a, b) }

    func testMisspellingsLandNearTheRightWord() throws {
        let f = try textFile()
        XCTAssertFalse(f.hasSubwords)
        for (typo, right) in [("kernnel", "kernel"), ("memmmory", "memory"), ("drivers", "driver"), ("netwrk", "network"),
                              ("happpy", "happy"), ("rerunning", "running")] {
            XCTAssertEqual(try f.spellingNeighbours(of: typo, k: 1).first, right, typo)
            let v = try f.vector(for: typo), r = try f.vector(for: right)
            XCTAssert(cos(v, r) > 0.5, "\(typo) ~ \(right): \(cos(v, r))")
            XCTAssertEqual(Evaluation.norm(v), 1, accuracy: 1e-5)
        }
    }

    func testFoldIndexFindsTheMostFrequentCaseVariant() throws {
        let words = ["paris", "Paris", "PARIS", "NASA", "Émile", "rome"]
        var text = "\(words.count) 4\n"
        for (i, w) in words.enumerated() { text += w + " " + (0..<4).map { "\(Float(i * 4 + $0 + 1))" }.joined(separator: " ") + "\n" }
        let src = storeTmp("cased.vec"), out = storeTmp("cased.lxv"), plain = storeTmp("plain.lxv")
        try text.write(toFile: src, atomically: true, encoding: .utf8)
        var o = VectorFileOptions()
        o.foldCase = true
        try VectorFileWriter.write(try WordVectors.load(path: src), to: out, options: o, source: src)
        try VectorFileWriter.write(try WordVectors.load(path: src), to: plain, source: src)
        let f = try VectorFile(path: out), p = try VectorFile(path: plain)
        XCTAssertTrue(f.hasFoldIndex)
        XCTAssertFalse(p.hasFoldIndex)
        XCTAssertEqual(f.row(of: "PARIS"), 2)  // exact match first
        XCTAssertEqual(try f.row(ignoringCase: "pArIs"), 0)  // then the most frequent case variant
        XCTAssertEqual(try f.row(ignoringCase: "nasa"), 3)
        XCTAssertEqual(try f.row(ignoringCase: "émile"), 4)
        XCTAssertNil(try f.row(ignoringCase: "berlin"))
        XCTAssertEqual(try f.vector(for: "Rome"), f.vector(row: 5))
        XCTAssertNotEqual(try p.vector(for: "Rome"), p.vector(row: 5))  // without the index: an OOV vector
        try f.verify()
    }

    func testOOVVectorsAreDeterministicAndDistinct() throws {
        let f = try textFile()
        let a1 = try f.vector(for: "zqxjv"), a2 = try f.vector(for: "zqxjv"), b = try f.vector(for: "qwfpgj")
        XCTAssertEqual(a1, a2)
        XCTAssertNotEqual(a1, b)
        // The random part is fixed by the spec (XXH64 + SplitMix64), not by this process.
        XCTAssertEqual(OOV.randomVector("zqxjv", dim: 4), OOV.randomVector("zqxjv", dim: 4))
        XCTAssertEqual(OOV.variants(of: "Happpy"), ["happpy", "happy", "hapy"])
    }

    func testSubwordFilesUseFastTextStyleOOV() throws {
        let v = sampleVectors()
        let path = storeTmp("s.lxv")
        try VectorFileWriter.write(v, to: path, source: "test")
        let f = try VectorFile(path: path)
        XCTAssertTrue(f.hasSubwords)
        for w in ["w12orx", "naïf", "zzz"] {
            let want = v.vector(for: w) ?? [Float](repeating: 0, count: 12)
            let got = try f.vector(for: w)
            for k in 0..<12 { XCTAssertEqual(got[k], want[k], accuracy: 1e-6, w) }
        }
    }

    func testFastTextModelConvertsWithExactOOVVectors() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("tiny-fasttext.json"))) as! [String: Any]
        let golden = json["vectors"] as! [String: [Double]]
        let path = storeTmp("ft.lxv")
        try VectorFileWriter.write(try WordVectors.load(path: dir.appendingPathComponent("tiny-fasttext.bin").path), to: path, source: "ft")
        let f = try VectorFile(path: path)
        for (w, want) in golden {
            let got = try f.vector(for: w)
            for k in 0..<want.count { XCTAssertEqual(Double(got[k]), want[k], accuracy: 1e-5, "\(w)[\(k)]") }
        }
    }
}
