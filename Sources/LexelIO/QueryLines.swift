import LexelCore

/// Query lines (the words or texts a command answers for, usually from standard input): each line is at most
/// `maxLineBytes` long and valid UTF-8, so that newline-free input (`/dev/zero`) is an error after a bounded
/// read instead of growing without limit, and a damaged byte is reported instead of silently replaced.
public enum QueryLines {
    /// 1 MiB.
    public static let defaultMaxLineBytes = 1 << 20

    /// Calls `body(line, lineNumber)` for every line of `path` (`-`: standard input), without its newline or
    /// trailing `\r`. Lines numbers start at 1.
    public static func forEach(path: String = "-", maxLineBytes: Int = defaultMaxLineBytes,
                               _ body: (_ line: String, _ number: Int) throws -> Void) throws {
        try forEachBytes(path: path, maxLineBytes: maxLineBytes) { try body(String(decoding: $0, as: UTF8.self), $1) }
    }

    /// Like `forEach`, handing out each line's bytes (valid UTF-8, valid only during the call) without making a
    /// String.
    public static func forEachBytes(path: String = "-", maxLineBytes: Int = defaultMaxLineBytes,
                                    _ body: (_ line: UnsafeBufferPointer<UInt8>, _ number: Int) throws -> Void) throws {
        let source: ByteSource = try FileByteSource(path == "-" ? "/dev/stdin" : path)
        let name = path == "-" || path == "/dev/stdin" ? "standard input" : path
        var number = 0
        do {
            try LineReader(source, capacity: maxLineBytes + 1, cutLongLines: false).forEachLine { line, _, offset in
                number += 1
                let n = line.count > 0 && line[line.count - 1] == 0x0D ? line.count - 1 : line.count
                let bom = number == 1 && line.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0  // a byte order mark is not text
                let text = UnsafeBufferPointer(rebasing: line[min(bom, n)..<n])
                if let bad = firstInvalidUTF8Fast(text) {
                    throw LexelError(file: name, offset: offset + Int64(bad), "line \(number): invalid UTF-8")
                }
                try body(text, number)
            }
        } catch let e as LexelError where e.message.hasPrefix("a line longer than") {
            throw LexelError(file: name, offset: e.offset, "line \(number + 1): longer than \(byteCount(maxLineBytes)) "
                             + "(a query line must end with a newline within \(byteCount(maxLineBytes)))")
        }
    }

    /// Like `forEach`, with each line split into whitespace-separated words (lines without words are skipped).
    public static func forEachWords(path: String = "-", maxLineBytes: Int = defaultMaxLineBytes,
                                    _ body: (_ words: [String], _ number: Int) throws -> Void) throws {
        try forEach(path: path, maxLineBytes: maxLineBytes) { line, number in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if !words.isEmpty { try body(words, number) }
        }
    }
}
