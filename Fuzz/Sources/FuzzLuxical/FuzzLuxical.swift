import FuzzSupport
import LexelKit

/// Luxical models (`.npz`: a ZIP of `.npy` arrays with an HF tokenizer JSON, the n-gram table, IDF and the
/// layers): `LexicalModel.load(path:)` (which sniffs the ZIP and calls `LuxicalModel.load`), then embeddings of
/// a few texts. Every member's CRC-32 is checked by the reader; the harness rewrites them to match the mutated
/// bytes (`fixZipCRCs`), except in entries whose reserved flag bit 15 is set.
let file = FuzzFile(ext: "npz")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    fixZipCRCs(&bytes)
    bytes.withUnsafeBytes { _ = file.write($0) }
    expectOnlyLexelErrors { probe(try LexicalModel.load(path: file.path)) }
    return 0
}
