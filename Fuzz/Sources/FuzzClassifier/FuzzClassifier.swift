import FuzzSupport
import LexelKit

/// fastText classifiers (`.bin` and quantised `.ftz`, versions 11 and 12): `FastTextClassifierFile.read(path:)`, then
/// predictions for a few lines (every label), and a write that must read back to the same predictions.
let file = FuzzFile(ext: "bin")
let copy = FuzzFile(ext: "copy.bin")
let lines = ["", "the team scored a late goal", "café 東京 kernel", "__label__x word word", "a b c d e f g h i j"]

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    file.write(data, size)
    expectOnlyLexelErrors {
        let model = try FastTextClassifierFile.read(path: file.path)
        let w = model.workspace()
        let before = lines.map { l in Array(l.utf8).withUnsafeBufferPointer { model.predict($0, k: -1, w) } }
        for p in before.joined() { precondition(p.label >= 0 && p.label < model.labelCount && p.probability <= 1) }
        try FastTextClassifierWriter.write(model, to: copy.path)
        let again = try FastTextClassifierFile.read(path: copy.path)
        let w2 = again.workspace()
        let after = lines.map { l in Array(l.utf8).withUnsafeBufferPointer { again.predict($0, k: -1, w2) } }
        precondition(before.map { $0.map(\.label) } == after.map { $0.map(\.label) }, "a written model predicts differently")
    }
    return 0
}
