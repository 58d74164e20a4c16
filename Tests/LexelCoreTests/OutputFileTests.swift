import Foundation
import XCTest
import LexelCore
import LexelTestSupport

/// Outputs are replaced atomically, never replace devices, FIFOs or symbolic links, and report every failed write.
final class OutputFileTests: XCTestCase {
    func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "<missing>" }
    func leftovers(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.contains(".tmp-") }
    }

    func testCommitReplacesAndAnUncommittedWriterLeavesTheOldFile() throws {
        let dir = TestTemporaryFiles.folder("out")
        let path = dir + "/a.txt"
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        do {
            let w = try AtomicFileWriter(path: path)
            try w.write("new but never committed")
        }
        XCTAssertEqual(read(path), "old")
        XCTAssertEqual(leftovers(dir), [], "the temporary file is removed")
        let w = try AtomicFileWriter(path: path)
        try w.write("new")
        try w.commit()
        XCTAssertEqual(read(path), "new")
        XCTAssertEqual(leftovers(dir), [])
    }

    func testSymbolicLinkKeepsPointingAtItsReplacedTarget() throws {
        let dir = TestTemporaryFiles.folder("out")
        try "old".write(toFile: dir + "/target.txt", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.txt", withDestinationPath: "target.txt")
        let w = try AtomicFileWriter(path: dir + "/link.txt")
        try w.write("new")
        try w.commit()
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link.txt"), "target.txt")
        XCTAssertEqual(read(dir + "/target.txt"), "new")
        XCTAssertEqual(leftovers(dir), [])
    }

    func testFIFOIsWrittenThroughAndRefusedForTwoPassFormats() throws {
        let dir = TestTemporaryFiles.folder("out")
        let fifo = dir + "/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try AtomicFileWriter(path: fifo, seekable: true).write("x")) {
            XCTAssert("\($0)".contains("needs a regular file"), "\($0)")
        }
        let reader = Thread {
            let h = FileHandle(forReadingAtPath: fifo)!
            let data = h.readDataToEndOfFile()
            try? String(decoding: data, as: UTF8.self).write(toFile: dir + "/got.txt", atomically: false, encoding: .utf8)
        }
        reader.start()
        let w = try AtomicFileWriter(path: fifo)
        try w.write("through the pipe")
        try w.commit()
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: dir + "/got.txt") { usleep(10_000) }
        XCTAssertEqual(read(dir + "/got.txt"), "through the pipe")
        var st = stat()
        XCTAssertEqual(stat(fifo, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
    }

    func testCharacterDeviceStaysADevice() throws {
        let dir = TestTemporaryFiles.folder("out")
        let null = dir + "/null"
        let nullDevice = dev_t((1 << 8) | 3)  // major 1, minor 3: what /dev/null is
        guard mknod(null, S_IFCHR | 0o666, nullDevice) == 0 else { throw XCTSkip("mknod needs root") }
        let w = try AtomicFileWriter(path: null)
        try w.write("discarded")
        try w.commit()
        var st = stat()
        XCTAssertEqual(stat(null, &st), 0)
        XCTAssertEqual(st.st_mode & S_IFMT, S_IFCHR, "a device at the output path is written to, never replaced")
        XCTAssertEqual(leftovers(dir), [])
    }

    func testAFullDeviceIsAnErrorNotAShortFile() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let w = try AtomicFileWriter(path: "/dev/full")
        try w.write(String(repeating: "x", count: 1000))
        XCTAssertThrowsError(try w.commit()) { XCTAssert("\($0)".contains("write failed"), "\($0)") }
    }

    func testCommitGroupPublishesAllOrNothing() throws {
        let dir = TestTemporaryFiles.folder("out")
        let (a, b) = (dir + "/m.bin", dir + "/m.vec")
        try "old a".write(toFile: a, atomically: false, encoding: .utf8)
        try "old b".write(toFile: b, atomically: false, encoding: .utf8)
        struct Boom: Error {}
        XCTAssertThrowsError(try CommitGroup().run {
            let w = try AtomicFileWriter(path: a)
            try w.write("new a")
            try w.commit()
            throw Boom()
        })
        XCTAssertEqual([read(a), read(b)], ["old a", "old b"], "a failure after the first commit replaces neither")
        XCTAssertEqual(leftovers(dir), [])
        try CommitGroup().run {
            for (p, t) in [(a, "new a"), (b, "new b")] {
                let w = try AtomicFileWriter(path: p)
                try w.write(t)
                try w.commit()
                XCTAssertEqual(read(p), p == a ? "old a" : "old b", "nothing is renamed before the group ends")
            }
        }
        XCTAssertEqual([read(a), read(b)], ["new a", "new b"])
    }

    func testOutputPathsAreCheckedBeforeWork() throws {
        let dir = TestTemporaryFiles.folder("out")
        XCTAssertThrowsError(try OutputPath.checkWritable(dir + "/no/such/x.npy")) { XCTAssert("\($0)".contains("does not exist"), "\($0)") }
        XCTAssertThrowsError(try OutputPath.checkWritable(dir)) { XCTAssert("\($0)".contains("is a folder"), "\($0)") }
        XCTAssertThrowsError(try OutputPath.checkWritable(dir + "/")) { XCTAssert("\($0)".contains("folder"), "\($0)") }
        XCTAssertNoThrow(try OutputPath.checkWritable(dir + "/new.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/new.txt"), "checking creates nothing")
    }

    func testQuotedCutsAndEscapes() {
        XCTAssertEqual(quoted("ab\u{1B}[2J\n"), "'ab\\u{1b}[2J\\n'")
        XCTAssertEqual(quoted(String(repeating: "x", count: 100), limit: 5), "'xxxxx...'")
        XCTAssertEqual(byteCount(32 << 20), "32 MiB")
        XCTAssertEqual(byteCount(512), "512 bytes")
    }
}
