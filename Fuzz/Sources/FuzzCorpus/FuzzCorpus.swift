import FuzzSupport
import LexelKit

/// Training corpora (plain text or zstd): `LineReader` with a small buffer (so that the long-line cutting path
/// runs) + the tokenizer + UTF-8 validation, and `Vocabulary.count(path:minCount:maxSize:)` with a small
/// `maxSize` (so that pruning runs), then vocabulary lookups.
let file = FuzzFile(ext: "txt")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let path = file.write(data, size)
    expectOnlyLexelErrors {
        // The reader must hand out every byte exactly once, in order, lines cut only at whitespace or buffer size.
        let reader = try LineReader(path: path, capacity: 64)
        var expected: Int64 = 0
        var tokens = 0
        try reader.forEachLine { line, endsLine, offset in
            precondition(offset >= expected, "line offset \(offset) goes back (expected >= \(expected))")
            precondition(line.count <= 64)
            expected = offset + Int64(line.count) + (endsLine ? 1 : 0)
            forEachToken(in: line) { tok, at in
                precondition(tok.count > 0 && at >= 0 && at + tok.count <= line.count)
                tokens += 1
                _ = firstInvalidUTF8(tok)
            }
        }
        let vocab = try Vocabulary.count(path: path, minCount: Int64(size % 3 + 1), maxSize: 32)
        precondition(vocab.count > 0)
        for i in 0..<vocab.count {
            precondition(vocab.id(of: vocab.word(i)) != nil || vocab.word(i).utf8.isEmpty)
        }
        for w in probeWords { _ = vocab.id(of: w) }
    }
    return 0
}
