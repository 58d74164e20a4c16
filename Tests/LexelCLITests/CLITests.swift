import XCTest

/// The word-vector commands, run the way a user does (see `LexelCLITestCase`).
final class CLITests: LexelCLITestCase {
    var corpus: String {
        let animals = ["cat", "dog", "horse", "cow"], tools = ["hammer", "saw", "drill", "wrench"]
        var s = ""
        for i in 0..<300 {
            let t = i % 2 == 0 ? animals : tools
            s += (0..<10).map { t[($0 * 7 + i) % 4] }.joined(separator: " ") + "\n"
        }
        return temp("corpus.txt", Data(s.utf8))
    }

    let small = ["-dim", "8", "-epoch", "3", "-minCount", "1", "-bucket", "1000", "-thread", "2", "-verbose", "0"]

    /// Every subcommand's help: listed at the top level, exits 0, shows its usage and at least one example.
    func testHelpTeachesEverySubcommand() throws {
        let top = try lexel(["--help"])
        XCTAssertEqual(top.status, 0)
        let all = ["skipgram", "cbow", "print-word-vectors", "nn", "analogies", "eval", "convert", "query", "index", "info",
                   "embed", "similar", "ngrams", "distill", "distill-static", "supervised", "predict", "predict-prob", "test", "test-label", "filter"]
        for sub in all {
            XCTAssert(top.out.contains(sub), "top-level help lists \(sub)")
            let h = try lexel(sub == "eval" ? ["eval", "words", "--help"] : [sub, "--help"])
            XCTAssertEqual(h.status, 0, sub)
            let name = sub == "eval" ? "eval words" : sub
            XCTAssert(h.out.contains("USAGE: lexel \(name)"), "\(sub): \(h.out)")
            XCTAssertGreaterThanOrEqual(h.out.components(separatedBy: "lexel \(name) ").count - 1, 2,
                                        "\(sub)'s help shows an example besides its usage line")
        }
        XCTAssert(try lexel(["skipgram", "--help"]).out.contains("-minCount"))
        XCTAssert(try lexel(["embed", "--help"]).out.contains("--threads"))
        let v = try lexel(["--version"])
        XCTAssertEqual(v.status, 0)
        XCTAssert(v.out.hasPrefix("lexel "), v.out)
        XCTAssert(v.out.contains("(git "), v.out)
        XCTAssert(v.out.contains("built for: ") && v.out.contains("running on: ") && v.out.contains("kernels: int8 dense layers "), v.out)
    }

    func testTrainQueryAndEvaluateEndToEnd() throws {
        let out = outputPath("e2e")
        for cmd in ["skipgram", "cbow"] {
            let r = try lexel([cmd, "-input", corpus, "-output", out] + small)
            XCTAssertEqual(r.status, 0, r.err)
            XCTAssert(FileManager.default.fileExists(atPath: out + ".bin"))
            XCTAssert(try String(contentsOfFile: out + ".vec", encoding: .utf8).hasPrefix("9 8\n"), "8 words + </s>")
        }
        let nn = try lexel(["nn", out + ".bin", "3"], stdin: "cat\ncatz\n")
        XCTAssertEqual(nn.status, 0, nn.err)
        XCTAssertEqual(nn.out.components(separatedBy: "\n").filter { !$0.isEmpty }.count, 8, nn.out)
        let an = try lexel(["analogies", out + ".bin", "2"], stdin: "cat dog hammer\n")
        XCTAssertEqual(an.status, 0, an.err)
        XCTAssert(an.out.contains("Query triplet"))
        let pv = try lexel(["print-word-vectors", out + ".vec"], stdin: "cat unknownword\n")
        let lines = pv.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0].split(separator: " ").count, 9)
        let sim = temp("sim.tsv", Data("cat\tdog\t9\ncat\thammer\t1\nsaw\tdrill\t8\ndog\twrench\t2\n".utf8))
        let q = temp("q.txt", Data(": t\ncat dog hammer saw\n".utf8))
        let ev = try lexel(["eval", "words", out + ".bin", "--similarity", sim, "--analogy", q, "--json"])
        XCTAssertEqual(ev.status, 0, ev.err)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(ev.out.utf8)) as? [String: Any], ev.out)
        let sims = try XCTUnwrap(report["similarity"] as? [[String: Any]], ev.out)
        XCTAssertEqual(sims.count, 1)
        XCTAssertEqual(sims[0]["file"] as? String, sim)
        XCTAssertNotNil(sims[0]["spearman"] as? Double)
        XCTAssertEqual((report["analogy"] as? [String: Any])?["answered"] as? Int, 1, ev.out)
        // Two similarity files: two entries (no duplicate keys), and a path with a quote stays valid JSON.
        let odd = temp("q\"uote.tsv", Data("cat\tdog\t9\ncat\thammer\t1\n".utf8))
        let two = try lexel(["eval", "words", out + ".bin", "--similarity", sim, "--similarity", odd, "--json"])
        let both = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(two.out.utf8)) as? [String: Any], two.out)
        XCTAssertEqual((both["similarity"] as? [[String: Any]])?.map { $0["file"] as? String }, [sim, odd])
    }

    func testConvertAndQueryVectorFiles() throws {
        let out = outputPath("store")
        XCTAssertEqual(try lexel(["skipgram", "-input", corpus, "-output", out] + small).status, 0)
        for dtype in ["f32", "int8"] {
            let c = try lexel(["convert", out + ".bin", out + "-\(dtype).lxv", "--dtype", dtype])
            XCTAssertEqual(c.status, 0, c.err)
            let q = try lexel(["query", out + "-\(dtype).lxv", "--most-similar", "2"], stdin: "cat catz\n")
            XCTAssertEqual(q.status, 0, q.err)
            XCTAssert(q.out.contains("catz (not in the file: OOV vector)"), q.out)
            XCTAssertEqual(q.out.split(separator: "\n").count, 6, q.out)
            let v = try lexel(["query", out + "-\(dtype).lxv"], stdin: "dog\n")
            XCTAssertEqual(v.out.split(separator: " ").count, 9)
            XCTAssert(try lexel(["query", out + "-\(dtype).lxv", "--verify"]).out.contains("all checksums match"))
        }
        let e = try lexel(["convert", out + ".bin", out + "-export.vec"])
        XCTAssertEqual(e.status, 0, e.err)
        XCTAssert(try String(contentsOfFile: out + "-export.vec", encoding: .utf8).hasPrefix("9 8\n"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: out + "-f32.lxv"))
        bytes[bytes.count - 8] ^= 0xFF
        let bad = temp("bad.lxv", bytes)
        try expectError(["query", bad, "--verify"], "checksum mismatch")
        try expectError(["convert", out + ".bin", out + "-x.lxv", "--dtype", "f64"], "--dtype")
    }

    func testQueryModesIndexAndInfo() throws {
        let out = outputPath("modes")
        XCTAssertEqual(try lexel(["skipgram", "-input", corpus, "-output", out] + small).status, 0)
        let lxv = out + ".lxv"
        XCTAssertEqual(try lexel(["convert", out + ".vec", lxv]).status, 0)
        func lines(_ args: [String], _ stdin: String) throws -> [Substring] {
            let r = try lexel(["query", lxv] + args, stdin: stdin)
            XCTAssertEqual(r.status, 0, "\(args): \(r.err)")
            return r.out.split(separator: "\n")
        }
        XCTAssertEqual(try lines(["--analogy", "3"], "cat dog hammer\n").count, 3)
        XCTAssertEqual(try lines(["--analogy", "2", "--cosmul"], "cat dog hammer\n").count, 2)
        XCTAssertEqual(try lines(["--doesnt-match"], "cat dog saw\n").count, 1)
        let sim = try lines(["--similarity"], "cat cat\n")
        XCTAssertEqual(Float(sim[0]) ?? 0, 1, accuracy: 1e-5)
        XCTAssertFalse(try lines(["--closer-than"], "cat hammer\n").contains { $0.hasPrefix("cat ") })
        try expectError(["query", lxv, "--analogy", "3"], "expected 3 words", stdin: "cat dog\n")

        let info = try lexel(["info", lxv])
        XCTAssertEqual(info.status, 0, info.err)
        XCTAssert(info.out.contains("key-index") && info.out.contains("oov-index"), info.out)
        XCTAssertEqual(try lexel(["index", lxv, "-M", "4", "--verbose", "0"]).status, 0)
        XCTAssert(try lexel(["info", lxv]).out.contains("hnsw"))
        let exact = try lines(["--most-similar", "3"], "cat\n"), ann = try lines(["--most-similar", "3", "--ann"], "cat\n")
        XCTAssertEqual(exact.map { $0.split(separator: " ")[0] }, ann.map { $0.split(separator: " ")[0] })
        XCTAssert(try lexel(["query", lxv, "--verify"]).out.contains("all checksums match"))
        XCTAssertNotEqual(try lexel(["query", lxv, "--ann"]).status, 0)  // --ann needs --most-similar
        XCTAssertNotEqual(try lexel(["index", lxv, "-M", "1"]).status, 0)
    }

    func testBadInputGivesClearErrors() throws {
        let out = outputPath("bad")
        func train(_ input: String, _ extra: [String] = []) -> [String] { ["skipgram", "-input", input, "-output", out] + small + extra }
        try expectError(train("/no/such/file.txt"), "cannot open")
        try expectError(train(temp("empty.txt", Data())), "no words")
        var garbage = Data(count: 4096)
        for i in 0..<4096 { garbage[i] = UInt8((i * 7919 + 13) % 256) }
        try expectError(train(temp("garbage.bin", garbage)), "invalid UTF-8")
        try expectError(train(temp("latin1.txt", Data([0x63, 0x61, 0x66, 0xE9, 0x0A]))), "at byte offset 3")
        try expectError(train(corpus, ["-dim", "0"]), "-dim")
        try expectError(train(corpus, ["-thread", "0"]), "-thread")
        try expectError(train(corpus, ["-minn", "5", "-maxn", "3"]), "-minn")
        try expectError(train(corpus, ["-loss", "softmax"]), "-loss")
        try expectError(train(corpus, ["-epoch", "0"]), "-epoch")
        try expectError(["nn", "/no/such/model.bin"], "cannot open")
        try expectError(["nn", temp("junk.bin", Data("not a model\n".utf8))], "count dim")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".bin"), "failed runs write nothing")
    }

    func testLineLongerThanTheReadBufferTrains() throws {
        // 8 MB in one line (the reader's buffer is 4 MB): cut at whitespace, trained, no crash.
        let tokens = ["alpha", "beta", "gamma", "delta"].map { String(repeating: $0, count: 25) }
        var line = ""
        line.reserveCapacity(8_400_000)
        var i = 0
        while line.utf8.count < 8_000_000 { line += tokens[i % 4] + " "; i += 1 }
        let path = temp("long.txt", Data((line + "\n").utf8))
        let out = outputPath("long")
        let r = try lexel(["cbow", "-input", path, "-output", out, "-maxn", "0"] + small)
        XCTAssertEqual(r.status, 0, r.err)
        XCTAssert(try String(contentsOfFile: out + ".vec", encoding: .utf8).hasPrefix("5 8\n"))
    }
}
