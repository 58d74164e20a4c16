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

/// Settings of `countNgrams`.
public struct NgramCountingOptions: Sendable {
    public var minN = 1
    public var maxN = 5
    /// N-grams to keep in the table.
    public var top = 2_000_000
    /// The summary tracks `capacityFactor * top` n-grams (plus half as many spare slots between evictions).
    public var capacityFactor = 3.0
    /// Worker threads (tokenising and counting); one more thread reads the input.
    public var threads = 1
    /// Distinct n-grams a worker counts exactly before merging them into the summary (nil: capacity / 8,
    /// between 2^16 and 2^21 per worker); a document that crosses it is finished first, up to twice as many.
    public var chunkLimit: Int?
    /// Size of the sketch that remembers evicted counts: 4 x 2^sketchBits cells of 8 bytes; 0 = none (plain
    /// Space-Saving). nil: ceil(log2(capacity)) + 2, between 16 and 23 (64 MB for top 100k, 256 MB at most).
    public var sketchBits: Int?
    /// The tokenizer's name, for the table header.
    public var tokenizerName = "bert-base-uncased"
    public init() {}
}

/// Where a running count stands (for a progress display).
public struct NgramCountingStatus: Sendable {
    public var documents: Int
    /// Bytes of the input file read (compressed bytes for zstd), and its size when known.
    public var bytesRead: Int64
    public var fileSize: Int64?
    public var seconds: Double
}

/// What `countNgrams` found.
public struct NgramCountingResult: Sendable {
    public var table: NgramTable
    /// Entries the summary tracked.
    public var capacity: Int
    /// Listed n-grams certainly among the true top `table.count`: `count - error` is at least the next
    /// entry's count (Space-Saving's guarantee).
    public var guaranteed: Int
    /// Upper bound on the count of any n-gram not tracked at the end.
    public var floor: Int64
    /// Largest `error` among the listed n-grams.
    public var maxError: Int64
    public var seconds: Double
}
