import FuzzSupport
import LexelKit

/// Lexel lexical models (`.lxm`: a section container whose meta says `kind=lexical-model`,
/// docs/lexical-model.md): `LexicalModel.load(path:)`, then embeddings of a few texts (tokenizer, n-gram
/// lookups, W0 rows mapped in place and the dense layers), then `ContainerFile.verify()` (W0 is not
/// checksummed at load). As for `.lxv` files, the harness rewrites the checksums to match the mutated bytes
/// unless bit 0 of header byte 40 is set (`fixContainerChecksums`).
let file = FuzzFile(ext: "lxm")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    fixContainerChecksums(&bytes)
    bytes.withUnsafeBytes { _ = file.write($0) }
    expectOnlyLexelErrors {
        probe(try LexicalModel.load(path: file.path))
        try ContainerFile(path: file.path, kinds: LexicalModel.sectionKinds).verify()
    }
    return 0
}
