import Foundation
import XCTest
import LexelTestSupport

/// Inputs bounded and outputs safe, tried the way a hostile user would (issue #10, scope item 6).
final class SafetyCLITests: LexelCLITestCase {
    /// Runs a shell command line with `$LEXEL` set to the binary; returns status and standard error.
    func sh(_ script: String) throws -> (status: Int32, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        p.environment = ProcessInfo.processInfo.environment.merging(["LEXEL": binary.path]) { $1 }
        let e = Pipe()
        p.standardError = e
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let err = e.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: err, as: UTF8.self))
    }

    func leftovers(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".tmp-") }
    }

    /// A word model and its .lxv in a new folder.
    func vectors() throws -> (dir: String, bin: String, lxv: String) {
        let dir = TestTemporaryFiles.folder("safe")
        let corpus = dir + "/c.txt"
        try String(repeating: "cat dog hammer saw cat dog drill wrench\n", count: 300).write(toFile: corpus, atomically: false, encoding: .utf8)
        XCTAssertEqual(try lexel(["skipgram", "-input", corpus, "-output", dir + "/m", "-dim", "16", "-minCount", "1",
                                  "-epoch", "1", "-bucket", "1000", "-thread", "1", "-verbose", "0"]).status, 0)
        XCTAssertEqual(try lexel(["convert", dir + "/m.bin", dir + "/m.lxv"]).status, 0)
        return (dir, dir + "/m.bin", dir + "/m.lxv")
    }

    func testNewlineFreeInputIsBoundedUnderAMemoryLimit() throws {
        let dir = TestTemporaryFiles.folder("safe")
        let r = try sh("ulimit -v 2000000; exec \"$LEXEL\" embed /dev/zero --output \(dir)/v.npy --quiet")
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssert(r.err.contains("/dev/zero: at byte offset 0: line 1: a document longer than 32 MiB"), r.err)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), [], "no output, no temporary file")
        let small = try sh("ulimit -v 2000000; exec \"$LEXEL\" embed /dev/zero --max-document-mb 1 --quiet")
        XCTAssert(small.err.contains("longer than 1 MiB"), small.err)
        let v = try vectors()
        for cmd in ["nn \(v.bin)", "analogies \(v.bin)", "print-word-vectors \(v.bin)", "query \(v.lxv)",
                    "query \(v.lxv) --most-similar 3", "similar \(v.dir)/c.txt"] {
            let q = try sh("ulimit -v 2000000; exec \"$LEXEL\" \(cmd) < /dev/zero")
            XCTAssertEqual(q.status, 1, "\(cmd): \(q.err)")
            XCTAssert(q.err.contains("standard input: at byte offset 0: line 1: longer than 1 MiB"), "\(cmd): \(q.err)")
        }
    }

    func testQueriesMustBeValidUTF8() throws {
        let v = try vectors()
        let r = try lexel(["nn", v.bin, "3"], input: Data("cat\ncaf".utf8) + Data([0xE9, 0x0A]))
        XCTAssertEqual(r.status, 1)
        XCTAssert(r.err.contains("standard input: at byte offset 7: line 2: invalid UTF-8"), r.err)
    }

    func testAFullStandardOutputIsAnError() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let v = try vectors()
        for cmd in ["embed \(v.dir)/c.txt --quiet", "query \(v.lxv)", "print-word-vectors \(v.bin)", "info \(v.lxv)"] {
            let r = try sh("printf 'cat\\ndog\\n' | \"$LEXEL\" \(cmd) > /dev/full")
            XCTAssertEqual(r.status, 1, "\(cmd): \(r.err)")
            XCTAssert(r.err.contains("standard output: write failed"), "\(cmd): \(r.err)")
        }
    }

    func testSignalsRemoveTemporaryOutputs() throws {
        for signal in ["TERM", "INT"] {
            let dir = TestTemporaryFiles.folder("sig")
            try "old".write(toFile: dir + "/v.npy", atomically: false, encoding: .utf8)
            XCTAssertEqual(mkfifo(dir + "/in", 0o600), 0)
            // embed waits for documents on the FIFO (kept open by `sleep`) with its temporary output created.
            // `env --default-signal`: background jobs of a non-interactive shell would otherwise ignore SIGINT.
            let r = try sh("""
                sleep 30 > \(dir)/in & keeper=$!
                env --default-signal=INT "$LEXEL" embed \(dir)/in --output \(dir)/v.npy --quiet & pid=$!
                for i in $(seq 100); do ls \(dir) | grep -q tmp- && break; sleep 0.1; done
                ls \(dir) | grep -q tmp- || { echo 'no temporary file appeared' >&2; exit 3; }
                kill -\(signal) $pid; wait $pid; status=$?; kill $keeper; exit $status
                """)
            XCTAssertNotEqual(r.status, 0, r.err)
            XCTAssertNotEqual(r.status, 3, r.err)
            XCTAssertEqual(leftovers(dir), [], "SIG\(signal) leaves no temporary file")
            XCTAssertEqual(try String(contentsOfFile: dir + "/v.npy", encoding: .utf8), "old", "the old output is untouched")
        }
    }

    func testATruncatedMappedFileIsAnErrorNotABusError() throws {
        let v = try vectors()
        let r = try sh("""
            mkfifo \(v.dir)/q
            "$LEXEL" query \(v.lxv) --most-similar 3 < \(v.dir)/q & pid=$!
            exec 3> \(v.dir)/q
            sleep 1
            truncate -s 0 \(v.lxv)
            echo cat >&3; exec 3>&-
            wait $pid
            """)
        XCTAssertEqual(r.status, 1, r.err)
        XCTAssert(r.err.contains("\(v.lxv): the file was truncated or replaced by another program while in use"), r.err)
    }

    func testOutputsRespectLinksFIFOsAndDevices() throws {
        let v = try vectors()
        // A symbolic link: its target is replaced, the link stays.
        try "old".write(toFile: v.dir + "/real.vec", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: v.dir + "/link.vec", withDestinationPath: "real.vec")
        XCTAssertEqual(try lexel(["convert", v.lxv, v.dir + "/link.vec"]).status, 0)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: v.dir + "/link.vec"), "real.vec")
        let header = try String(contentsOfFile: v.dir + "/real.vec", encoding: .utf8).prefix { $0 != "\n" }
        XCTAssert(header.hasSuffix(" 16"), String(header))
        // A FIFO is written through.
        let fifo = try sh("mkfifo \(v.dir)/p.vec; cat \(v.dir)/p.vec > \(v.dir)/got.vec & \"$LEXEL\" convert \(v.lxv) \(v.dir)/p.vec; s=$?; wait; exit $s")
        XCTAssertEqual(fifo.status, 0, fifo.err)
        XCTAssertEqual(try String(contentsOfFile: v.dir + "/got.vec", encoding: .utf8), try String(contentsOfFile: v.dir + "/real.vec", encoding: .utf8))
        // A character device (a /dev/null made in the scratch folder) stays a device.
        let dev = try sh("mknod \(v.dir)/null c 1 3 && \"$LEXEL\" convert \(v.bin) \(v.dir)/null && test -c \(v.dir)/null")
        if !dev.err.contains("mknod") { XCTAssertEqual(dev.status, 0, dev.err) }
        XCTAssertEqual(leftovers(v.dir), [])
        // A .npy is written in two passes: a pipe is refused before any work.
        XCTAssertEqual(mkfifo(v.dir + "/p.npy", 0o600), 0)
        try expectError(["embed", v.dir + "/c.txt", "--output", v.dir + "/p.npy", "--quiet"], "needs a regular file")
    }

    func testTrainingChecksItsOutputsFirstAndWritesBothOrNeither() throws {
        let v = try vectors()
        let binBefore = try Data(contentsOf: URL(fileURLWithPath: v.bin))
        try FileManager.default.createDirectory(atPath: v.dir + "/x.vec", withIntermediateDirectories: false)
        try "keep".write(toFile: v.dir + "/x.bin", atomically: false, encoding: .utf8)
        try expectError(["skipgram", "-input", v.dir + "/c.txt", "-output", v.dir + "/x", "-minCount", "1", "-verbose", "0"],
                        "x.vec: is a folder, not an output file")
        XCTAssertEqual(try String(contentsOfFile: v.dir + "/x.bin", encoding: .utf8), "keep", "neither output is replaced")
        try expectError(["skipgram", "-input", v.dir + "/c.txt", "-output", v.dir + "/", "-verbose", "0"], "-output is a prefix, not a folder")
        try expectError(["cbow", "-input", v.dir + "/c.txt", "-output", v.dir, "-verbose", "0"], "-output is a prefix, not a folder")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: v.bin)), binBefore)
    }

    func testConvertHonoursOrRefusesEveryFlag() throws {
        let v = try vectors()
        let top = v.dir + "/top.vec"
        XCTAssertEqual(try lexel(["convert", v.lxv, top, "--max-words", "3", "--normalize"]).status, 0)
        let lines = try String(contentsOfFile: top, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
        XCTAssertEqual(lines[0], "3 16")
        let values = lines[1].split(separator: " ").dropFirst().compactMap { Float($0) }
        XCTAssertEqual(values.map { $0 * $0 }.reduce(0, +), 1, accuracy: 1e-4, "--normalize applies")
        try expectError(["convert", v.lxv, v.dir + "/x.vec", "--dtype", "int8"], "--dtype int8", "need a .lxv output")
        try expectError(["convert", v.lxv, v.dir + "/x.npy", "--fold-case"], "--fold-case")
        try expectError(["index", v.lxv, "--output", v.dir + "/base.vec"], "--output must end in .lxv")
        // A damaged .lxv is reported, not re-checksummed into a new file.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: v.lxv))
        bytes[bytes.count - 100] ^= 0x55
        let bad = temp("bad.lxv", bytes)
        try expectError(["convert", bad, v.dir + "/copy.lxv"], "checksum mismatch")
        try expectError(["index", bad, "--output", v.dir + "/indexed.lxv", "--verbose", "0"], "checksum mismatch")
        XCTAssertFalse(FileManager.default.fileExists(atPath: v.dir + "/copy.lxv"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: v.dir + "/indexed.lxv"))
    }

    func testWrongKindsOfFilesAreNamed() throws {
        let v = try vectors()
        try expectError(["nn", LexicalFixtures.tinyNPZ], "ZIP archive", "needs word vectors")
        try expectError(["query", v.bin], "needs a Lexel vector file (.lxv)", "lexel convert")
        try expectError(["info", LexicalFixtures.tinyNPZ], "needs a Lexel vector file (.lxv)")
    }
}
