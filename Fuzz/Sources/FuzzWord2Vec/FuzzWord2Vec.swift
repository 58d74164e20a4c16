import FuzzSupport
import LexelKit

/// word2vec binary vectors (`count dim` line, then `word` + space + dim float32): `Word2VecBinary.read(path:)`,
/// then lookups.
let file = FuzzFile(ext: "bin")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    file.write(data, size)
    expectOnlyLexelErrors { probe(try Word2VecBinary.read(path: file.path)) }
    return 0
}
