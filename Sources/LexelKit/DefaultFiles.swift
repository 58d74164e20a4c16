import LexelCore
#if canImport(Glibc)
import Glibc
#endif

/// Where the files Lexel ships are found (one rule for every command): the shipped document model
/// (`vocab/lexel-minilm-distilled.lxm`) and the WordPiece vocabulary (`vocab/bert-base-uncased/vocab.txt`).
/// A relative path is looked up in the working directory, then in the repository or install tree of the
/// running executable (`.build/release/lexel` -> `vocab/`, `bin/lexel` -> `share/lexel/`).
public enum DefaultFiles {
    public static let modelName = "lexel-minilm-distilled.lxm"
    public static let vocabularyPath = "vocab/bert-base-uncased/vocab.txt"

    /// The document model: `$LEXEL_MODEL`, else the shipped one.
    public static func model() throws -> String {
        if let env = getenv("LEXEL_MODEL").map({ String(cString: $0) }), !env.isEmpty { return env }
        let found = locate("vocab/\(modelName)", installed: "share/lexel/\(modelName)")
        guard access(found.path, R_OK) == 0 else {
            throw LexelError("no --model given and the default model \(modelName) was not found in "
                             + "\(found.tried.joined(separator: ", ")) (or set LEXEL_MODEL)")
        }
        return found.path
    }

    /// A vocabulary path: as given when it exists; for a relative path that does not, also beside the executable.
    public static func vocabulary(_ path: String = vocabularyPath) -> String {
        locate(path, installed: "share/lexel/" + (path.split(separator: "/").suffix(2).joined(separator: "/"))).path
    }

    /// `path` if readable, else the first readable candidate beside the executable, else `path` (so that the
    /// error names what the user gave).
    static func locate(_ path: String, installed: String) -> (path: String, tried: [String]) {
        var tried = [path]
        if access(path, R_OK) == 0 || path.hasPrefix("/") { return (path, tried) }
        if let dir = executableFolder() {
            tried += ["\(dir)/../../\(path)", "\(dir)/../../../\(path)", "\(dir)/../\(installed)"]
        }
        return (tried.dropFirst().first { access($0, R_OK) == 0 } ?? path, tried)
    }

    static func executableFolder() -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        let exe = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    }
}
