import Foundation
import LexelKit
import Synchronization

/// Texts of one request, back to back in UTF-8 in memory of its own (text i is bytes ends[i - 1] ..< ends[i]).
final class TextBatch: @unchecked Sendable {
    let bytes: UnsafeMutableBufferPointer<UInt8>
    let ends: [Int]
    var count: Int { ends.count }

    init(_ texts: [String]) {
        let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, texts.reduce(0) { $0 + $1.utf8.count }))
        var ends: [Int] = [], n = 0
        ends.reserveCapacity(texts.count)
        for var t in texts {
            t.withUTF8 { src in
                if let base = src.baseAddress { (bytes.baseAddress! + n).update(from: base, count: src.count) }
                n += src.count
            }
            ends.append(n)
        }
        (self.bytes, self.ends) = (bytes, ends)
    }

    /// Takes `bytes` (allocated by the caller, deallocated by this batch) holding texts that end at `ends`.
    init(owning bytes: UnsafeMutableBufferPointer<UInt8>, ends: [Int]) {
        (self.bytes, self.ends) = (bytes, ends)
    }

    deinit { bytes.deallocate() }

    /// Text `i`'s bytes (valid while this batch lives).
    subscript(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let lo = i == 0 ? 0 : ends[i - 1]
        return UnsafeBufferPointer(rebasing: bytes[lo..<ends[i]])
    }
}

/// One request's embeddings: `count x dim` floats (in memory its job owns), and the WordPiece tokens of its texts
/// (for `usage`).
struct Embedded: Sendable {
    private let owner: EmbeddingBatcher.Job?
    let tokens: Int

    init(_ job: EmbeddingBatcher.Job?, tokens: Int) { (owner, self.tokens) = (job, tokens) }

    /// Calls `body` with the rows, back to back (valid only inside `body`).
    func withVectors<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        withExtendedLifetime(owner) { body(UnsafeBufferPointer(owner?.vectors ?? UnsafeMutableBufferPointer(start: nil, count: 0))) }
    }
}

/// Embeds the texts of concurrent requests together. Requests queue their texts; `threads` worker threads each take
/// what is queued (at most `maxBatch` texts, and no more than their share when the others are idle) and embed it on
/// their own, writing each request's rows straight into that request's result. A lone request is embedded as soon as
/// it arrives (a large one split across the workers); under load, the requests that arrive while the workers are
/// busy form the next batches, so the cores stay busy with large batches and no waiting timer. Workers never wait
/// for one another (no barrier per batch), so a worker that the event loops preempt slows only its own batch. The
/// queue is bounded by the server's concurrency limit times its inputs limit.
final class EmbeddingBatcher: @unchecked Sendable {
    /// A request in flight: its texts, the rows being filled, and how many texts are still to embed.
    final class Job: @unchecked Sendable {
        let texts: TextBatch
        let vectors: UnsafeMutableBufferPointer<Float>
        let tokens = Atomic<Int>(0), remaining: Atomic<Int>
        let done: CheckedContinuation<Embedded, Never>
        init(_ texts: TextBatch, dim: Int, _ done: CheckedContinuation<Embedded, Never>) {
            (self.texts, self.done) = (texts, done)
            vectors = .allocate(capacity: texts.count * dim)
            remaining = Atomic(texts.count)
        }
        deinit { vectors.deallocate() }
    }

    /// Texts `range` of `job`.
    struct Piece {
        let job: Job
        var range: Range<Int>
    }

    let model: LexicalModel
    let threads: Int
    let maxBatch: Int
    /// Texts per `LexicalModel.embed` call (its workspace capacity).
    static let chunk = 256
    private let queue = Mutex<(pieces: [Piece], texts: Int, stopping: Bool)>(([], 0, false))
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    /// Batches embedded and texts in them (for /metrics).
    let batches = Atomic<Int>(0), batchedTexts = Atomic<Int>(0)

    init(model: LexicalModel, threads: Int, maxBatch: Int) {
        (self.model, self.threads, self.maxBatch) = (model, max(1, threads), max(1, maxBatch))
        for t in 0..<self.threads {
            let workspace = Unchecked(LexicalModel.Workspace(model: model, batch: Self.chunk))
            let thread = Thread { [self] in self.work(workspace.value) }
            thread.name = "lexel-embed-\(t)"
            thread.start()
        }
    }

    /// The embeddings of `texts` (waits its turn; never fails).
    func embed(_ texts: TextBatch) async -> Embedded {
        if texts.count == 0 { return Embedded(nil, tokens: 0) }
        let dim = model.outputDim
        return await withCheckedContinuation { c in
            let job = Job(texts, dim: dim, c)
            queue.withLock {
                $0.pieces.append(Piece(job: job, range: 0..<texts.count))
                $0.texts += texts.count
            }
            // one worker per share of the request (a large request wakes them all)
            for _ in 0..<min(threads, (texts.count + Self.chunk - 1) / Self.chunk) { wake.signal() }
        }
    }

    /// Finishes the queued requests, then stops the worker threads.
    func stop() {
        queue.withLock { $0.stopping = true }
        for _ in 0..<threads { wake.signal() }
        for _ in 0..<threads { stopped.wait() }
    }

    /// Takes the next batch off the queue: up to `maxBatch` texts, and at most an even share of what is queued
    /// (at least one chunk), so that the other workers get the rest of a large request.
    private func take() -> (pieces: [Piece], stopping: Bool) {
        queue.withLock { q in
            let share = max(Self.chunk, (q.texts + threads - 1) / threads)
            let limit = min(maxBatch, share)
            var taken: [Piece] = [], n = 0
            while n < limit, var first = q.pieces.first {
                let m = min(first.range.count, limit - n)
                taken.append(Piece(job: first.job, range: first.range.lowerBound..<(first.range.lowerBound + m)))
                n += m
                if m == first.range.count {
                    q.pieces.removeFirst()
                } else {
                    first.range = (first.range.lowerBound + m)..<first.range.upperBound
                    q.pieces[0] = first
                }
            }
            q.texts -= n
            if q.texts > 0 { wake.signal() }  // the rest make another batch
            return (taken, q.stopping)
        }
    }

    private func work(_ w: LexicalModel.Workspace) {
        while true {
            wake.wait()
            let (pieces, stopping) = take()
            if !pieces.isEmpty { run(pieces, w) }
            if stopping && queue.withLock({ $0.pieces.isEmpty }) {
                stopped.signal()
                return
            }
        }
    }

    /// Embeds the pieces' texts (in calls of up to `chunk` texts), writing each row into its job; answers every job
    /// whose last texts these were.
    private func run(_ pieces: [Piece], _ w: LexicalModel.Workspace) {
        let dim = model.outputDim
        var rows: [(job: Job, index: Int)] = []
        for p in pieces { for i in p.range { rows.append((p.job, i)) } }
        let out = UnsafeMutablePointer<Float>.allocate(capacity: min(rows.count, Self.chunk) * dim)
        defer { out.deallocate() }
        var first = 0
        while first < rows.count {
            let count = min(Self.chunk, rows.count - first)
            model.embed(count: count, w, into: out) { i in
                let r = rows[first + i]
                return r.job.texts[r.index]
            }
            for i in 0..<count {
                let r = rows[first + i]
                (r.job.vectors.baseAddress! + r.index * dim).update(from: out + i * dim, count: dim)
                r.job.tokens.add(Int(w.tokensPerText[i]), ordering: .relaxed)
            }
            first += count
        }
        batches.add(1, ordering: .relaxed)
        batchedTexts.add(rows.count, ordering: .relaxed)
        for p in pieces where p.job.remaining.subtract(p.range.count, ordering: .acquiringAndReleasing).newValue == 0 {
            let job = p.job
            job.done.resume(returning: Embedded(job, tokens: job.tokens.load(ordering: .relaxed)))
        }
    }
}
