#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibFuzzer
import LexelKit

/// The readers take paths: each input is written to one file per process and extension, in /dev/shm when it
/// exists (no disk I/O), else in $TMPDIR or /tmp. The file is rewritten in place for every input; nothing from the
/// previous input may still map it (readers' objects are released before the harness returns).
public final class FuzzFile: Sendable {
    public let path: String

    public init(ext: String) {
        var dir = "/dev/shm"
        var st = stat()
        if stat(dir, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR {
            dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        }
        path = "\(dir)/lexel-fuzz-\(getpid()).\(ext)"
        atexit_paths.append(path)
        if !registered {
            registered = true
            atexit { for p in atexit_paths { unlink(p) } }
        }
    }

    /// Replaces the file's content with `bytes`; returns the path.
    @discardableResult
    public func write(_ bytes: UnsafeRawBufferPointer) -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "cannot create \(path): \(String(cString: strerror(errno)))")
        var off = 0
        while off < bytes.count {
            let w = Glibc.write(fd, bytes.baseAddress! + off, bytes.count - off)
            precondition(w > 0 || errno == EINTR, "cannot write \(path): \(String(cString: strerror(errno)))")
            if w > 0 { off += w }
        }
        close(fd)
        return path
    }

    @discardableResult
    public func write(_ data: UnsafePointer<UInt8>, _ size: Int) -> String {
        write(UnsafeRawBufferPointer(start: size > 0 ? UnsafeRawPointer(data) : nil, count: size))
    }
}

let verbose = getenv("LEXEL_FUZZ_VERBOSE").map { String(cString: $0) == "1" } ?? false
nonisolated(unsafe) private var atexit_paths: [String] = []
nonisolated(unsafe) private var registered = false

/// Runs a reader on one input. Throwing a `LexelError` is the expected outcome for a bad file; any other error
/// is a bug in the reader (it must name the file and what is wrong), so it stops the fuzzer like a crash.
/// With `LEXEL_FUZZ_VERBOSE=1` the rejections are printed (to check that the seeds are accepted:
/// `LEXEL_FUZZ_VERBOSE=1 .build-fuzz/debug/FuzzLuxical -runs=0 Fuzz/Seeds/npz`).
public func expectOnlyLexelErrors(_ body: () throws -> Void) {
    do {
        try body()
        if verbose { print("accepted") }
    } catch let e as LexelError {
        // A clean rejection.
        if verbose { print("rejected: \(e)") }
    } catch {
        fatalError("reader threw something other than a LexelError: \(error)")
    }
}

/// Words looked up in every file that opens: common in-vocabulary words of the seeds, out-of-vocabulary ones
/// (subword and spelling paths), non-ASCII, the end-of-line token, and the empty string.
public let probeWords = ["the", "cat", "dogs", "quickly", "zzqxv", "naïve", "日本語", "</s>", "", "a", "ab",
                         "reading", "unhappiness"]

/// Exercises a loaded `WordVectors` the way the CLI does: words, lookups in and out of the vocabulary, the
/// stored rows, and every word's vector when the file is small.
public func probe(_ v: WordVectors) {
    let n = v.vocabulary.count
    precondition(n >= 0 && v.dim > 0)
    var words = probeWords
    for i in [0, 1, n / 2, n - 1] where i >= 0 && i < n { words.append(v.vocabulary.word(i)) }
    for w in words {
        if let x = v.vector(for: w) { precondition(x.count == v.dim) }
        _ = v.vocabulary.id(of: w)
    }
    let row = UnsafeMutablePointer<Float>.allocate(capacity: v.dim)
    defer { row.deallocate() }
    if v.rowCount > 0 {
        v.matrixRow(0, into: row)
        v.matrixRow(v.rowCount - 1, into: row)
    }
    if n * v.dim <= 1 << 16 {
        for i in 0..<n { v.wordVector(i, into: row) }
    } else if n > 0 {
        v.wordVector(n - 1, into: row)
    }
}

/// Runs libFuzzer on `testOneInput` with the process's arguments (libFuzzer flags, corpus folders, crash files)
/// and exits with its status. Fuzz targets call this from their `main`: SwiftPM gives every executable target a
/// `main` of its own, so libFuzzer's `main` is never linked.
/// (libFuzzer never passes a null pointer, not even for an empty input.)
public func runLibFuzzer(_ testOneInput: @escaping @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    let callback = unsafeBitCast(testOneInput, to: (@convention(c) (UnsafePointer<UInt8>?, Int) -> CInt).self)
    exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
}

// MARK: - Keeping checksums valid, so that mutations reach the parsers behind them

public func load64(_ b: [UInt8], _ at: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<8 { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
    return v
}

public func store64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) {
    for i in 0..<8 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
}

func load16(_ b: [UInt8], _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
func load32(_ b: [UInt8], _ at: Int) -> Int { load16(b, at) | load16(b, at + 2) << 16 }
func store32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
    for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(i))) }
}

/// Section containers (`.lxv`, `.lxm`, docs/format.md): unless bit 0 of header byte 40 (reserved, zero in real
/// files) is set, makes the file size, the section checksums, the table checksum and the header checksum match
/// the bytes, so that mutations get past the XXH64 checks to the section parsers. Inputs with the bit set test
/// the checksum checks themselves.
public func fixContainerChecksums(_ b: inout [UInt8]) {
    guard b.count >= 64 && b[40] & 1 == 0 else { return }
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

/// ZIP archives (`.npz`): makes the CRC-32 of every stored member, in its central-directory entry and its local
/// header, match the member's bytes, so that mutations of the arrays get past the CRC check to the `.npy` and
/// model parsers. An entry whose general-purpose flags have bit 15 set (reserved by PKWARE, zero in NumPy's
/// files) is left as it is, so the CRC check itself is tested too. Only plain (not ZIP64) archives are fixed.
public func fixZipCRCs(_ b: inout [UInt8]) {
    let size = b.count
    guard size >= 22 else { return }
    var eocd = -1
    var at = size - 22
    while at >= max(0, size - 22 - 65_535) {
        if load32(b, at) == 0x0605_4B50 { eocd = at; break }
        at -= 1
    }
    guard eocd >= 0 else { return }
    let count = load16(b, eocd + 10)
    var p = load32(b, eocd + 16)
    for _ in 0..<count {
        guard p >= 0, p + 46 <= size, load32(b, p) == 0x0201_4B50 else { return }
        let flags = load16(b, p + 8), method = load16(b, p + 10), csize = load32(b, p + 20)
        let nameLen = load16(b, p + 28), extraLen = load16(b, p + 30), commentLen = load16(b, p + 32)
        let local = load32(b, p + 42)
        if flags & 0x8000 == 0, method == 0, local + 30 <= size, load32(b, local) == 0x0403_4B50 {
            let data = local + 30 + load16(b, local + 26) + load16(b, local + 28)
            if data <= size, csize <= size - data {
                let crc = b.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[data..<(data + csize)])) }
                store32(&b, p + 16, crc)
                store32(&b, local + 14, crc)
            }
        }
        p += 46 + nameLen + extraLen + commentLen
    }
}

// MARK: - Lexical models

/// Texts embedded by every lexical model that loads: ASCII words and n-grams of the seeds' vocabularies,
/// accents, CJK, special tokens, control characters, a word over 100 characters, and the empty text.
public let probeTexts = ["the cat sat on the mat", "cat dog horse cow hammer saw drill nail", "", "naïve café über 日本語",
                         "[UNK] [CLS] x [SEP] [MASK] [PAD]", "a\tb\nc\u{0}d\u{7F}", String(repeating: "abc", count: 40),
                         "Hello, World! 123 -- ok?"]

/// Exercises a loaded `LexicalModel` the way `lexel embed` does: embeds the probe texts and a text made of the
/// model's own first tokens (so that its n-grams are found), and checks the output shape.
public func probe(_ m: LexicalModel) {
    precondition(m.outputDim > 0 && m.network.inputDim == m.vocabulary.count)
    let vocab = m.tokenizer.vocabulary
    let own = vocab.prefix(64).filter { !$0.hasPrefix("[") }.joined(separator: " ")
    let rows = m.embed(probeTexts + [own, own + " " + own])
    precondition(rows.count == probeTexts.count + 2 && rows.allSatisfy { $0.count == m.outputDim })
}
