import FuzzSupport
import LexelKit

/// Query lines (what `nn`, `query`, `analogies`, `similar` ... read from standard input): `QueryLines.forEach`
/// with a 64-byte line limit (so that the limit's error path runs) and with the default 1 MiB, and
/// `QueryLines.forEachWords`. Lines must be numbered 1, 2, 3, ..., hold no newline and fit the limit; words
/// must be non-empty and hold no space or tab.
let file = FuzzFile(ext: "txt")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    file.write(data, size)
    for limit in [64, QueryLines.defaultMaxLineBytes] {
        expectOnlyLexelErrors {
            var next = 1
            try QueryLines.forEach(path: file.path, maxLineBytes: limit) { line, number in
                precondition(number == next)
                next += 1
                precondition(line.utf8.count <= limit && !line.utf8.contains(0x0A))
            }
        }
    }
    expectOnlyLexelErrors {
        var last = 0
        try QueryLines.forEachWords(path: file.path, maxLineBytes: 64) { words, number in
            precondition(number > last && !words.isEmpty)
            last = number
            for w in words { precondition(!w.isEmpty && !w.utf8.contains(0x20) && !w.utf8.contains(0x09)) }
        }
    }
    return 0
}
