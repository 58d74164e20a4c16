import Foundation
import XCTest
import LexelTestSupport

/// The base of the command-line tests: runs the `lexel` binary built next to the tests, the way a user does,
/// and makes temporary files (under `TestTemporaryFiles.root`, removed when the test process exits).
class LexelCLITestCase: XCTestCase {
    struct Result {
        let status: Int32
        let stdout: Data
        let err: String
        var out: String { String(decoding: stdout, as: UTF8.self) }
    }

    var binary: URL { Bundle.main.bundleURL.appendingPathComponent("lexel") }

    /// Runs `lexel args` with `input` on standard input; stdin, stdout and stderr are served concurrently, so
    /// that no pipe can fill up and block the child.
    func lexel(_ args: [String], stdin: String = "") throws -> Result { try lexel(args, input: Data(stdin.utf8)) }

    func lexel(_ args: [String], input: Data) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let (i, o, e) = (Pipe(), Pipe(), Pipe())
        p.standardInput = i
        p.standardOutput = o
        p.standardError = e
        try p.run()
        final class Box: @unchecked Sendable { var err = Data() }
        let box = Box(), group = DispatchGroup()
        let (writer, errReader) = (i.fileHandleForWriting, e.fileHandleForReading)
        signal(SIGPIPE, SIG_IGN)  // a child that exits before reading all its input must not kill the tests
        DispatchQueue.global().async(group: group) {
            try? writer.write(contentsOf: input)
            try? writer.close()
        }
        DispatchQueue.global().async(group: group) { box.err = errReader.readDataToEndOfFile() }
        let out = o.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: out, err: String(decoding: box.err, as: UTF8.self))
    }

    /// A new file `name` holding `data`, in a folder of its own.
    func temp(_ name: String, _ data: Data) -> String {
        let path = TestTemporaryFiles.folder("cli") + "/" + name
        XCTAssert(FileManager.default.createFile(atPath: path, contents: data), path)
        return path
    }

    func temp(_ name: String, _ text: String) -> String { temp(name, Data(text.utf8)) }

    /// A path for `name` in a new folder (nothing is created there).
    func outputPath(_ name: String) -> String { TestTemporaryFiles.folder("out") + "/" + name }

    /// Checks that `lexel args` fails with exit status 1 and a message holding every fragment, and no trap.
    @discardableResult
    func expectError(_ args: [String], _ fragments: String..., stdin: String = "", file: StaticString = #filePath,
                     line: UInt = #line) throws -> String {
        let r = try lexel(args, stdin: stdin)
        XCTAssertEqual(r.status, 1, "exit status for \(args): \(r.err)", file: file, line: line)
        for f in fragments { XCTAssert(r.err.contains(f), "'\(f)' not in: \(r.err)", file: file, line: line) }
        XCTAssertFalse(r.err.contains("Fatal error"), file: file, line: line)
        return r.err
    }

    /// Parses a 2-D `.npy` written by `lexel embed` (float32 or int8, C order): shape and values as Floats.
    func readNpy(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> (rows: Int, cols: Int, values: [Float], dtype: String) {
        let d = try Data(contentsOf: URL(fileURLWithPath: path))
        XCTAssertEqual(Array(d.prefix(6)), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59], "npy magic", file: file, line: line)
        let headerLength = Int(d[8]) | Int(d[9]) << 8
        let header = String(decoding: d[10..<(10 + headerLength)], as: UTF8.self)
        let dtype = header.contains("'<f4'") ? "f4" : header.contains("'|i1'") ? "i1" : "?"
        let shapeText = header.components(separatedBy: "'shape': (")[1].prefix { $0 != ")" }
        let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        XCTAssertEqual(shape.count, 2, header, file: file, line: line)
        let body = d.dropFirst(10 + headerLength)
        let values: [Float] = dtype == "f4"
            ? body.withUnsafeBytes { b in (0..<(b.count / 4)).map { b.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
            : body.map { Float(Int8(bitPattern: $0)) }
        XCTAssertEqual(values.count, shape[0] * shape[1], "data size for shape \(shape)", file: file, line: line)
        return (shape[0], shape[1], values, dtype)
    }

    /// The rows of `lexel embed`'s JSON Lines output.
    func embeddingRows(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [[Float]] {
        text.split(separator: "\n").map { l in
            guard let o = try? JSONSerialization.jsonObject(with: Data(l.utf8)) as? [String: Any],
                  let e = o["embedding"] as? [NSNumber] else {
                XCTFail("not an embedding line: \(l)", file: file, line: line)
                return []
            }
            return e.map { $0.floatValue }
        }
    }
}
