import Foundation

/// Every temporary file of the tests lives in one folder per test process, removed when the process exits, so
/// that test runs leave nothing behind in the temporary directory (even when an assertion fails first).
public enum TestTemporaryFiles {
    /// `$TMPDIR/lexel-tests-PID`, created on first use.
    public static let root: String = {
        let root = NSTemporaryDirectory() + "lexel-tests-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestTemporaryFiles.root) }
        return root
    }()

    /// A new empty folder under `root`.
    public static func folder(_ prefix: String = "t") -> String {
        let dir = root + "/\(prefix)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// A new temporary file holding `bytes` (under `TestTemporaryFiles.root`).
public func tempFile(_ bytes: [UInt8], _ name: String = "corpus.txt") -> String {
    let path = TestTemporaryFiles.folder("file") + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    return path
}

/// A new temporary file holding `text` as UTF-8.
public func tempFile(_ text: String, _ name: String = "corpus.txt") -> String { tempFile(Array(text.utf8), name) }

/// The `Fixtures` folder beside the test file that calls this.
public func fixturesFolder(_ file: String = #filePath) -> String {
    URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("Fixtures").path
}

/// The repository's root folder (for shipped files such as `vocab/`).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
