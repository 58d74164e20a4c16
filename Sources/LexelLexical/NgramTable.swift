#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import LexelKernels
import LexelCore
import LexelIO
import LexelText

/// Which inverse document frequency a vocabulary built from an n-gram table uses.
public enum IDFKind: String, Sendable, CaseIterable {
    /// Luxical's: `ln(total) - ln(count)` from collection counts (`NgramVocabulary.collectionIDF`).
    case collection
    /// Smoothed document IDF from document frequencies (`NgramVocabulary.documentIDF`).
    case document
}

/// The most frequent token n-grams of a corpus, as `lexel ngrams` writes them: the feature vocabulary of the
/// lexical embedder. The file is UTF-8 text, one header line then one line per n-gram, largest count first:
///
///     # lexel-ngrams v1 minn=1 maxn=5 documents=183000 total=61234567 tokenizer=bert-base-uncased
///     a1b2c3d4e5f60718<TAB>1234567<TAB>98765<TAB>of the
///
/// Columns: the n-gram's 64-bit hash (`Ngrams.hash`, 16 lower-case hex digits), its count, its document
/// frequency, and its tokens joined by spaces (WordPiece continuations keep their `##`; for reading only).
/// `total` is the number of n-gram occurrences seen (all of them, not only the listed ones). Counts from
/// `lexel ngrams` are Space-Saving estimates: see `SpaceSaving` for their bounds.
public struct NgramTable: Sendable, Equatable {
    public var minN: Int
    public var maxN: Int
    /// Documents counted.
    public var documents: Int64
    /// N-gram occurrences counted in all documents.
    public var total: Int64
    /// The name of the tokenizer whose ids were hashed.
    public var tokenizer: String
    public var hashes: [UInt64]
    public var counts: [Int64]
    public var documentFrequencies: [Int64]
    /// Each n-gram's tokens joined by spaces.
    public var texts: [String]

    public init(minN: Int, maxN: Int, documents: Int64, total: Int64, tokenizer: String = "bert-base-uncased",
                hashes: [UInt64] = [], counts: [Int64] = [], documentFrequencies: [Int64] = [], texts: [String] = []) {
        (self.minN, self.maxN, self.documents, self.total, self.tokenizer) = (minN, maxN, documents, total, tokenizer)
        (self.hashes, self.counts, self.documentFrequencies, self.texts) = (hashes, counts, documentFrequencies, texts)
    }

    /// Number of n-grams listed.
    public var count: Int { hashes.count }

    static let magic = "# lexel-ngrams v1"

    /// Writes the table to `path` atomically (nothing replaces an existing file unless all of it was written).
    public func write(path: String) throws {
        guard hashes.count == counts.count, hashes.count == documentFrequencies.count, hashes.count == texts.count else {
            throw LexelError(file: path, "n-gram table columns differ in length")
        }
        let w = try AtomicFileWriter(path: path)
        try w.write("\(NgramTable.magic) minn=\(minN) maxn=\(maxN) documents=\(documents) total=\(total) tokenizer=\(tokenizer)\n")
        var line: [UInt8] = []
        line.reserveCapacity(256)
        for i in 0..<hashes.count {
            line.removeAll(keepingCapacity: true)
            let h = hashes[i]
            for k in stride(from: 60, through: 0, by: -4) {
                let d = UInt8((h >> UInt64(k)) & 0xF)
                line.append(d < 10 ? 0x30 + d : 0x57 + d)
            }
            line.append(0x09)
            line.append(contentsOf: "\(counts[i])\t\(documentFrequencies[i])\t".utf8)
            line.append(contentsOf: texts[i].utf8.map { $0 == 0x0A || $0 == 0x09 ? 0x20 : $0 })
            line.append(0x0A)
            try line.withUnsafeBytes { try w.write($0) }
        }
        try w.commit()
    }

    /// Reads a table written by `write` (plain or zstd-compressed). Errors name the line and byte offset. A
    /// table must list at least one n-gram, and its last line must end with a newline (as `write` ends every
    /// line): a file cut in the middle of a line is reported as truncated rather than read short.
    public static func read(path: String) throws -> NgramTable {
        var table: NgramTable?
        var lineNumber = 0
        var seen = Set<UInt64>()
        var countSum: Int64 = 0
        try LineReader(path: path).forEachLine { line, endsLine, offset in
            lineNumber += 1
            func fail(_ at: Int, _ message: String) -> LexelError {
                LexelError(file: path, offset: offset + Int64(at), "line \(lineNumber): \(message)")
            }
            if line.isEmpty || (line.count == 1 && line[0] == 0x0D) { return }  // blank lines are ignored
            guard endsLine else {
                throw fail(line.count, "the file ends in the middle of this line (truncated: every line of a table ends with a newline)")
            }
            guard var t = table else {
                table = try header(line, fail)
                return
            }
            table = nil  // keep `t` uniquely referenced while appending
            defer { table = t }
            if let bad = firstInvalidUTF8(line) { throw fail(bad, "invalid UTF-8") }
            let fields = String(decoding: line, as: UTF8.self).split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4 else {
                throw fail(0, "expected 4 tab-separated columns (hash, count, df, tokens), found \(fields.count)")
            }
            guard fields[0].utf8.count == 16, let h = UInt64(fields[0], radix: 16) else {
                throw fail(0, "the hash must be 16 hex digits (got '\(printable(fields[0].prefix(40)))')")
            }
            let countAt = fields[0].utf8.count + 1
            guard let c = Int64(fields[1]), c >= 0 else { throw fail(countAt, "count must be a non-negative integer (got '\(printable(fields[1].prefix(40)))')") }
            guard let df = Int64(fields[2]), df >= 0 else {
                throw fail(countAt + fields[1].utf8.count + 1, "document frequency must be a non-negative integer (got '\(printable(fields[2].prefix(40)))')")
            }
            guard seen.insert(h).inserted else { throw fail(0, "hash \(fields[0]) appears twice") }
            let (sum, overflow) = countSum.addingReportingOverflow(c)
            guard !overflow else { throw fail(countAt, "the counts so far add up to more than 2^63 - 1: corrupt") }
            countSum = sum
            t.hashes.append(h)
            t.counts.append(c)
            t.documentFrequencies.append(df)
            t.texts.append(fields[3].hasSuffix("\r") ? String(fields[3].dropLast()) : String(fields[3]))
        }
        guard let table else { throw LexelError(file: path, "empty file: expected a '\(magic) ...' header") }
        guard table.count > 0 else { throw LexelError(file: path, "the table lists no n-grams (only its header)") }
        return table
    }

    /// `text` with control characters shown as `\u{..}`, for quoting file contents in an error message.
    static func printable(_ text: Substring) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined())
    }

    static func header(_ line: UnsafeBufferPointer<UInt8>, _ fail: (Int, String) -> LexelError) throws -> NgramTable {
        let s = String(decoding: line, as: UTF8.self)
        guard s.hasPrefix(magic + " ") || s == magic else {
            throw fail(0, "not an n-gram table: the first line must start with '\(magic)' (got '\(printable(s.prefix(60)))')")
        }
        var values: [String: String] = [:]
        for part in s.dropFirst(magic.count).split(separator: " ") {
            guard let eq = part.firstIndex(of: "=") else { throw fail(0, "header field '\(part)' is not key=value") }
            values[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        func int(_ key: String) throws -> Int64 {
            guard let v = values[key] else { throw fail(0, "the header has no \(key)=") }
            guard let n = Int64(v), n >= 0 else { throw fail(0, "header \(key)=\(v) is not a non-negative integer") }
            return n
        }
        let minN = Int(try int("minn")), maxN = Int(try int("maxn"))
        guard minN >= 1, maxN >= minN, maxN <= 16 else { throw fail(0, "header n-gram range minn=\(minN) maxn=\(maxN) is invalid") }
        return NgramTable(minN: minN, maxN: maxN, documents: try int("documents"), total: try int("total"),
                          tokenizer: values["tokenizer"] ?? "bert-base-uncased")
    }

    /// The n-grams as the feature vocabulary of the lexical embedder, in table order, weighted by `idf`.
    public func vocabulary(idf: IDFKind) throws -> NgramVocabulary {
        let weights: [Float]
        switch idf {
        case .collection:
            let (sum, overflow) = counts.reduce((Int64(0), false)) { a, c in
                let (s, o) = a.0.addingReportingOverflow(c)
                return (s, a.1 || o || c < 0)
            }
            guard !overflow, sum > 0 else {
                throw LexelError("n-gram table: the counts \(overflow ? "are negative or add up to more than 2^63 - 1" : "are all 0"): "
                                 + "collection IDF (ln(total) - ln(count)) is undefined; use document IDF")
            }
            weights = NgramVocabulary.collectionIDF(counts: counts)
        case .document: weights = NgramVocabulary.documentIDF(documentFrequencies: documentFrequencies, documents: documents)
        }
        return try NgramVocabulary(hashes: hashes, idf: weights, minN: minN, maxN: maxN)
    }
}

/// Counts the most frequent token n-grams of `reader`'s documents in bounded memory: `options.threads` workers
/// tokenise batches of documents and count their n-grams exactly in per-thread tables, which are merged into
/// one `SpaceSaving` summary (under a lock) whenever they fill up. Memory: about 70 bytes per summary entry
/// (capacity x 1.5) plus about 70 bytes per chunk entry per worker.
public func countNgrams(in reader: DocumentReader, tokenizer: BertTokenizer, options o: NgramCountingOptions,
                        progress: ((NgramCountingStatus) -> Void)? = nil) throws -> NgramCountingResult {
    guard o.minN >= 1, o.maxN >= o.minN, o.maxN <= 16 else { throw LexelError("n-gram lengths \(o.minN)...\(o.maxN) are invalid (1 <= minn <= maxn <= 16)") }
    guard o.top >= 1, o.capacityFactor >= 1, o.threads >= 1 else { throw LexelError("top, capacity factor and threads must be >= 1") }
    if let b = o.sketchBits, b < 0 || b > 30 { throw LexelError("sketch bits must be 0...30 (got \(b))") }
    let start = monotonicSeconds()
    let capacity = Int((Double(o.top) * o.capacityFactor).rounded(.up))
    let chunkLimit = o.chunkLimit ?? min(1 << 21, max(1 << 16, capacity / 8))
    final class Shared: @unchecked Sendable {
        let summary: SpaceSaving
        let lock = Mutex(())
        let queue: DocumentBatchQueue
        var readError: Error?
        let failed = Atomic<Bool>(false)
        init(_ s: SpaceSaving, _ q: DocumentBatchQueue) { (summary, queue) = (s, q) }
    }
    let sketchBits = o.sketchBits ?? min(23, max(16, Int.bitWidth - (capacity - 1).leadingZeroBitCount + 2))
    let summary = SpaceSaving(capacity: capacity, tokensPerEntry: o.maxN, sketchBits: sketchBits)
    let shared = Shared(summary, DocumentBatchQueue(depth: 2 * o.threads + 2))
    nonisolated(unsafe) let reader = reader
    nonisolated(unsafe) let progress = progress
    let documents = Atomic<Int>(0)
    runOnThreads(o.threads + 1) { t in
        if t == 0 {  // the reader
            var batch = DocumentBatch(first: 0)
            var lastReport = monotonicSeconds()
            do {
                try reader.forEach { text, i in
                    batch.bytes.append(contentsOf: text)
                    batch.ends.append(batch.bytes.count)
                    if batch.bytes.count >= 1 << 18 || batch.ends.count >= 2048 {
                        shared.queue.push(batch)
                        batch = DocumentBatch(first: i + 1)
                        let now = monotonicSeconds()
                        if let progress, now - lastReport >= 0.5 {
                            lastReport = now
                            progress(NgramCountingStatus(documents: i + 1, bytesRead: reader.bytesRead,
                                                         fileSize: reader.fileSize, seconds: now - start))
                        }
                    }
                    documents.store(i + 1, ordering: .relaxed)
                }
                if !batch.ends.isEmpty { shared.queue.push(batch) }
            } catch {
                shared.readError = error
                shared.failed.store(true, ordering: .releasing)
            }
            for _ in 0..<o.threads { shared.queue.push(nil) }
            return
        }
        let chunk = NgramChunkCounter(limit: chunkLimit, maxN: o.maxN)
        var ids: [Int32] = []
        var stateCapacity = 4096
        var state = UnsafeMutablePointer<UInt64>.allocate(capacity: stateCapacity)
        defer { state.deallocate() }
        let flush = {
            shared.lock.withLock { _ in shared.summary.merge(chunk) }
            chunk.clear()
        }
        while let batch = shared.queue.pop() {
            if shared.failed.load(ordering: .acquiring) { continue }
            batch.bytes.withUnsafeBufferPointer { all in
                var from = 0
                for (k, end) in batch.ends.enumerated() {
                    ids.removeAll(keepingCapacity: true)
                    tokenizer.encode(utf8: UnsafeBufferPointer(rebasing: all[from..<end]), into: &ids)
                    from = end
                    if ids.count > stateCapacity {
                        state.deallocate()
                        stateCapacity = ids.count
                        state = .allocate(capacity: stateCapacity)
                    }
                    ids.withUnsafeBufferPointer { p in
                        p.withMemoryRebound(to: UInt32.self) {
                            chunk.count($0, minN: o.minN, document: batch.first + k, state: state, flush: flush)
                        }
                    }
                }
            }
        }
        flush()
    }
    if let e = shared.readError { throw e }
    let slots = summary.topSlots(o.top + 1)
    let listed = slots.prefix(o.top)
    let next = max(slots.count > o.top ? summary.slots[slots[o.top]].count : 0, summary.floor)
    var table = NgramTable(minN: o.minN, maxN: o.maxN, documents: Int64(documents.load(ordering: .relaxed)), total: summary.total,
                           tokenizer: o.tokenizerName)
    table.hashes.reserveCapacity(listed.count)
    var guaranteed = 0, maxError: Int64 = 0
    for s in listed {
        let e = summary.slots[s]
        table.hashes.append(e.hash)
        table.counts.append(e.count)
        table.documentFrequencies.append(e.df)
        table.texts.append(summary.ids(s).map { Int($0) < tokenizer.vocabulary.count ? tokenizer.vocabulary[Int($0)] : "[\($0)]" }
            .joined(separator: " "))
        if e.count - e.error >= next { guaranteed += 1 }
        maxError = max(maxError, e.error)
    }
    return NgramCountingResult(table: table, capacity: capacity, guaranteed: guaranteed, floor: summary.floor,
                               maxError: maxError, seconds: monotonicSeconds() - start)
}

/// Exact n-gram counts of a run of documents (one thread's), merged into a `SpaceSaving` summary after the
/// document that reaches `limit` distinct n-grams: frequent n-grams then reach the summary as one weighted
/// update. Room for `2 * limit` lets a document finish; only one with more n-grams than that is cut (memory
/// is allocated but not touched beyond what documents use).
final class NgramChunkCounter {
    struct Entry { var hash: UInt64; var count: UInt64; var df: UInt32; var lastDocument: UInt32; var length: UInt32 }
    let maxN: Int
    let limit: Int
    let room: Int
    var size = 0
    let entries: UnsafeMutablePointer<Entry>
    let tokens: UnsafeMutablePointer<UInt32>
    let index: HashIndex
    /// One document's n-gram hashes and their (start << 8 | length), counted after all are hashed.
    var grams: UnsafeMutablePointer<UInt64>
    var where_: UnsafeMutablePointer<UInt64>
    var gramCapacity = 1 << 12

    init(limit: Int, maxN: Int) {
        self.limit = max(limit, 1)
        room = 2 * self.limit
        self.maxN = maxN
        entries = .allocate(capacity: room)
        tokens = .allocate(capacity: room * maxN)
        index = HashIndex(entries: room)
        grams = .allocate(capacity: gramCapacity)
        where_ = .allocate(capacity: gramCapacity)
    }

    deinit {
        entries.deallocate(); tokens.deallocate(); index.deallocate(); grams.deallocate(); where_.deallocate()
    }

    func clear() {
        index.clear()
        size = 0
    }

    /// Counts one occurrence of n-gram `hash` (`ids[0..<n]`) in document `doc`. The chunk must not be full.
    @inline(__always) func add(_ hash: UInt64, _ ids: UnsafePointer<UInt32>, _ n: Int, document doc: UInt32) {
        if let e = index.find(hash, UnsafeRawPointer(entries), MemoryLayout<Entry>.stride) {
            entries[e].count += 1
            if entries[e].lastDocument != doc { entries[e].lastDocument = doc; entries[e].df += 1 }
            return
        }
        let e = size
        size += 1
        index.insert(hash, slot: e)
        entries[e] = Entry(hash: hash, count: 1, df: 1, lastDocument: doc, length: UInt32(n))
        (tokens + e * maxN).update(from: ids, count: n)
    }

    /// Counts the n-grams (`minN...maxN`, Luxical's hashes) of one document's tokens, then calls `flush` if the
    /// chunk is full. A document with more than `room` distinct n-grams is flushed in the middle too (then
    /// its n-grams may count twice in df). `state` must hold `ids.count` values.
    func count(_ ids: UnsafeBufferPointer<UInt32>, minN: Int, document: Int, state: UnsafeMutablePointer<UInt64>,
               flush: () -> Void) {
        let n = ids.count
        guard let base = ids.baseAddress else { return }
        if n * maxN > gramCapacity {
            grams.deallocate(); where_.deallocate()
            gramCapacity = n * maxN
            grams = .allocate(capacity: gramCapacity)
            where_ = .allocate(capacity: gramCapacity)
        }
        var m = 0
        for i in 0..<n { state[i] = Ngrams.offsetBasis }
        for len in 1...maxN where len <= n {
            for i in 0...(n - len) {
                let s = Ngrams.step(state[i], base[i + len - 1])
                state[i] = s
                guard len >= minN else { continue }
                var h = s
                for _ in len..<maxN { h = Ngrams.step(h, UInt32.max) }
                grams[m] = h
                where_[m] = UInt64(i) << 8 | UInt64(len)
                m += 1
            }
        }
        let doc = UInt32(truncatingIfNeeded: document)
        let stride = MemoryLayout<Entry>.stride
        for j in 0..<m {
            if j + 12 < m { index.prefetch(grams[j + 12]) }
            if j + 6 < m, let e = index.peek(grams[j + 6]) { Kernels.prefetchWrite(UnsafeRawPointer(entries) + e * stride) }
            if size >= room { flush() }
            let w = where_[j]
            add(grams[j], base + Int(w >> 8), Int(w & 0xFF), document: doc)
        }
        if size >= limit { flush() }
    }
}

/// Documents copied out of the reader for a worker: `ends[i]` is where document `first + i` ends in `bytes`.
struct DocumentBatch: Sendable {
    var first: Int
    var bytes: [UInt8] = []
    var ends: [Int] = []
    init(first: Int) {
        self.first = first
        bytes.reserveCapacity(1 << 18 + 1 << 16)
    }
}

/// A bounded blocking FIFO of batches (`nil` tells a worker to stop).
final class DocumentBatchQueue: @unchecked Sendable {
    var items: [DocumentBatch?] = []
    var head = 0
    let depth: Int
    var mutex = pthread_mutex_t()
    var changed = pthread_cond_t()

    init(depth: Int) {
        self.depth = depth
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&changed, nil)
    }

    deinit {
        pthread_mutex_destroy(&mutex)
        pthread_cond_destroy(&changed)
    }

    func push(_ b: DocumentBatch?) {
        pthread_mutex_lock(&mutex)
        while items.count - head >= depth { pthread_cond_wait(&changed, &mutex) }
        items.append(b)
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
    }

    func pop() -> DocumentBatch? {
        pthread_mutex_lock(&mutex)
        while items.count == head { pthread_cond_wait(&changed, &mutex) }
        let b = items[head]
        items[head] = nil
        head += 1
        if head > 64 { items.removeFirst(head); head = 0 }
        pthread_cond_broadcast(&changed)
        pthread_mutex_unlock(&mutex)
        return b
    }
}
