import Foundation
import XCTest
import LexelTestSupport

/// `lexel predict`, `predict-prob` and `test` on models trained by the real fastText (LexelClassifierTests' fixtures).
final class ClassifierCLITests: LexelCLITestCase {
    let fixtures = repositoryRoot + "/Tests/LexelClassifierTests/Fixtures"

    func expected() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected.json"))) as! [String: Any]
    }

    func testPredictAndTestGiveFastTextsAnswers() throws {
        let e = try expected()
        let queries = e["queries"] as! [String]
        let models = e["models"] as! [String: [String: Any]]
        for (name, m) in models {
            let model = fixtures + "/\(name).bin"
            let wanted = (m["predictions"] as! [[[Any]]]).map { $0.map { $0[0] as! String } }
            let input = queries.filter { !$0.contains("\r") }.joined(separator: "\n") + "\n"
            let r = try lexel(["predict", model, "-", "-1"], stdin: input)
            XCTAssertEqual(r.status, 0, r.err)
            let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.split(separator: " ").map(String.init) }
            let kept = zip(queries, wanted).filter { !$0.0.contains("\r") }.map(\.1)
            XCTAssertEqual(lines, kept, name)
            let top = try lexel(["predict-prob", model, "-"], stdin: queries[0] + "\n")
            let parts = top.out.split(separator: " ")
            XCTAssertEqual(parts.count, 2, top.out)
            XCTAssertEqual(String(parts[0]), wanted[0][0])
            let test = try lexel(["test", model, fixtures + "/test.txt"])
            let k1 = m["test_k1"] as! [Double]
            XCTAssert(test.out.hasPrefix("N\t\(Int(k1[0]))\nP@1\t"), test.out)
        }
    }

    func testSupervisedWritesAModelThatPredicts() throws {
        let lines = (0..<240).map { i -> String in
            let t = ["sport match goal team", "tech kernel code server", "food bread cheese soup"][i % 3].split(separator: " ")
            return "__label__\(t[0]) " + (0..<6).map { t[1 + ($0 * 7 + i) % 3] }.joined(separator: " ")
        }
        let train = temp("train.txt", lines.joined(separator: "\n") + "\n")
        let out = outputPath("cls")
        let r = try lexel(["supervised", "-input", train, "-output", out, "-dim", "8", "-epoch", "10", "-thread", "1", "-verbose", "0"])
        XCTAssertEqual(r.status, 0, r.err)
        let test = try lexel(["test", out + ".bin", train])
        XCTAssert(test.out.hasPrefix("N\t240\nP@1\t1\n"), test.out)
        XCTAssertEqual(try lexel(["predict", out + ".bin", "-"], stdin: "goal team\nsoup bread\n").out, "__label__sport\n__label__food\n")
        // pretrained vectors: words found start from them; a dimension other than -dim is an error
        func row(_ word: String, _ value: String) -> String { word + " " + Array(repeating: value, count: 8).joined(separator: " ") }
        let vecText: String = ["3 8", row("goal", "0.1"), row("soup", "0.2"), row("zzz", "0.3")].joined(separator: "\n") + "\n"
        let vec = temp("pre.vec", vecText)
        let pre = try lexel(["supervised", "-input", train, "-output", out, "-dim", "8", "-epoch", "5", "-thread", "1", "-verbose", "1",
                             "-pretrainedVectors", vec])
        XCTAssertEqual(pre.status, 0, pre.err)
        XCTAssert(pre.err.contains("Pretrained vectors for 2 of"), pre.err)
        try expectError(["supervised", "-input", train, "-output", out, "-dim", "16", "-pretrainedVectors", vec],
                        "vectors of dimension 8, but -dim is 16")
        try expectError(["supervised", "-input", train, "-output", out, "-dim", "0"], "-dim")
        try expectError(["supervised", "-input", train, "-output", out, "-loss", "bogus"], "-loss")
    }

    /// Per-label metrics computed by hand for the hs fixture, which puts every test line in `food`: 28 lines, 12
    /// holding food (4 of them also tech), 8 sport, 12 tech. (fastText 0.9.2 prints `--------` for food's recall:
    /// its test-label bug #1072.)
    func testTestLabelGivesPerLabelMetricsAndConfusion() throws {
        let r = try lexel(["test-label", fixtures + "/hs-subwords.bin", fixtures + "/test.txt"])
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "F1-Score : 0.600000  Precision : 0.428571  Recall : 1.000000   __label__food")
        XCTAssertEqual(lines[1], "F1-Score : 0.000000  Precision : --------  Recall : 0.000000   __label__sport")
        XCTAssertEqual(Array(lines.suffix(3)), ["N\t28", "P@1\t0.429", "R@1\t0.375"])
        let j = try lexel(["test-label", fixtures + "/hs-subwords.bin", fixtures + "/test.txt", "--json"])
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any])
        XCTAssertEqual(report["confusion"] as? [[Int]], [[12, 0, 0], [8, 0, 0], [12, 0, 0]])
        XCTAssertEqual((report["labels"] as? [[String: Any]])?.map { $0["support"] as? Int }, [12, 8, 12])
    }

    /// `lexel filter` with fastText's language identifier keeps exactly the paragraphs fastText calls English
    /// with probability >= 0.9 (tools/make_lid_fixture.py), whole and in order, and scores every one.
    func testFilterKeepsWhatFastTextScoresHighEnough() throws {
        let e = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/lid-expected.json"))) as! [String: Any]
        let top1 = (e["top1"] as! [[Any]]).prefix(400)
        let out = outputPath("kept.jsonl"), scores = outputPath("scores.jsonl")
        let r = try lexel(["filter", repositoryRoot + "/vocab/demo-paragraphs.jsonl.zst", "--model", fixtures + "/lid.176.ftz",
                           "--keep", "__label__en", "--min-score", "0.9", "--output", out, "--scores", scores, "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        let kept = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        let keptIDs = Set(kept.prefix { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["id"] as? Int ?? 0 < 50_400
        }.compactMap { ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["id"] as? Int })
        for (i, row) in top1.enumerated() {
            let (label, p) = (row[0] as! String, row[1] as! Double)
            if abs(p - 0.9) < 1e-3 { continue }
            XCTAssertEqual(keptIDs.contains(50_000 + i), label == "__label__en" && p >= 0.9, "paragraph \(i): \(label) \(p)")
        }
        let scoreLines = try String(contentsOfFile: scores, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(scoreLines.count, 2000)
        try expectError(["filter", fixtures + "/test.txt", "--model", fixtures + "/ns.bin", "--keep", "__label__nope"],
                        "--keep '__label__nope' is not a label of the model")
    }

    /// --keep-fraction keeps the share of documents that score highest: a first pass finds the threshold.
    func testFilterKeepFraction() throws {
        let corpus = repositoryRoot + "/vocab/demo-paragraphs.jsonl.zst", model = fixtures + "/lid.176.ftz"
        let scores = outputPath("all-scores.jsonl"), out = outputPath("top.jsonl"), kept = outputPath("top-scores.jsonl")
        XCTAssertEqual(try lexel(["filter", corpus, "--model", model, "--keep", "__label__de", "--min-score", "0", "--scores", scores,
                                  "--output", outputPath("all.jsonl"), "--quiet"]).status, 0)
        let r = try lexel(["filter", corpus, "--model", model, "--keep", "__label__de", "--keep-fraction", "0.1", "--output", out,
                           "--scores", kept, "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        func rows(_ path: String) throws -> [[String: Any]] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        }
        let all = try rows(scores).map { $0["score"] as! Double }, marks = try rows(kept).map { $0["kept"] as! Bool }
        let keptScores = zip(all, marks).filter(\.1).map(\.0), dropped = zip(all, marks).filter { !$0.1 }.map(\.0)
        XCTAssertEqual(all.count, 2000)
        XCTAssert((200...210).contains(keptScores.count), "\(keptScores.count) kept for 10% of 2000")
        XCTAssertGreaterThanOrEqual(keptScores.min()!, dropped.max()!, "the kept documents are the highest scoring")
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").count, keptScores.count)
        try expectError(["filter", "-", "--model", model, "--keep", "__label__de", "--keep-fraction", "0.1"], "give a file, not standard input")
    }

    /// A head on document embeddings from the command line (fastText's single-dash spelling too), then `test` and
    /// `predict` on the one .lxm it writes.
    func testHeadOnEmbeddings() throws {
        let lines = (0..<40).map { i in i % 2 == 0 ? "__label__sport the team scored a late goal in the match" : "__label__food bake the bread with butter and flour" }
        let train = temp("heads.txt", lines.joined(separator: "\n") + "\n")
        let prefix = outputPath("head")
        let r = try lexel(["supervised", "-input", train, "-output", prefix, "-features", "lexical", "--head", "mlp", "--hidden", "8", "--head-epochs", "100", "--head-lr", "0.05", "-verbose", "0"])
        XCTAssertEqual(r.status, 0, r.err)
        let test = try lexel(["test", prefix + ".lxm", train])
        XCTAssertEqual(test.status, 0, test.err)
        XCTAssert(test.out.contains("N\t40\nP@1\t1"), test.out)
        let p = try lexel(["predict", prefix + ".lxm", "-"], stdin: "a goal in the match\n")
        XCTAssertEqual(p.out, "__label__sport\n")
        try expectError(["supervised", "-input", train, "-output", prefix, "--features", "tfidf"], "--features: expected lexical")
        let labelsOnly = temp("labels-only.txt", "__label__a\n__label__b\n")
        try expectError(["supervised", "-input", labelsOnly, "-output", prefix, "--features", "lexical"], "labels only: no labelled line has any text")
    }

    func testPredictJSONLinesInAndOut() throws {
        let docs = temp("docs.jsonl", "{\"id\": 7, \"text\": \"the team scored a late goal\"}\n{\"text\": \"bake the bread\\nwith garlic\"}\n")
        let r = try lexel(["predict", fixtures + "/softmax-bigrams.bin", docs, "2", "--json", "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.err)
        let rows = r.out.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertEqual(rows.map { $0["index"] as? Int }, [0, 1])
        XCTAssertEqual((rows[0]["labels"] as? [String])?.count, 2)
        XCTAssertEqual((rows[0]["probabilities"] as? [Double])?.count, 2)
    }

    func testWrongFilesAndArgumentsAreErrors() throws {
        try expectError(["predict", repositoryRoot + "/vocab/lexel-minilm-distilled.lxm", "-"], "a lexical model without a classifier head")
        try expectError(["predict", fixtures + "/ns.bin", "-", "0"], "k must be positive, or -1")
        try expectError(["test", fixtures + "/ns.bin", fixtures + "/test.txt", "1", "2"], "threshold must be in [0, 1]")
        try expectError(["predict", fixtures + "/ns.bin", "/no/such/file"], "cannot open")
    }
}
