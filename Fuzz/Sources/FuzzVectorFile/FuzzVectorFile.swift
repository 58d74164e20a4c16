#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import LexelKit

/// `.lxv` files: `VectorFile(path:)`, then key / row / vector lookups (in and out of the vocabulary, so the subword
/// and spelling-index paths run), case-folded lookups, approximate neighbours when the file has an HNSW graph,
/// and `verify()`.
///
/// The header and the section table carry XXH64 checksums, which random mutations almost never keep valid, so
/// most inputs would stop at the first check. Unless bit 0 of header byte 40 (reserved, always zero in real
/// files) is set, the harness first rewrites the file-size field and every checksum to match the mutated bytes
/// (`fixContainerChecksums`, in FuzzSupport), so the fuzzer reaches the section parsers; inputs with the bit set
/// test the checksum checks themselves.
let file = FuzzFile(ext: "lxv")
/// `LEXEL_FUZZ_SKIP=hnsw,fold` leaves out approximate searches / case-folded lookups (e.g. while a known crash in
/// them is being fixed, so that fuzzing of the rest goes on).
let skip = Set((getenv("LEXEL_FUZZ_SKIP").map { String(cString: $0) } ?? "").split(separator: ",").map(String.init))

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    fixContainerChecksums(&bytes)
    bytes.withUnsafeBytes { _ = file.write($0) }
    expectOnlyLexelErrors {
        let f = try VectorFile(path: file.path)
        precondition(f.count > 0 && f.dim > 0)
        var rows = Set([0, 1, f.count / 2, f.count - 1].filter { $0 >= 0 && $0 < f.count })
        for r in rows {
            let k = try f.key(r)
            if let found = f.row(of: k) { rows.insert(found) }
            _ = f.vector(row: r)
            _ = f.norm(row: r)
        }
        for w in probeWords {
            let v = try f.vector(for: w)
            precondition(v.count == f.dim)
            _ = try f.spellingNeighbours(of: w)
            if !skip.contains("fold") { _ = try f.row(ignoringCase: w) }
        }
        if f.hasHNSW && !skip.contains("hnsw") {
            _ = try f.approximateMostSimilar(toWord: probeWords[0], k: 3, ef: 8)
            _ = try f.approximateMostSimilar(toWord: try f.key(f.count - 1), k: 3, ef: 8)
        }
        try f.verify()
    }
    return 0
}
