import FuzzSupport
import LexelKit

/// Text vectors (word2vec/fastText `.vec` with a `count dim` header, GloVe without one; plain or zstd):
/// `TextVectors.read(path:)`, then lookups.
let file = FuzzFile(ext: "vec")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    file.write(data, size)
    expectOnlyLexelErrors { probe(try TextVectors.read(path: file.path)) }
    return 0
}
