#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
import LexelStore

/// `.lxv` files: `VectorFile(path:)`, then key / row / vector lookups (in and out of the vocabulary, so the subword
/// and spelling-index paths run), case-folded lookups, approximate neighbours when the file has an HNSW graph,
/// and `verify()`.
///
/// The header and the section table carry XXH64 checksums, which random mutations almost never keep valid, so
/// most inputs would stop at the first check. Unless bit 0 of header byte 40 (reserved, always zero in real
/// files) is set, the harness first rewrites the file-size field and every checksum to match the mutated bytes,
/// so the fuzzer reaches the section parsers; inputs with the bit set test the checksum checks themselves.
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
    if bytes.count >= 64 && bytes[40] & 1 == 0 { fixChecksums(&bytes) }
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

func load64(_ b: [UInt8], _ at: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<8 { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
    return v
}

func store64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) {
    for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
}

/// Makes the file size, the section checksums, the table checksum and the header checksum match the bytes.
func fixChecksums(_ b: inout [UInt8]) {
    let n = Int(b[12]) | Int(b[13]) << 8 | Int(b[14]) << 16 | Int(b[15]) << 24
    store64(&b, 16, UInt64(b.count))
    if n >= 1 && n <= 64 && 64 + n * 64 <= b.count {
        for i in 0..<n {
            let e = 64 + i * 64
            let (offset, length) = (load64(b, e + 8), load64(b, e + 16))
            if offset <= UInt64(b.count) && length <= UInt64(b.count) - offset {
                let sum = b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[Int(offset)..<Int(offset + length)])) }
                store64(&b, e + 32, sum)
            }
        }
        let table = b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[64..<(64 + n * 64)])) }
        store64(&b, 24, table)
    }
    let header = b.withUnsafeBytes { XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[0..<32])) }
    store64(&b, 32, header)
}
