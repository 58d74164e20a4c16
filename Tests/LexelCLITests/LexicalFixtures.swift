import Foundation
import XCTest
import LexelTestSupport

/// Inputs of the lexical-embedding command tests: the Luxical fixture model and its reference embeddings, a
/// small two-topic corpus, teacher `.npy` files, and a small `.lxm` made once per test process by
/// `lexel ngrams` + `lexel distill`.
enum LexicalFixtures {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    /// Luxical 1.1.2's `tiny.npz` (2000 n-grams -> 16 -> 32 -> 8) and `expected.json` (its embeddings).
    static let luxical = tests.appendingPathComponent("LexelLexicalTests/Fixtures/luxical")
    static let tinyNPZ = luxical.appendingPathComponent("tiny.npz").path
    static let vocab = tests.deletingLastPathComponent().appendingPathComponent("vocab/bert-base-uncased/vocab.txt").path

    /// A 66-token WordPiece vocabulary (special tokens, the corpus words, letters and `##` letters) in a folder
    /// named `tiny-wordpiece`: it loads in a few milliseconds where bert-base-uncased's 30,522 tokens take
    /// 0.3 s in a debug build, for every `lexel ngrams` and `lexel distill` run.
    static let tinyVocab: String = {
        let letters = (UInt8(ascii: "a")...UInt8(ascii: "z")).map { String(UnicodeScalar($0)) }
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cat", "dog", "horse", "cow", "hammer", "saw", "drill", "nail",
                      ".", ","] + letters + letters.map { "##" + $0 }
        let dir = TestTemporaryFiles.folder("vocab") + "/tiny-wordpiece"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/vocab.txt", contents: Data(tokens.joined(separator: "\n").utf8))
        return dir + "/vocab.txt"
    }()

    /// Luxical's texts and embeddings for `tiny.npz`.
    static func expected() throws -> (texts: [String], embeddings: [[Float]]) {
        let data = try Data(contentsOf: luxical.appendingPathComponent("expected.json"))
        let o = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let texts = try XCTUnwrap(o["texts"] as? [String]), rows = try XCTUnwrap(o["embeddings"] as? [[Double]])
        return (texts, rows.map { $0.map(Float.init) })
    }

    /// 48 documents of 8 words, even ones about animals, odd ones about tools; word j of document i is fixed
    /// by i and j so that counts are known: each word occurs twice in each of the 24 documents of its topic.
    static let corpusLines: [String] = (0..<48).map { i in
        let words = i % 2 == 0 ? ["cat", "dog", "horse", "cow"] : ["hammer", "saw", "drill", "nail"]
        return (0..<8).map { words[($0 + i / 2) % 4] }.joined(separator: " ")
    }

    /// A float32 `.npy` of `rows x cols` with deterministic values (a simple LCG in [-1, 1)).
    static func npy(rows: Int, cols: Int, seed: UInt64 = 1) -> Data {
        var state = seed
        let values: [Float] = (0..<(rows * cols)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 23) - 1
        }
        var dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(cols)), }"
        while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
        dict += "\n"
        var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(dict.utf8.count & 0xFF), UInt8(dict.utf8.count >> 8)])
        d.append(Data(dict.utf8))
        values.withUnsafeBytes { d.append(contentsOf: $0) }
        return d
    }

    nonisolated(unsafe) static var distilled: String?
}

extension LexelCLITestCase {
    /// The corpus file, its n-gram table (`lexel ngrams` with `vocab`) and the teacher of the distillation tests.
    func distillInputs(vocab: String = LexicalFixtures.tinyVocab) throws -> (corpus: String, table: String, teacher: String) {
        let corpus = temp("corpus.txt", LexicalFixtures.corpusLines.joined(separator: "\n") + "\n")
        let table = outputPath("ngrams.tsv")
        let r = try lexel(["ngrams", corpus, "--vocab", vocab, "--top", "100", "--maxn", "3",
                           "--threads", "2", "--output", table, "--quiet"])
        XCTAssertEqual(r.status, 0, r.err)
        return (corpus, table, temp("teacher.npy", LexicalFixtures.npy(rows: 48, cols: 6)))
    }

    /// Flags for a distillation that takes well under a second in a debug build.
    var smallDistill: [String] { ["--vocab", LexicalFixtures.tinyVocab, "--dims", "8,16,8", "-epoch", "2", "--batch", "16",
                                  "--thread", "2", "--quiet"] }

    /// A small `.lxm` (48 documents, 24 n-grams, dims 8,16,8, the tiny vocabulary), distilled once per test process.
    func distilledModel() throws -> String {
        if let m = LexicalFixtures.distilled { return m }
        let (corpus, table, teacher) = try distillInputs()
        let model = outputPath("tiny.lxm")
        let r = try lexel(["distill", corpus, "--teacher", teacher, "--ngrams", table, "--output", model] + smallDistill)
        XCTAssertEqual(r.status, 0, r.err)
        LexicalFixtures.distilled = model
        return model
    }
}
