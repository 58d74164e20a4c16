import Foundation
import XCTest

/// `lexel distill-static` run the way a user does: a static model that `lexel embed` loads and that scores its
/// held-out documents, and inputs that do not fit together, which must give an error naming the file.
final class DistillStaticCLITests: LexelCLITestCase {
    func testStaticModelTrainsEmbedsAndReportsTheHoldout() throws {
        let corpus = temp("corpus.txt", LexicalFixtures.corpusLines.joined(separator: "\n") + "\n")
        let teacher = temp("teacher.npy", LexicalFixtures.npy(rows: 48, cols: 6))
        let tokens = temp("tokens.npy", LexicalFixtures.npy(rows: 67, cols: 6, seed: 2))
        let model = outputPath("static.lxm")
        let r = try lexel(["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
                           "--holdout", "8", "-epoch", "3", "--batch", "8", "--thread", "2", "--output", model, "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(r.err.contains("48 documents (40 training, 8 held out), 67 token rows of 6"), r.err)
        XCTAssert(r.err.contains("held-out (8 docs): Spearman"), r.err)
        XCTAssert(r.err.contains("saved file (int8 rows), held-out: Spearman"), r.err)

        // With 5 exact-match dimensions appended: 6 + 5 values, reported by --profile.
        let sketched = outputPath("sketched.lxm")
        let s = try lexel(["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
                           "--holdout", "8", "-epoch", "3", "--batch", "8", "--sketch-dims", "5", "--output", sketched, "--quiet"])
        XCTAssertEqual(s.status, 0, s.err)
        XCTAssert(s.err.contains("saved file (int8 rows, with the sketch), held-out: Spearman"), s.err)

        let docs = temp("docs.txt", LexicalFixtures.corpusLines.prefix(3).joined(separator: "\n") + "\n")
        let e = try lexel(["embed", "--model", model, docs, "--profile", "--quiet"])
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssert(e.err.contains("Model: 67 features -> 6, W0 int8"), e.err)
        let rows = embeddingRows(e.out)
        XCTAssertEqual(rows.count, 3)
        let se = try lexel(["embed", "--model", sketched, docs, "--profile", "--quiet"])
        XCTAssert(se.err.contains("no dense layers (static + sketch of 5 (weight 0.30))"), se.err)
        XCTAssertEqual(embeddingRows(se.out).map(\.count), [11, 11, 11])
        for row in rows {
            XCTAssertEqual(row.count, 6)
            XCTAssertEqual(row.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
        }
    }

    func testInputsThatDoNotFitGiveErrors() throws {
        let corpus = temp("corpus.txt", LexicalFixtures.corpusLines.joined(separator: "\n") + "\n")
        let teacher = temp("teacher.npy", LexicalFixtures.npy(rows: 48, cols: 6))
        let out = outputPath("never.lxm")
        func run(tokens: String, _ extra: [String] = []) -> [String] {
            ["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
             "--output", out, "--quiet"] + extra
        }
        let fewRows = temp("few.npy", LexicalFixtures.npy(rows: 10, cols: 6))
        try expectError(run(tokens: fewRows), "\(fewRows): 10 token vectors for a vocabulary of 67 tokens")
        let otherDim = temp("dim.npy", LexicalFixtures.npy(rows: 67, cols: 4))
        try expectError(run(tokens: otherDim), "\(teacher): teacher vectors have 6 values, the token vectors 4")
        let tokens = temp("tokens.npy", LexicalFixtures.npy(rows: 67, cols: 6))
        try expectError(run(tokens: tokens, ["--holdout", "47"]), "--holdout 47 leaves fewer than 2")
        try expectError(run(tokens: tokens, ["--sif", "0"]), "--sif must be > 0")
        try expectError(run(tokens: tokens, ["--sketch-dims", "8", "--sketch-weight", "1.5"]), "--sketch-dims 8 --sketch-weight 1.5: sketch: weight 1.5")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "failed runs write nothing")
    }
}
