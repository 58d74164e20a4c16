// StoreBench: measurements of the `.lxv` store for tools/bench_store.py. Each subcommand prints one JSON line.
//
//   StoreBench memory  [--threads 2] [--mib 2048] [--repeats 5]
//   StoreBench open    FILE --word W [--evict]
//   StoreBench lookups FILE --words F --oov F2 [--cold N] [--limit N]
//   StoreBench search  FILE [--queries N] [--k 10] [--threads 2] [--rows-file F] [--ef 16,32,64,128] [--dump]
//
// Build: swift build -c release --package-path Benchmarks --scratch-path .build-storebench --product StoreBench
// No Foundation: it alone adds ~10 MB of RSS, and the RSS after open is one of the measurements.

#if canImport(Glibc)
import Glibc
import LexelKit
#endif

// MARK: - small helpers

@inline(never) func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func fail(_ message: String) -> Never {
    var m = "StoreBench: " + message + "\n"
    m.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(2)
}

/// `VmRSS` and `VmHWM` of this process in kB, read from /proc/self/status.
func memoryStatus() -> (rss: Int, hwm: Int) {
    guard let fp = fopen("/proc/self/status", "r") else { return (-1, -1) }
    defer { fclose(fp) }
    var rss = -1, hwm = -1
    var buf = [CChar](repeating: 0, count: 512)
    while fgets(&buf, Int32(buf.count), fp) != nil {
        let line = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        func value() -> Int { Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? -1 }
        if line.hasPrefix("VmRSS:") { rss = value() }
        if line.hasPrefix("VmHWM:") { hwm = value() }
    }
    return (rss, hwm)
}

/// Page faults (minor, major) of this process so far.
func faults() -> (minor: Int, major: Int) {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return (Int(u.ru_minflt), Int(u.ru_majflt))
}

/// Bytes this process caused to be read from storage (`read_bytes` of /proc/self/io; page-fault reads included).
func storageReadBytes() -> Int {
    guard let fp = fopen("/proc/self/io", "r") else { return -1 }
    defer { fclose(fp) }
    var buf = [CChar](repeating: 0, count: 256)
    while fgets(&buf, Int32(buf.count), fp) != nil {
        let line = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if line.hasPrefix("read_bytes:") { return Int(line.dropFirst(11).filter { $0.isNumber }) ?? -1 }
    }
    return -1
}

/// Marks the whole mapping of `f` for random access (no read-around on page faults).
func adviseRandom(_ f: VectorFile) {
    _ = madvise(UnsafeMutableRawPointer(mutating: f.file.base), f.file.size, MADV_RANDOM)
}

/// Drops the file's pages from the page cache (works without root for pages no process maps).
@discardableResult func evict(_ path: String) -> Bool {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { fail("cannot open \(path)") }
    defer { close(fd) }
    return posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_DONTNEED)) == 0
}

/// Fraction of the file's pages in the page cache (mincore over a fresh mapping).
func residentFraction(_ path: String) -> Double {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { return -1 }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0, st.st_size > 0 else { return -1 }
    let size = Int(st.st_size)
    guard let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else { return -1 }
    defer { munmap(p, size) }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let pages = (size + page - 1) / page
    var vec = [UInt8](repeating: 0, count: pages)
    guard mincore(p, size, &vec) == 0 else { return -1 }
    return Double(vec.reduce(0) { $0 + Int($1 & 1) }) / Double(pages)
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted()
    let pos = p / 100 * Double(s.count - 1)
    let lo = Int(pos.rounded(.down)), hi = min(s.count - 1, lo + 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
}

func stats(_ us: [Double]) -> JSON {
    JSON([("n", us.count), ("p50_us", percentile(us, 50)), ("p90_us", percentile(us, 90)), ("p99_us", percentile(us, 99)),
          ("mean_us", us.isEmpty ? Double.nan : us.reduce(0, +) / Double(us.count)), ("max_us", us.max() ?? .nan)])
}

/// An ordered JSON object.
struct JSON {
    var pairs: [(String, Any)]
    init(_ pairs: [(String, Any)]) { self.pairs = pairs }
    mutating func add(_ k: String, _ v: Any) { pairs.append((k, v)) }

    static func render(_ v: Any) -> String {
        switch v {
        case let j as JSON: return "{" + j.pairs.map { "\(render($0.0)): \(render($0.1))" }.joined(separator: ", ") + "}"
        case let s as String: return jsonString(s)
        case let b as Bool: return b ? "true" : "false"
        case let i as Int: return String(i)
        case let d as Double: return d.isFinite ? "\(d)" : "null"
        case let f as Float: return render(Double(f))
        case let a as [Any]: return "[" + a.map(render).joined(separator: ", ") + "]"
        default: return render(String(describing: v))
        }
    }
    func print() { Swift.print(JSON.render(self)); fflush(nil) }
}

/// Command-line options `--name value` (and flags) after the subcommand and optional positional FILE.
struct Args {
    var positional: [String] = []
    var options: [String: String] = [:]
    init(_ argv: ArraySlice<String>) {
        var it = argv.makeIterator()
        while let a = it.next() {
            if a.hasPrefix("--") {
                let name = String(a.dropFirst(2))
                if ["evict", "dump"].contains(name) { options[name] = "1" } else { options[name] = it.next() ?? "" }
            } else {
                positional.append(a)
            }
        }
    }
    func int(_ name: String, _ def: Int) -> Int { options[name].flatMap { Int($0) } ?? def }
    func string(_ name: String) -> String? { options[name] }
    var file: String {
        guard let f = positional.first else { fail("missing FILE") }
        return f
    }
}

/// Runs `body(t)` on `n` threads (pthreads) and waits.
func parallel(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
    if n == 1 { body(0); return }
    final class Box: @unchecked Sendable {
        let body: @Sendable (Int) -> Void, index: Int
        init(_ b: @escaping @Sendable (Int) -> Void, _ i: Int) { body = b; index = i }
    }
    var tids: [pthread_t] = []
    for i in 0..<n {
        var tid = pthread_t()
        let box = Unmanaged.passRetained(Box(body, i)).toOpaque()
        let rc = pthread_create(&tid, nil, { arg in
            let b = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            b.body(b.index)
            return nil
        }, box)
        precondition(rc == 0)
        tids.append(tid)
    }
    for t in tids { pthread_join(t, nil) }
}

struct FloatBuffer: @unchecked Sendable {
    let p: UnsafeMutablePointer<Float>
    let n: Int
    init(_ n: Int) {
        self.n = n
        p = UnsafeMutableRawPointer.allocate(byteCount: n * 4, alignment: 4096).bindMemory(to: Float.self, capacity: n)
    }
}

final class Sink: @unchecked Sendable {
    var values = [Float](repeating: 0, count: 64)
}

/// Deterministic pseudo-random numbers (SplitMix64).
struct Rng {
    var s: UInt64
    mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15
        var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - memory

/// STREAM-like: read bandwidth (sum of a large f32 array, each thread on its own slice) and triad
/// (a = b + s * c, counted as 3 x array bytes moved), best of `repeats`.
func memory(_ args: Args) {
    let threads = args.int("threads", 2), mib = args.int("mib", 2048), repeats = args.int("repeats", 5)
    let n = mib << 20 / 4 / 64 * 64
    let a = FloatBuffer(n)
    parallel(threads) { t in  // first touch by the thread that reads the slice
        let lo = n * t / threads / 64 * 64, hi = t == threads - 1 ? n : n * (t + 1) / threads / 64 * 64
        for i in lo..<hi { a.p[i] = Float(i & 1023) * 1e-3 }
    }
    let sink = Sink()
    var best = Double.infinity
    var all: [Double] = []
    for _ in 0..<repeats {
        let t0 = now()
        parallel(threads) { t in
            let lo = n * t / threads / 64 * 64, hi = t == threads - 1 ? n : n * (t + 1) / threads / 64 * 64
            let raw = UnsafeRawPointer(a.p)
            var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
            var i = lo
            while i < hi {
                s0 += raw.load(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                s1 += raw.load(fromByteOffset: (i + 16) * 4, as: SIMD16<Float>.self)
                s2 += raw.load(fromByteOffset: (i + 32) * 4, as: SIMD16<Float>.self)
                s3 += raw.load(fromByteOffset: (i + 48) * 4, as: SIMD16<Float>.self)
                i += 64
            }
            sink.values[t] = ((s0 + s1) + (s2 + s3)).sum()
        }
        let dt = now() - t0
        all.append(Double(n * 4) / dt / 1e9)
        best = min(best, dt)
    }
    a.p.deallocate()
    // triad over three arrays of mib/3 MiB each
    let m = n / 3 / 64 * 64
    let (x, y, z) = (FloatBuffer(m), FloatBuffer(m), FloatBuffer(m))
    parallel(threads) { t in
        let lo = m * t / threads / 64 * 64, hi = t == threads - 1 ? m : m * (t + 1) / threads / 64 * 64
        for i in lo..<hi { x.p[i] = 0; y.p[i] = 1; z.p[i] = 2 }
    }
    var bestTriad = Double.infinity
    for _ in 0..<repeats {
        let t0 = now()
        parallel(threads) { t in
            let lo = m * t / threads / 64 * 64, hi = t == threads - 1 ? m : m * (t + 1) / threads / 64 * 64
            let (xr, yr, zr) = (UnsafeMutableRawPointer(x.p), UnsafeRawPointer(y.p), UnsafeRawPointer(z.p))
            let s = SIMD16<Float>(repeating: 3)
            var i = lo
            while i < hi {
                let v = yr.load(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                    .addingProduct(s, zr.load(fromByteOffset: i * 4, as: SIMD16<Float>.self))
                xr.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
                i += 16
            }
        }
        bestTriad = min(bestTriad, now() - t0)
    }
    sink.values[63] = x.p[m / 2]
    JSON([("cmd", "memory"), ("threads", threads), ("mib", mib), ("repeats", repeats),
          ("read_gbps", Double(n * 4) / best / 1e9), ("read_gbps_all", all),
          ("triad_gbps", Double(3 * m * 4) / bestTriad / 1e9),
          ("checksum", Double(sink.values.reduce(0, +)))]).print()
}

// MARK: - open

/// Times VectorFile(path:) and the first vector(for:) in this (fresh) process; RSS before, after open, after lookup.
func openCommand(_ args: Args) throws {
    let path = args.file
    guard let word = args.string("word") else { fail("open: --word W") }
    let evicted = args.options["evict"] != nil
    var residentBefore = -1.0
    if evicted {
        evict(path)
        residentBefore = residentFraction(path)
    }
    let m0 = memoryStatus()
    let (io0, fl0) = (storageReadBytes(), faults())
    let t0 = now()
    let f = try VectorFile(path: path)
    let t1 = now()
    let (io1, fl1) = (storageReadBytes(), faults())
    let m1 = memoryStatus()
    let t1b = now()
    let v = try f.vector(for: word)
    let t2 = now()
    let (io2, fl2) = (storageReadBytes(), faults())
    let m2 = memoryStatus()
    let inVocab = f.row(of: word) != nil
    JSON([("cmd", "open"), ("file", path), ("word", word), ("in_vocab", inVocab), ("disk_cold", evicted),
          ("resident_fraction_after_evict", residentBefore),
          ("open_ms", (t1 - t0) * 1e3), ("first_lookup_ms", (t2 - t1b) * 1e3), ("total_ms", (t1 - t0 + t2 - t1b) * 1e3),
          ("open_read_bytes", io1 - io0), ("lookup_read_bytes", io2 - io1), ("open_faults", [fl1.minor - fl0.minor, fl1.major - fl0.major]),
          ("lookup_faults", [fl2.minor - fl1.minor, fl2.major - fl1.major]),
          ("rss_before_kb", m0.rss), ("rss_open_kb", m1.rss), ("rss_lookup_kb", m2.rss), ("hwm_kb", m2.hwm),
          ("count", f.count), ("dim", f.dim), ("dtype", f.dtype.rawValue), ("subwords", f.hasSubwords),
          ("v0", Double(v.first ?? 0))]).print()
}

// MARK: - lookups

func readWords(_ path: String) -> [String] {
    guard let fp = fopen(path, "r") else { fail("cannot read \(path)") }
    defer { fclose(fp) }
    var bytes: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = fread(&buf, 1, buf.count, fp)
        if n <= 0 { break }
        bytes += buf[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        .map { String($0.filter { !$0.isWhitespace }) }.filter { !$0.isEmpty }
}

/// Per-word latency of vector(for:) over word lists (each word once):
///   fresh_*: each word in a fresh VectorFile (no in-process state, a new mapping; page cache warm)
///   proc_*:  one VectorFile for the list, first lookup of each word (mapping shared, earlier pages mapped)
///   hot_*:   the same words again in that VectorFile (Magnitude's "warm single key query")
///   cold_*:  fresh VectorFile after evicting the file from the page cache, on the first `--cold` words;
///   cold_random_*: the same with madvise(MADV_RANDOM) on the mapping after open (no read-around on faults).
/// Each entry: latency stats in us, median minor / major faults and median storage bytes read per lookup.
func lookups(_ args: Args) throws {
    let path = args.file
    guard let wf = args.string("words"), let of = args.string("oov") else { fail("lookups: --words F --oov F2") }
    let limit = args.int("limit", 1000), cold = args.int("cold", 100)
    let words = Array(readWords(wf).prefix(limit)), oov = Array(readWords(of).prefix(limit))
    var sink: Float = 0
    var missing = 0, found = 0
    enum Mode { case fresh, cold, coldRandom }
    func summary(_ t: [Double], _ minor: [Double], _ major: [Double], _ io: [Double], open: [Double]) -> JSON {
        var j = stats(t)
        j.add("minor_faults_p50", percentile(minor, 50))
        j.add("major_faults_p50", percentile(major, 50))
        j.add("read_kb_p50", percentile(io, 50) / 1024)
        if !open.isEmpty { j.add("open_us_p50", percentile(open, 50)) }
        return j
    }
    func run(_ list: [String], _ mode: Mode) throws -> JSON {
        var t: [Double] = [], op: [Double] = [], mi: [Double] = [], ma: [Double] = [], io: [Double] = []
        for w in list {
            if mode != .fresh { evict(path) }
            let t0 = now()
            let f = try VectorFile(path: path)
            let t1 = now()
            if mode == .coldRandom { adviseRandom(f) }
            let (io0, fl0) = (storageReadBytes(), faults())
            let t2 = now()
            let v = try f.vector(for: w)
            let t3 = now()
            let (io1, fl1) = (storageReadBytes(), faults())
            sink += v[0]
            t.append((t3 - t2) * 1e6)
            op.append((t1 - t0) * 1e6)
            mi.append(Double(fl1.minor - fl0.minor))
            ma.append(Double(fl1.major - fl0.major))
            io.append(Double(io1 - io0))
        }
        return summary(t, mi, ma, io, open: op)
    }
    func runShared(_ f: VectorFile, _ list: [String]) throws -> JSON {
        var t: [Double] = [], mi: [Double] = [], ma: [Double] = [], io: [Double] = []
        for w in list {
            let fl0 = faults()
            let t0 = now()
            let v = try f.vector(for: w)
            let t1 = now()
            let fl1 = faults()
            sink += v[0]
            t.append((t1 - t0) * 1e6)
            mi.append(Double(fl1.minor - fl0.minor))
            ma.append(Double(fl1.major - fl0.major))
            io.append(0)
        }
        return summary(t, mi, ma, io, open: [])
    }
    // untimed pass: bring the pages of everything into the page cache, check vocabulary membership
    do {
        let f = try VectorFile(path: path)
        for w in words { if f.row(of: w) == nil { missing += 1 } }
        for w in oov { if f.row(of: w) != nil { found += 1 } }
        for w in words + oov { sink += try f.vector(for: w)[0] }
    }
    var out = JSON([("cmd", "lookups"), ("file", path)])
    out.add("warm_inv", try run(words, .fresh))
    out.add("warm_oov", try run(oov, .fresh))
    do {  // released before the disk-cold runs: pages a process maps cannot be evicted
        let shared = try VectorFile(path: path)
        out.add("proc_inv", try runShared(shared, words))
        out.add("proc_oov", try runShared(shared, oov))
        out.add("hot_inv", try runShared(shared, words))
        out.add("hot_oov", try runShared(shared, oov))
    }
    out.add("cold_inv", try run(Array(words.prefix(cold)), .cold))
    out.add("cold_oov", try run(Array(oov.prefix(cold)), .cold))
    out.add("cold_random_inv", try run(Array(words.prefix(cold)), .coldRandom))
    out.add("cold_random_oov", try run(Array(oov.prefix(cold)), .coldRandom))
    let f = try VectorFile(path: path)
    for (k, v) in [("count", f.count as Any), ("dim", f.dim), ("dtype", f.dtype.rawValue), ("subwords", f.hasSubwords),
                   ("words_not_in_vocab", missing), ("oov_words_in_vocab", found), ("sink", Double(sink))] {
        out.add(k, v)
    }
    out.print()
}

// MARK: - search

/// Exact most_similar per query (after a warm-up pass), batched, scan bandwidth; HNSW latency and recall@k.
func search(_ args: Args) throws {
    let path = args.file
    let nq = args.int("queries", 50), k = args.int("k", 10), threads = args.int("threads", 2)
    let efs = (args.string("ef") ?? "16,32,64,128").split(separator: ",").compactMap { Int($0) }
    let f = try VectorFile(path: path)
    var rows: [Int]
    if let rf = args.string("rows-file") {
        rows = readWords(rf).compactMap { Int($0) }.filter { $0 >= 0 && $0 < f.count }
    } else {
        var rng = Rng(s: 20261122)
        rows = (0..<nq).map { _ in Int(rng.next() % UInt64(f.count)) }
    }
    rows = Array(rows.prefix(nq))
    let queries = rows.map { f.vector(row: $0) }
    let opts = SearchOptions(threads: threads)
    let t0 = now()
    for (q, r) in zip(queries, rows) { _ = try f.mostSimilar(to: q, k: k, excluding: [r], options: opts) }
    let warmup = now() - t0
    var exact: [[Int]] = [], ms: [Double] = []
    for (q, r) in zip(queries, rows) {
        let a = now()
        let m = try f.mostSimilar(to: q, k: k, excluding: [r], options: opts)
        ms.append((now() - a) * 1e3)
        exact.append(m.map(\.row))
    }
    let b0 = now()
    let batched = try f.mostSimilar(to: queries, k: k, excluding: rows.map { [$0] }, options: opts)
    let batchMs = (now() - b0) * 1e3 / Double(queries.count)
    let agree = zip(batched, exact).filter { $0.0.map(\.row) == $0.1 }.count
    let bytes = Double(f.count * f.dim * f.dtype.size)
    var out = JSON([("cmd", "search"), ("file", path), ("count", f.count), ("dim", f.dim), ("dtype", f.dtype.rawValue),
                    ("queries", queries.count), ("k", k), ("threads", threads), ("warmup_s", warmup),
                    ("exact_ms_p50", percentile(ms, 50)), ("exact_ms_p90", percentile(ms, 90)),
                    ("exact_ms_mean", ms.reduce(0, +) / Double(ms.count)),
                    ("batched_ms_per_query", batchMs), ("batched_agrees", agree), ("scan_bytes", bytes),
                    ("scan_gbps_p50", bytes / (percentile(ms, 50) / 1e3) / 1e9),
                    ("scan_gbps_batched", bytes / (batchMs / 1e3) / 1e9), ("has_hnsw", f.hasHNSW)])
    if f.hasHNSW {
        // warm-up: fault in the graph and the rows the searches touch
        for (q, r) in zip(queries, rows) { _ = try f.approximateMostSimilar(to: q, k: k, ef: efs.max() ?? 64, excluding: [r]) }
        var ann: [Any] = []
        for ef in efs {
            var t: [Double] = []
            var hits = 0
            for (i, (q, r)) in zip(queries, rows).enumerated() {
                let a = now()
                let m = try f.approximateMostSimilar(to: q, k: k, ef: ef, excluding: [r])
                t.append((now() - a) * 1e3)
                hits += Set(m.map(\.row)).intersection(exact[i]).count
            }
            let p50 = percentile(t, 50)
            ann.append(JSON([("ef", ef), ("ms_p50", p50), ("ms_mean", t.reduce(0, +) / Double(t.count)),
                             ("recall_at_k", Double(hits) / Double(k * queries.count)),
                             ("speedup_vs_exact", percentile(ms, 50) / p50)]))
        }
        out.add("ann", ann)
    }
    out.add("rss_kb", memoryStatus().rss)
    out.add("rows", rows)
    if args.options["dump"] != nil { out.add("exact_rows", exact.map { $0 as Any }) }
    out.print()
}

// MARK: - main

let argv = CommandLine.arguments
guard argv.count >= 2 else { fail("usage: StoreBench memory|open|lookups|search ...") }
let args = Args(argv.dropFirst(2))
do {
    switch argv[1] {
    case "memory": memory(args)
    case "open": try openCommand(args)
    case "lookups": try lookups(args)
    case "search": try search(args)
    default: fail("unknown subcommand \(argv[1])")
    }
} catch {
    fail("\(error)")
}
