import Foundation
import XCTest

/// `lexel embed`, run the way a user does: every input and output form against Luxical's own embeddings of the
/// fixture model, the edge cases of the input (empty, blank lines, a 10 MB document, invalid UTF-8), and
/// damaged or wrong model files, which must give an error naming the file, the offset and what is wrong.
final class EmbedCLITests: LexelCLITestCase {
    let npz = LexicalFixtures.tinyNPZ

    func embed(_ args: [String], stdin: String = "", file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let r = try lexel(["embed", "--model", npz, "--quiet"] + args, stdin: stdin)
        XCTAssertEqual(r.status, 0, "\(args): \(r.err)", file: file, line: line)
        return r
    }

    func norm(_ v: [Float]) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// Rows equal within float rounding (batch sizes may change the order of a sum), and in the same order.
    func assertClose(_ a: [[Float]], _ b: [[Float]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, "rows", file: file, line: line)
        for (i, (x, y)) in zip(a, b).enumerated() where x.count != y.count || zip(x, y).contains(where: { abs($0 - $1) > 1e-5 }) {
            return XCTFail("row \(i): \(x) != \(y)", file: file, line: line)
        }
    }

    func testEveryInputAndOutputFormGivesLuxicalsRowsInOrder() throws {
        let (texts, want) = try LexicalFixtures.expected()
        // JSON Lines keep every text whole (some hold newlines); --threads 2 --batch 3 splits them across threads.
        let jsonl = try texts.map { String(decoding: try JSONSerialization.data(withJSONObject: ["id": 1, "text": $0]), as: UTF8.self) }
        let docs = temp("docs.jsonl", jsonl.joined(separator: "\n") + "\n")
        let first = try embed([docs, "--threads", "2", "--batch", "3"])
        let rows = embeddingRows(first.out)
        XCTAssertEqual(rows.count, texts.count)
        for (i, (row, w)) in zip(rows, want).enumerated() {
            XCTAssertEqual(row.count, 8)
            XCTAssertLessThan(zip(row, w).map { abs($0 - $1) }.max()!, 1e-5, "row \(i): \(texts[i].debugDescription)")
            XCTAssertEqual(norm(row), w.allSatisfy { $0 == 0 } ? 0 : 1, accuracy: 1e-5, "unit rows, zero rows for no n-grams")
        }
        XCTAssertEqual(rows[0], [Float](repeating: 0, count: 8), "an empty text is the zero vector, as in Luxical")
        let body = try texts.map { String(decoding: try JSONSerialization.data(withJSONObject: ["body": $0]), as: UTF8.self) }
        let bodies = temp("docs.txt", body.joined(separator: "\n"))
        XCTAssertEqual(try embed([bodies, "--field", "body", "--threads", "2", "--batch", "3"]).stdout, first.stdout,
                       "--field picks the member, in a file of any name")

        // Plain lines, 160 of them in a scrambled order: row k is document k with 2 threads and batches of 5.
        let plain = texts.indices.filter { !texts[$0].contains(where: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) }
        XCTAssertGreaterThan(plain.count, 30)
        let order = (0..<160).map { plain[($0 * 7 + $0 / 13) % plain.count] }
        let lines = order.map { texts[$0] }.joined(separator: "\n") + "\n"
        let file = temp("docs.txt", lines)
        let flags = ["--threads", "2", "--batch", "5"]
        let out = try embed([file] + flags)
        assertClose(embeddingRows(out.out), order.map { rows[$0] })
        XCTAssertEqual(try embed(["-"] + flags, stdin: lines).stdout, out.stdout, "standard input")
        assertClose(embeddingRows(try embed(["--threads", "1", "--batch", "1"], stdin: lines).out), order.map { rows[$0] })

        let npy = outputPath("v.npy"), json = outputPath("v.jsonl"), codes = outputPath("c.npy")
        _ = try embed([file, "--output", npy] + flags)
        let m = try readNpy(npy)
        XCTAssertEqual([m.rows, m.cols], [160, 8])
        XCTAssertEqual(m.dtype, "f4")
        XCTAssertEqual(m.values, embeddingRows(out.out).flatMap { $0 }, "the .npy holds the float32 values of the JSON")
        _ = try embed([file, "--output", json] + flags)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: json)), out.stdout)
        _ = try embed([file, "--output", codes, "--int8"] + flags)
        let c = try readNpy(codes)
        XCTAssertEqual([c.rows, c.cols], [160, 8])
        XCTAssertEqual(c.dtype, "i1")
        XCTAssertEqual(c.values, m.values.map { ($0 * 127).rounded() }, "int8 codes are round(x * 127)")
        let int8 = embeddingRows(try embed(["--int8"], stdin: texts[3] + "\n").out)
        XCTAssertEqual(int8.count, 1)
        XCTAssertLessThanOrEqual(zip(int8[0], rows[3]).map { abs($0 - $1 * 127) }.max()!, 0.5001, "JSON int8 codes")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (npy as NSString).deletingLastPathComponent)
        XCTAssertEqual(leftovers, ["v.npy"], "no temporary file is left next to the output")
    }

    func testEmptyInputBlankLinesAndA10MBDocument() throws {
        let empty = temp("empty.txt", "")
        let npy = outputPath("e.npy")
        let r = try embed([empty, "--output", npy])
        XCTAssert(r.err.contains("holds no documents: wrote 0 rows to \(npy)"), r.err)
        let m = try readNpy(npy)
        XCTAssertEqual([m.rows, m.cols], [0, 8], "an empty input is a valid empty array")
        XCTAssertEqual(try embed([empty]).stdout.count, 0)

        // Blank and whitespace lines are documents (zero vectors); CRLF and a missing final newline are fine.
        let rows = embeddingRows(try embed([temp("blank.txt", "hello world\r\n\r\n   \nhello world")]).out)
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows[1], [Float](repeating: 0, count: 8))
        XCTAssertEqual(rows[2], [Float](repeating: 0, count: 8))
        XCTAssertEqual(rows[3], rows[0])
        XCTAssertEqual(norm(rows[0]), 1, accuracy: 1e-5)

        // One 10 MB document (words over 100 characters are [UNK] to WordPiece, which keeps a debug run short).
        var doc = "hello world "
        doc.reserveCapacity(10_100_000)
        let long = String(repeating: "abcdefghij", count: 15) + " "
        while doc.utf8.count < 10_000_000 { doc += long }
        let big = temp("big.txt", doc + "\n")
        let huge = embeddingRows(try embed([big, "--threads", "2"]).out)
        XCTAssertEqual(huge.count, 1)
        XCTAssertEqual(norm(huge[0]), 1, accuracy: 1e-5)
    }

    func testInvalidUTF8AndBadJSONNameFileLineAndOffset() throws {
        let bad = temp("latin1.txt", Data("ok\ncaf".utf8) + Data([0xE9]) + Data(" au lait\n".utf8))
        let npy = outputPath("never.npy")
        try expectError(["embed", "--model", npz, bad, "--output", npy], "\(bad): at byte offset 6: line 2: invalid UTF-8")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: (npy as NSString).deletingLastPathComponent), [],
                       "a failed run leaves no output and no temporary file")
        let r = try lexel(["embed", "--model", npz, "-"], input: Data("ok\n".utf8) + Data([0xFF, 0x0A]))
        XCTAssertEqual(r.status, 1)
        XCTAssert(r.err.contains("standard input: at byte offset 3: line 2: invalid UTF-8"), r.err)
        let docs = temp("docs.jsonl", "{\"text\": \"a\"}\n\n{\"text\": \"b\", }\n")
        try expectError(["embed", "--model", npz, docs], "\(docs): at byte offset 29: line 3: malformed JSON: a member name in double quotes, found '}'")
        try expectError(["embed", "--model", npz, docs, "--field", "body"], "line 1: no member \"body\" at the top level")
        try expectError(["embed", "--model", npz, temp("n.jsonl", "{\"text\": 3}\n")], "member \"text\" is a number, not a string")
    }

    /// The section table of a container file: (name, offset, length) per section.
    func sections(_ d: Data) -> [(String, Int, Int)] {
        let names = [1: "meta", 13: "tokenizer-vocab", 14: "ngram-hashes", 15: "ngram-idf", 16: "network-input",
                     17: "network-input-scales", 18: "network-layers"]
        func u(_ at: Int, _ n: Int) -> Int { (0..<n).reduce(0) { $0 | Int(d[at + $1]) << (8 * $1) } }
        return (0..<u(12, 4)).map { i in (names[u(64 + 64 * i, 4)] ?? "?", u(64 + 64 * i + 8, 8), u(64 + 64 * i + 16, 8)) }
    }

    func testDamagedOrWrongModelFilesGiveClearErrors() throws {
        let model = try distilledModel()
        let good = try Data(contentsOf: URL(fileURLWithPath: model))
        let docs = temp("docs.txt", "cat dog\nsaw drill\n")
        func load(_ bytes: Data, _ fragments: String..., verify: Bool = false, line: UInt = #line) throws {
            let path = temp("model.lxm", bytes)
            let r = try lexel(["embed", "--model", path, docs] + (verify ? ["--verify"] : []))
            XCTAssertEqual(r.status, 1, "exit status: \(r.err)", line: line)
            for f in [path + ": "] + fragments { XCTAssert(r.err.contains(f), "'\(f)' not in: \(r.err)", line: line) }
        }
        let ok = try lexel(["embed", "--model", model, docs, "--verify"])
        XCTAssertEqual(ok.status, 0, ok.err)
        XCTAssertEqual(embeddingRows(ok.out).map(norm).map { ($0 * 1000).rounded() }, [1000, 1000])

        try load(good.prefix(0), "the file is empty")
        for cut in [10, 63] { try load(good.prefix(cut), "at byte offset 0: header: truncated (file of \(cut) bytes)") }
        let table = sections(good)
        XCTAssertEqual(table.map(\.0), ["meta", "tokenizer-vocab", "ngram-hashes", "ngram-idf", "network-input", "network-layers"])
        for cut in [64, 200, table[1].1 + 100, table[4].1 + 5, good.count - 1] {
            try load(good.prefix(cut), "at byte offset 16: header: file should be \(good.count) bytes but is \(cut): truncated")
        }
        try load(good + Data(count: 64), "truncated or appended to")
        func flip(_ at: Int) -> Data { var d = good; d[at] ^= 0x20; return d }
        try load(flip(20), "at byte offset 0: header: checksum mismatch")
        try load(flip(64 + 70), "at byte offset 64: section table: checksum mismatch")
        for (name, offset, length) in table where name != "network-input" {
            try load(flip(offset + length / 2), "at byte offset \(offset): section \(name): checksum mismatch")
        }
        // W0 is mapped in place and read where documents need it: --verify checks it before embedding.
        let w0 = table[4]
        try load(flip(w0.1 + w0.2 / 2), "at byte offset \(w0.1): section network-input: checksum mismatch", verify: true)

        try expectError(["embed", "--model", "/no/such/model.lxm", docs], "/no/such/model.lxm: cannot open")
        try expectError(["embed", "--model", NSTemporaryDirectory(), docs], "is a directory")
        let teacher = temp("teacher.npy", LexicalFixtures.npy(rows: 2, cols: 3))
        try expectError(["embed", "--model", teacher, docs], "\(teacher): at byte offset 0: not a lexical model: this is a NumPy .npy array")
        let words = temp("words.txt", "cat dog horse cat dog\n")
        let vectors = outputPath("w")
        XCTAssertEqual(try lexel(["skipgram", "-input", words, "-output", vectors, "-dim", "4", "-epoch", "1", "-minCount", "1",
                                  "-maxn", "0", "-thread", "1", "-verbose", "0"]).status, 0)
        XCTAssertEqual(try lexel(["convert", vectors + ".bin", vectors + ".lxv"]).status, 0)
        try expectError(["embed", "--model", vectors + ".lxv", docs], "\(vectors).lxv: not a lexical model (a Lexel vector file)")
        try expectError(["embed", "--model", vectors + ".bin", docs], "this is a Lexel word-vector model")
    }

    func testSimilarPrintsTheNearestDocuments() throws {
        let docs = temp("docs.txt", "Hello, world!\nThe quick brown fox jumps over the lazy dog.\n\nhello world hello world hello world\n")
        let r = try lexel(["similar", docs, "--model", npz, "-k", "2", "--threads", "2"],
                          stdin: "the quick brown fox jumps over the lazy dog.\n\nHELLO WORLD\n")
        XCTAssertEqual(r.status, 0, r.err)
        let lines = r.out.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 6, r.out)
        XCTAssertEqual(lines[0], "query: the quick brown fox jumps over the lazy dog.")
        XCTAssertEqual(lines[1], "  1.0000  2  The quick brown fox jumps over the lazy dog.", "lower case, same n-grams: cosine 1")
        XCTAssertEqual(lines[3], "query: HELLO WORLD")
        XCTAssert(lines[4].hasPrefix("  1.0000  4  hello world hello world"), lines[4])
        try expectError(["similar", temp("empty.txt", ""), "--model", npz], "empty.txt: no documents")
    }

    /// `lexel convert M.npz M.lxm`: the f32 model gives the same rows as the archive; f16 and int8 storage stay
    /// within their rounding of them; a bad --layer-dtype writes nothing.
    func testConvertLuxicalArchiveToLexicalModel() throws {
        let texts = try LexicalFixtures.expected().texts
        let lines = texts.filter { !$0.contains(where: \.isNewline) }
        let input = lines.joined(separator: "\n") + "\n"
        let reference = embeddingRows(try embed([], stdin: input).out)
        XCTAssertEqual(reference.count, lines.count)
        XCTAssertGreaterThan(lines.count, 30)
        for (dtype, layers, tolerance) in [("f32", "f32", Float(1e-6)), ("f16", "f16", 5e-3), ("int8", "f32", 3e-2)] {
            let model = outputPath("tiny-\(dtype)-\(layers).lxm")
            let c = try lexel(["convert", npz, model, "--dtype", dtype, "--layer-dtype", layers])
            XCTAssertEqual(c.status, 0, c.err)
            let r = try lexel(["embed", "--model", model, "--quiet"], stdin: input)
            XCTAssertEqual(r.status, 0, r.err)
            let rows = embeddingRows(r.out)
            XCTAssertEqual(rows.count, reference.count)
            let worst = zip(rows, reference).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
            XCTAssertLessThanOrEqual(worst, tolerance, "\(dtype)/\(layers): largest difference \(worst)")
            if dtype == "f32" { XCTAssertEqual(rows, reference, "f32 storage gives the archive's rows exactly") }
        }
        let never = outputPath("never.lxm")
        try expectError(["convert", npz, never, "--layer-dtype", "int8"], "--layer-dtype: expected f32 or f16 (got 'int8')")
        try expectError(["convert", npz, never, "--dtype", "f64"], "The value 'f64' is invalid for '--dtype <dtype>'", "'f32', 'f16' or 'int8'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: never), "failed conversions write nothing")
    }

    func testDamagedLuxicalArchivesAndBadFlags() throws {
        let good = try Data(contentsOf: URL(fileURLWithPath: npz))
        let docs = temp("docs.txt", "hello world\n")
        for cut in [100, 100_000, good.count - 10] {
            let path = temp("cut.npz", good.prefix(cut))
            try expectError(["embed", "--model", path, docs], "\(path): at byte offset", "zip: no end-of-central-directory record (not a zip file, or truncated)")
        }
        var flipped = good
        flipped[150_000] ^= 0x01  // inside nn_layer_0.npy's data
        try expectError(["embed", "--model", temp("flip.npz", flipped), docs], "zip: member nn_layer_0.npy: CRC-32 mismatch (corrupt)")

        try expectError(["embed", "--model", npz, docs, "--threads", "0"], "--threads must be 1...1024 (got 0)")
        try expectError(["embed", "--model", npz, docs, "--threads", "-2"], "--threads must be 1...1024 (got -2)")
        try expectError(["embed", "--model", npz, docs, "--batch", "0"], "--batch must be 1...4096 (got 0)")
        try expectError(["embed", "--model", npz, docs, "--batch", "5000"], "--batch must be 1...4096 (got 5000)")
        try expectError(["embed", "--model", npz, docs, "--output", outputPath("v.txt")], "output must end in .npy or .jsonl")
        try expectError(["embed", "--model", npz, docs, "--output", "/no/such/dir/v.npy"], "/no/such/dir/v.npy: cannot write: the folder /no/such/dir does not exist")
        try expectError(["embed", "--model", npz, "/no/such/docs.txt"], "/no/such/docs.txt: cannot open")
    }
}
