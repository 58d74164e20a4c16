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

        // The short-text weight, at training or afterwards with `lexel convert`: the same file either way.
        let boosted = outputPath("boosted.lxm"), converted = outputPath("converted.lxm")
        let b = try lexel(["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
                           "--holdout", "8", "-epoch", "3", "--batch", "8", "--sketch-dims", "5", "--sketch-short-weight", "0.4",
                           "--sketch-short-length", "10", "--output", boosted, "--quiet"])
        XCTAssertEqual(b.status, 0, b.err)
        XCTAssertEqual(try lexel(["convert", sketched, converted, "--dtype", "int8", "--sketch-short-weight", "0.4",
                                  "--sketch-short-length", "10"]).status, 0)
        XCTAssertEqual(FileManager.default.contents(atPath: boosted), FileManager.default.contents(atPath: converted))
        let be = try lexel(["embed", "--model", boosted, docs, "--profile", "--quiet"])
        XCTAssert(be.err.contains("sketch of 5 (weight 0.30 + 0.40 exp(-tokens / 10)))"), be.err)
        XCTAssertNotEqual(embeddingRows(be.out), embeddingRows(se.out))
        try expectError(["convert", model, outputPath("never.lxm"), "--sketch-short-weight", "0.4"], "this model has none")
        try expectError(["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
                         "--sketch-dims", "5", "--sketch-short-weight", "0.8", "--output", outputPath("never.lxm")], "below 1 - weight")
        for row in rows {
            XCTAssertEqual(row.count, 6)
            XCTAssertEqual(row.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
        }
    }

    /// `--ngrams`: the table's bigrams get rows after the tokens', so word order starts to count ("cat dog" is a
    /// bigram of the corpus, "dog cat" is not); tables with unigrams and thresholds nothing passes are errors.
    func testNgramRowsFromATableMakeWordOrderCount() throws {
        let corpus = temp("corpus.txt", LexicalFixtures.corpusLines.joined(separator: "\n") + "\n")
        let teacher = temp("teacher.npy", LexicalFixtures.npy(rows: 48, cols: 6))
        let tokens = temp("tokens.npy", LexicalFixtures.npy(rows: 67, cols: 6, seed: 2))
        let table = outputPath("bigrams.tsv"), unigrams = outputPath("unigrams.tsv")
        XCTAssertEqual(try lexel(["ngrams", corpus, "--vocab", LexicalFixtures.tinyVocab, "--minn", "2", "--maxn", "2", "--output", table]).status, 0)
        XCTAssertEqual(try lexel(["ngrams", corpus, "--vocab", LexicalFixtures.tinyVocab, "--minn", "1", "--maxn", "2", "--output", unigrams]).status, 0)
        func run(_ ngrams: String, _ minDF: String, output: String) throws -> Result {
            try lexel(["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
                       "--holdout", "8", "-epoch", "3", "--batch", "8", "--ngrams", ngrams, "--ngram-min-df", minDF,
                       "--sketch-dims", "5", "--output", output, "--quiet"])
        }
        let model = outputPath("bigrams.lxm")
        let r = try run(table, "2", output: model)
        XCTAssertEqual(r.status, 0, r.err)
        // 8 bigrams within each group's cycle of 4 words (the lines never join the groups).
        XCTAssert(r.err.contains("67 token rows and 8 n-gram rows (2-grams in \(table) with >= 2 documents) of 6"), r.err)
        let docs = temp("order.txt", "cat dog\ndog cat\ncat\n")
        let e = try lexel(["embed", "--model", model, docs, "--profile", "--quiet"])
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssert(e.err.contains("Model: 75 features -> 6"), e.err)
        let rows = embeddingRows(e.out)
        XCTAssertEqual(rows.map(\.count), [11, 11, 11])
        XCTAssertGreaterThan(zip(rows[0], rows[1]).map { abs($0 - $1) }.max()!, 1e-3, "the bigram row moves \"cat dog\"")

        try expectError(["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
                         "--ngrams", unigrams, "--output", outputPath("never.lxm"), "--quiet"],
                        "\(unigrams): --ngrams: the table counts n-grams of 1 to 2 tokens; count them with `lexel ngrams --minn 2`")
        try expectError(["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
                         "--ngrams", table, "--ngram-min-df", "1000", "--output", outputPath("never.lxm"), "--quiet"],
                        "\(table): --ngrams: no n-gram has >= 1000 documents")
        // A table whose n-grams never occur (the words in reverse order: as if counted with another vocabulary).
        let reversed = temp("reversed.txt", String(repeating: "cat cow horse dog\nhammer nail drill saw\n", count: 3))
        let foreign = outputPath("foreign.tsv")
        XCTAssertEqual(try lexel(["ngrams", reversed, "--vocab", LexicalFixtures.tinyVocab, "--minn", "2", "--maxn", "2", "--output", foreign]).status, 0)
        try expectError(["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
                         "--ngrams", foreign, "--ngram-min-df", "1", "--output", outputPath("never.lxm"), "--quiet"],
                        "\(foreign): --ngrams: none of its 6 n-grams occurs in the training documents")
        try expectError(["distill-static", corpus, "--teacher", teacher, "--token-vectors", tokens, "--vocab", LexicalFixtures.tinyVocab,
                         "--ngram-min-df", "5", "--output", outputPath("never.lxm"), "--quiet"], "--ngram-min-df needs --ngrams TABLE")
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
