import FuzzSupport
import LexelKit

/// fastText 0.9 models (`.bin`, versions 11 and 12): `FastTextModel.read(path:)`, then lookups (dense buckets).
let file = FuzzFile(ext: "bin")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    file.write(data, size)
    expectOnlyLexelErrors { probe(try FastTextModel.read(path: file.path)) }
    return 0
}
