import Foundation
import XCTest

/// `lexel cluster`, `assign` and `dedup` as a user runs them: outputs, determinism, pictures, bad input.
final class ClusterCLITests: LexelCLITestCase {
    /// A float32 `.npy` of the given rows.
    func npy(_ rows: [[Float]], dtype: String = "<f4") -> Data {
        let cols = rows.first?.count ?? 0
        var dict = "{'descr': '\(dtype)', 'fortran_order': False, 'shape': (\(rows.count), \(cols)), }"
        while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
        dict += "\n"
        var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(dict.utf8.count & 0xFF), UInt8(dict.utf8.count >> 8)])
        d.append(Data(dict.utf8))
        let flat = rows.flatMap { $0 }
        flat.withUnsafeBytes { d.append(contentsOf: $0) }
        return d
    }

    /// Three tight groups of 20 points in 8 dimensions.
    var groups: [[Float]] {
        (0..<60).map { (i: Int) -> [Float] in
            (0..<8).map { (j: Int) -> Float in
                let base: Float = j == i % 3 ? 1 : 0
                return base + Float((i * 31 + j * 7) % 13) * 0.004
            }
        }
    }

    func testClusterWritesItsOutputsTheSameAtAnyThreadCount() throws {
        let input = temp("x.npy", npy(groups))
        var outputs: [Data] = [], dirs: [String] = []
        for threads in ["1", "2"] {
            let dir = outputPath("c\(threads)")
            dirs.append(dir)
            let r = try lexel(["cluster", input, "-k", "3", "--output", dir, "--threads", threads, "--quiet"])
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssert(r.out.contains("60 points, k = 3"), r.out)
            let (rows, cols, _, _) = try readNpy(dir + "/centroids.npy")
            XCTAssertEqual([rows, cols], [3, 8])
            let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/metrics.json"))) as! [String: Any]
            XCTAssertEqual(metrics["sizes"] as? [Int], [20, 20, 20])
            let a = try Data(contentsOf: URL(fileURLWithPath: dir + "/assignments.npy"))
            XCTAssert(String(decoding: a.prefix(128), as: UTF8.self).contains("'<i4'"))
            XCTAssert(String(decoding: a.prefix(128), as: UTF8.self).contains("'shape': (60,)"))
            outputs.append(a + (try Data(contentsOf: URL(fileURLWithPath: dir + "/centroids.npy"))))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        // assign puts the same points into the saved clusters the same way
        let dir = outputPath("a")
        let r = try lexel(["assign", input, "--centroids", dirs[0] + "/centroids.npy", "--output", dir, "--precision", "f32", "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir + "/assignments.npy")),
                       try Data(contentsOf: URL(fileURLWithPath: dirs[0] + "/assignments.npy")))
    }

    func testBadInputsAreClearErrors() throws {
        let ok = temp("ok.npy", npy(groups))
        let out = outputPath("bad")
        try expectError(["cluster", ok, "-k", "61", "--output", out], "k = 61 clusters need at least 61 points, but there are 60")
        try expectError(["cluster", ok, "-k", "0", "--output", out], "k must be at least 1")
        var nan = groups
        nan[7][3] = .nan
        try expectError(["cluster", temp("nan.npy", npy(nan)), "-k", "2", "--output", out],
                        "row 7 has a value that is not a finite number (column 3)")
        var zero = groups
        zero[5] = [Float](repeating: 0, count: 8)
        try expectError(["cluster", temp("zero.npy", npy(zero)), "-k", "2", "--output", out], "row 5 is all zeros")
        XCTAssertEqual(try lexel(["cluster", temp("zero2.npy", npy(zero)), "-k", "2", "--output", out, "--metric", "euclidean", "--quiet"]).status, 0)
        try expectError(["cluster", temp("empty.npy", Data()), "-k", "2", "--output", out], "empty")
        let whole = npy(groups)
        try expectError(["cluster", temp("cut.npy", whole.prefix(whole.count - 100)), "-k", "2", "--output", out], "cut.npy")
        try expectError(["cluster", temp("i4.npy", npy([[1, 2]], dtype: "<i4")), "-k", "1", "--output", out], "k-means reads float32, float16 or int8")
        try expectError(["cluster", ok, "-k", "2", "--output", out, "--metric", "manhattan"], "--metric must be cosine or euclidean")
        let c = temp("c.npy", npy([[1, 0, 0], [0, 1, 0]]))
        try expectError(["assign", ok, "--centroids", c, "--output", out], "centroids of dimension 3, but the points have dimension 8")
        try expectError(["cluster", ok, "-k", "2", "--output", ok], "exists and is not a directory")
        try expectError(["cluster", "-", "-k", "1", "--output", out], "give a file, not standard input", stdin: "a b\n")
    }

    func testDocumentsGetSummariesPicturesAndAgreementWithTheirLabels() throws {
        let model = try distilledModel()
        let lines = LexicalFixtures.corpusLines.enumerated().map { "__label__\($0.offset % 2 == 0 ? "animals" : "tools") \($0.element)" }
        let docs = temp("docs.txt", lines.joined(separator: "\n") + "\n")
        let dir = outputPath("docs")
        let png = outputPath("map.png")
        let r = try lexel(["cluster", docs, "-k", "2", "--model", model, "--output", dir, "--plot", png, "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(r.out.contains("NMI 1.0000"), r.out)
        let jsonl = try String(contentsOfFile: dir + "/assignments.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(jsonl.count, 48)
        XCTAssert(jsonl[0].hasPrefix("{\"id\": 0, \"cluster\": "), String(jsonl[0]))
        let summary = try String(contentsOfFile: dir + "/summary.json", encoding: .utf8)
        XCTAssert(summary.contains("hammer") && summary.contains("horse"), summary)
        XCTAssertFalse(summary.contains("label"), summary)
        let picture = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertEqual(Array(picture.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssert(try String(contentsOfFile: String(png.dropLast(4)) + ".svg", encoding: .utf8).contains("<svg"))
    }

    func testDedupRemovesExactAndNearDuplicates() throws {
        let model = try distilledModel()
        // the fixture's 48 lines hold 8 distinct texts: 40 exact duplicates, and the copy below is one more
        var lines = LexicalFixtures.corpusLines.enumerated().map { "{\"id\": \"doc\($0.offset)\", \"text\": \"\($0.element)\"}" }
        lines.append("{\"id\": \"copy\", \"text\": \"  \(LexicalFixtures.corpusLines[0].uppercased())  \"}")
        let docs = temp("docs.jsonl", lines.joined(separator: "\n") + "\n")
        let dir = outputPath("dedup")
        let r = try lexel(["dedup", docs, "--model", model, "--eps", "0,0.5", "--output", dir, "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(r.out.contains("49 points: 41 exact duplicates"), r.out)
        let exact = try String(contentsOfFile: dir + "/duplicates-eps0.txt", encoding: .utf8).split(separator: "\n")
        XCTAssert(exact.contains("copy"), "\(exact)")
        let kept = try String(contentsOfFile: dir + "/kept-eps0.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(kept.count + exact.count, 49)
        XCTAssertEqual(kept.count, 8)
        XCTAssertFalse(kept.contains { $0.contains("\"copy\"") })
        try expectError(["dedup", docs, "--model", model, "--eps", "3", "--output", dir], "--eps takes cosine distances in 0...2")
        try expectError(["dedup", docs, "--model", model, "--keep", "odd", "--output", dir], "--keep must be hard, easy or random")
    }
}
