import Foundation
import XCTest

/// `lexel ngrams` and `lexel distill`, run the way a user does: exact n-gram counts of a corpus whose counts are
/// known, a distilled model that `lexel embed` loads, and bad inputs and flags, which must give an error naming
/// the file (with the line or byte offset where there is one) and write nothing.
final class DistillNgramsCLITests: LexelCLITestCase {
    let vocab = LexicalFixtures.tinyVocab

    /// The rows of an n-gram table: (hash, count, document frequency, tokens).
    func tableRows(_ text: String) -> [(String, Int, Int, String)] {
        text.split(separator: "\n").dropFirst().map { l in
            let f = l.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return (f[0], Int(f[1]) ?? -1, Int(f[2]) ?? -1, f.count > 3 ? f[3] : "")
        }
    }

    func testNgramsCountsAKnownCorpusExactly() throws {
        // Each document: 8 tokens cycling through the 4 words of its topic, so every document holds all 4
        // unigrams, bigrams and trigrams of its topic: 8 + 7 + 6 = 21 n-grams, 1008 in all.
        let (_, tablePath, _) = try distillInputs(vocab: LexicalFixtures.vocab)
        let text = try String(contentsOfFile: tablePath, encoding: .utf8)
        XCTAssert(text.hasPrefix("# lexel-ngrams v1 minn=1 maxn=3 documents=48 total=1008 tokenizer=bert-base-uncased\n"), text)
        let rows = tableRows(text)
        XCTAssertEqual(rows.count, 24, "8 words, 8 bigrams and 8 trigrams, fewer than --top 100")
        XCTAssertEqual(rows.map(\.1), [Int](repeating: 48, count: 8) + [Int](repeating: 42, count: 8) + [Int](repeating: 36, count: 8),
                       "each word twice per document (48), each bigram 7/4 (42) and each trigram 6/4 (36) per document on average")
        XCTAssertEqual(Set(rows.map(\.2)), [24], "every n-gram is in all 24 documents of its topic")
        XCTAssertEqual(Set(rows.prefix(8).map(\.3)), ["cat", "dog", "horse", "cow", "hammer", "saw", "drill", "nail"])
        XCTAssert(rows.allSatisfy { $0.0.count == 16 && UInt64($0.0, radix: 16) != nil }, "16 hex digits")
        XCTAssert(rows.contains { $0.3 == "cat dog horse" }, "\(rows.map(\.3))")

        // JSON Lines on standard input, --top 3 of 1-2-grams: the three largest counts.
        let jsonl = LexicalFixtures.corpusLines.map { "{\"text\": \"\($0)\"}" }.joined(separator: "\n")
        let top = outputPath("top.tsv")
        let r = try lexel(["ngrams", "-", "--field", "text", "--top", "3", "--maxn", "2", "--vocab", vocab, "--output", top,
                           "--threads", "1", "--quiet"], stdin: jsonl)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(r.err.contains("wrote 3 n-grams to \(top): 3 certainly in the true top 3"), r.err)
        let small = try String(contentsOfFile: top, encoding: .utf8)
        XCTAssert(small.hasPrefix("# lexel-ngrams v1 minn=1 maxn=2 documents=48 total=720 tokenizer=tiny-wordpiece\n"), small)
        XCTAssertEqual(tableRows(small).map(\.1), [48, 48, 48])
    }

    func testNgramsBadInputAndFlags() throws {
        let corpus = temp("corpus.txt", "cat dog\n")
        let out = outputPath("n.tsv")
        func ngrams(_ input: String, _ extra: [String] = []) -> [String] {
            ["ngrams", input, "--vocab", vocab, "--output", out, "--threads", "1", "--quiet"] + extra
        }
        let empty = temp("empty.txt", "")
        try expectError(ngrams(empty), "\(empty): no documents: nothing to count; no table written")
        let blank = temp("blank.txt", "\n  \n\n")
        try expectError(ngrams(blank), "\(blank): no n-grams of 1...5 tokens in its 3 documents; no table written")
        try expectError(ngrams(corpus, ["--minn", "3", "--maxn", "4"]), "no n-grams of 3...4 tokens in its 1 document;")
        let latin1 = temp("latin1.txt", Data("cat\ncaf".utf8) + Data([0xE9, 0x0A]))
        try expectError(ngrams(latin1), "\(latin1): at byte offset 7: line 2: invalid UTF-8")
        try expectError(ngrams("/no/such/corpus.txt"), "/no/such/corpus.txt: cannot open")
        try expectError(ngrams(corpus, ["--top", "0"]), "--top must be at least 1 (got 0)")
        try expectError(ngrams(corpus, ["--top", "-5"]), "--top must be at least 1 (got -5)")
        try expectError(ngrams(corpus, ["--minn", "3", "--maxn", "2"]), "need 1 <= minn <= maxn <= 16 (got 3 and 2)")
        try expectError(ngrams(corpus, ["--maxn", "17"]), "need 1 <= minn <= maxn <= 16 (got 1 and 17)")
        try expectError(ngrams(corpus, ["--threads", "0"]), "--threads must be 1...1024 (got 0)")
        try expectError(ngrams(corpus, ["--capacity-factor", "0.5"]), "--capacity-factor must be between 1 and 1000")
        try expectError(ngrams(corpus, ["--vocab", "/no/such/vocab.txt"]), "/no/such/vocab.txt: cannot read the WordPiece vocabulary")
        try expectError(ngrams(corpus, ["--vocab", latin1]), "\(latin1): cannot read the WordPiece vocabulary")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "failed runs write nothing")
    }

    func testDistilledModelEmbedsAndHoldoutIsEvaluated() throws {
        let model = try distilledModel()
        let docs = temp("docs.txt", LexicalFixtures.corpusLines.prefix(4).joined(separator: "\n") + "\nunknownish\n")
        let r = try lexel(["embed", "--model", model, docs, "--profile", "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(r.err.contains("Model: 24 features -> 8 -> 16 -> 8, W0 f32"), r.err)
        let rows = embeddingRows(r.out)
        XCTAssertEqual(rows.count, 5)
        for row in rows.prefix(4) { XCTAssertEqual(row.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5) }

        let (corpus, table, teacher) = try distillInputs()
        let out = outputPath("h.lxm")
        let h = try lexel(["distill", corpus, "--teacher", teacher, "--ngrams", table, "--output", out, "--holdout", "8",
                           "--seed", "3"] + smallDistill)
        XCTAssertEqual(h.status, 0, h.err)
        XCTAssert(h.err.contains("48 documents (40 training, 8 held out), teacher dim 6, 24 n-gram features, dims [8, 16, 8]"), h.err)
        XCTAssert(h.err.contains("held-out (8 docs, 28 pairs): loss"), h.err)
        XCTAssert(h.err.contains("wrote \(out)"), h.err)
    }

    /// --dtype and --layer-dtype choose how the distilled model is stored; the f16/int8 model embeds like the f32
    /// one within its rounding, and a bad value is refused before any training.
    func testDistillStorageTypes() throws {
        let (corpus, table, teacher) = try distillInputs()
        let docs = LexicalFixtures.corpusLines.prefix(6).joined(separator: "\n") + "\n"
        var rows: [String: [[Float]]] = [:]
        for (dtype, layers) in [("f32", "f32"), ("int8", "f16")] {
            let out = outputPath("stored-\(dtype).lxm")
            let d = try lexel(["distill", corpus, "--teacher", teacher, "--ngrams", table, "--output", out, "--seed", "5",
                               "--thread", "1", "--dtype", dtype, "--layer-dtype", layers] + smallDistill + ["--thread", "1"])
            XCTAssertEqual(d.status, 0, d.err)
            let e = try lexel(["embed", "--model", out, "--profile", "--quiet"], stdin: docs)
            XCTAssertEqual(e.status, 0, e.err)
            XCTAssert(e.err.contains("W0 \(dtype)"), e.err)
            rows[dtype] = embeddingRows(e.out)
        }
        let (a, b) = (rows["f32"]!, rows["int8"]!)
        XCTAssertEqual(a.count, 6)
        XCTAssertEqual(b.count, 6)
        XCTAssertNotEqual(a, b, "int8 storage rounds the weights")
        for (x, y) in zip(a, b) {
            let cosine = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
            XCTAssertGreaterThan(cosine, 0.99, "int8 W0 + f16 layers against f32: \(x) vs \(y)")
        }
        let out = outputPath("never.lxm")
        try expectError(["distill", corpus, "--teacher", teacher, "--ngrams", table, "--output", out, "--dtype", "f64"] + smallDistill,
                        "The value 'f64' is invalid for '--dtype <dtype>'", "'f32', 'f16' or 'int8'")
        try expectError(["distill", corpus, "--teacher", teacher, "--ngrams", table, "--output", out, "--layer-dtype", "int8"] + smallDistill,
                        "--layer-dtype must be f32 or f16 (got int8)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testDistillBadInputAndFlags() throws {
        let (corpus, table, teacher) = try distillInputs()
        let out = outputPath("never.lxm")
        func distill(_ extra: [String], corpus c: String? = nil, teacher t: String? = nil, table n: String? = nil) -> [String] {
            ["distill", c ?? corpus, "--teacher", t ?? teacher, "--ngrams", n ?? table, "--output", out] + smallDistill + extra
        }
        let npy = LexicalFixtures.npy(rows: 48, cols: 6)
        let cut = temp("cut.npy", npy.prefix(npy.count - 10))
        try expectError(distill([], teacher: cut), "\(cut): at byte offset 128: npy: shape [48, 6] of <f4 needs 1152 bytes, 1142 present (truncated)")
        let head = temp("head.npy", npy.prefix(50))
        try expectError(distill([], teacher: head), "\(head): at byte offset 8: npy: header of 118 bytes runs past the end of the file (truncated)")
        let more = temp("more.npy", LexicalFixtures.npy(rows: 60, cols: 6))
        try expectError(distill([], teacher: more), "\(corpus): has 48 documents but the teacher has 60 rows")
        let empty = temp("empty.txt", "")
        try expectError(distill([], corpus: empty), "\(empty): has 0 documents but the teacher has 48 rows")
        try expectError(distill([], teacher: table), "\(table): at byte offset 0: npy: not a NumPy array")

        let text = try Data(contentsOf: URL(fileURLWithPath: table))
        let garbage = temp("garbage.tsv", Data([0x67, 0x00, 0x01, 0x0A]))
        try expectError(distill([], table: garbage), "\(garbage): at byte offset 0: line 1: not an n-gram table", "(got 'g\\u{0}\\u{1}')")
        let half = text.prefix(text.indices.filter { text[$0] == 0x0A }[4] + 11)  // 10 bytes into line 6
        let truncated = temp("truncated.tsv", half)
        try expectError(distill([], table: truncated),
                        "\(truncated): at byte offset \(half.count): line 6: the file ends in the middle of this line (truncated")
        let headerOnly = temp("header.tsv", text.prefix { $0 != 0x0A } + Data([0x0A]))
        try expectError(distill([], table: headerOnly), "\(headerOnly): the table lists no n-grams")
        var badCount = text
        badCount[badCount.firstIndex(of: 0x0A)! + 18] = 0x78  // the first digit of row 1's count
        let bad = temp("bad.tsv", badCount)
        try expectError(distill([], table: bad), "\(bad): at byte offset", "line 2: count must be a non-negative integer")

        try expectError(distill(["--batch", "0"]), "batch size 0 must be in 2...65536")
        try expectError(distill(["--dims", "0,5"]), "--dims must be at least two positive sizes separated by commas (got 0,5)")
        try expectError(distill(["-epoch", "0"]), "epochs 0.0 must be in (0, 1000000]")
        try expectError(distill(["-lr", "-1"]), "learning rate -1.0 must be in (0, 10]")
        try expectError(distill(["--dims", "8,,8"]), "--dims must be at least two positive sizes")
        try expectError(distill(["--holdout", "47"]), "--holdout 47 leaves fewer than 2 of the teacher's 48 rows for training")
        try expectError(distill(["--holdout", "40"]), "--batch 16 is larger than the 8 training documents")
        try expectError(distill(["--lr=-1"]), "learning rate -1.0 must be in (0, 10]")
        try expectError(distill(["--thread", "0"]), "--threads must be 1...1024 (got 0)")
        try expectError(distill(["-thread", "0"]), "--threads must be 1...1024 (got 0)")
        try expectError(distill(["--threads", "-3"]), "--threads must be 1...1024 (got -3)")
        try expectError(distill(["--idf", "bm25"]), "The value 'bm25' is invalid for '--idf <idf>'", "'collection' and 'document'")
        try expectError(distill(["--temperature", "0"]), "temperature 0.0 must be > 0")
        try expectError(distill(["--temperature", "-1"]), "temperature -1.0 must be > 0")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "failed runs write nothing")
    }
}
