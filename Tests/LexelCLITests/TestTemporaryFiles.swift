import Foundation

/// Every temporary file of these tests lives in one folder per test process, removed when the process exits,
/// so that test runs leave nothing behind in the temporary directory (even when an assertion fails first).
enum TestTemporaryFiles {
    /// `$TMPDIR/lexel-tests-cli-PID`, created on first use.
    static let root: String = {
        let root = NSTemporaryDirectory() + "lexel-tests-cli-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        try! FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TestTemporaryFiles.root) }
        return root
    }()

    /// A new empty folder under `root`.
    static func folder(_ prefix: String = "t") -> String {
        let dir = root + "/\(prefix)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
