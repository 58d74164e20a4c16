import FuzzSupport
import LexelKit

/// N-gram tables (`lexel ngrams` output, plain or zstd): `NgramTable.read(path:)`, then the feature vocabulary
/// with both IDF kinds (every listed hash must be found again), then a write and a second read that must give
/// the same table (tabs in the n-gram text become spaces on writing).
let file = FuzzFile(ext: "tsv")
let copy = FuzzFile(ext: "copy.tsv")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    file.write(data, size)
    expectOnlyLexelErrors {
        let t = try NgramTable.read(path: file.path)
        precondition(t.count > 0 && t.counts.count == t.count && t.documentFrequencies.count == t.count && t.texts.count == t.count)
        precondition(t.minN >= 1 && t.maxN >= t.minN && t.documents >= 0 && t.total >= 0)
        for idf in IDFKind.allCases {
            expectOnlyLexelErrors {
                let v = try t.vocabulary(idf: idf)
                precondition(v.count == t.count)
                for (i, h) in t.hashes.enumerated() { precondition(v.index(of: h) == i) }
                var out = SparseVector()
                let tokens: [UInt32] = [0, 1, 2, 1, 0, 7, 100, .max]
                tokens.withUnsafeBufferPointer { v.tfidf($0, into: &out) }
            }
        }
        try t.write(path: copy.path)
        let again = try NgramTable.read(path: copy.path)
        var expected = t
        expected.texts = t.texts.map { String(decoding: $0.utf8.map { $0 == 0x09 ? 0x20 : $0 }, as: UTF8.self) }
        precondition(again == expected, "a table read, written and read again differs")
    }
    return 0
}
