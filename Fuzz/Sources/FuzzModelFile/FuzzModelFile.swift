import FuzzSupport
import LexelKit

/// Lexel model files (`.bin` starting with `LXWMODEL`, docs/model-format.md), through `WordVectors.load`, whose
/// content sniffing picks the reader; then lookups in and out of the vocabulary.
let file = FuzzFile(ext: "bin")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    file.write(data, size)
    expectOnlyLexelErrors { probe(try WordVectors.load(path: file.path)) }
    return 0
}
