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

    deinit { bytes.deallocate() }

    /// Text `i`'s bytes (valid while this batch lives).
    subscript(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let lo = i == 0 ? 0 : ends[i - 1]
        return UnsafeBufferPointer(rebasing: bytes[lo..<ends[i]])
    }
}

/// One request's embeddings: `count x dim` floats, and the WordPiece tokens of its texts (for `usage`).
struct Embedded: Sendable {
    let vectors: [Float]
    let tokens: Int
}

/// Embeds the texts of concurrent requests together: requests queue their texts, and one worker thread takes
/// everything queued (up to `maxBatch` texts) and embeds it on all threads at once. A lone request is embedded as
/// soon as it arrives; under load, the requests that arrive while a batch is being embedded form the next batch,
/// so the cores stay busy with large batches without any waiting timer. The queue is bounded by the server's
/// concurrency limit times its inputs limit.
final class EmbeddingBatcher: @unchecked Sendable {
    struct Job {
        let texts: TextBatch
        let done: CheckedContinuation<Embedded, Never>
    }

    let model: LexicalModel
    let threads: Int
    let maxBatch: Int
    /// Texts per `LexicalModel.embed` call (its workspace capacity).
    static let chunk = 256
    private let queue = Mutex<(jobs: [Job], stopping: Bool)>(([], false))
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    private let workspaces: [LexicalModel.Workspace]
    /// Batches embedded and texts in them (for /metrics).
    let batches = Atomic<Int>(0), batchedTexts = Atomic<Int>(0)

    init(model: LexicalModel, threads: Int, maxBatch: Int) {
        (self.model, self.threads, self.maxBatch) = (model, max(1, threads), max(1, maxBatch))
        workspaces = (0..<max(1, threads)).map { _ in LexicalModel.Workspace(model: model, batch: Self.chunk) }
        let thread = Thread { [self] in self.work() }
        thread.name = "lexel-embed"
        thread.start()
    }

    /// The embeddings of `texts` (waits its turn; never fails).
    func embed(_ texts: TextBatch) async -> Embedded {
        if texts.count == 0 { return Embedded(vectors: [], tokens: 0) }
        return await withCheckedContinuation { c in
            queue.withLock { $0.jobs.append(Job(texts: texts, done: c)) }
            wake.signal()
        }
    }

    /// Finishes the queued requests, then stops the worker thread.
    func stop() {
        queue.withLock { $0.stopping = true }
        wake.signal()
        stopped.wait()
    }

    private func work() {
        while true {
            wake.wait()
            let (jobs, stopping) = queue.withLock { q -> ([Job], Bool) in
                var taken = 0, n = 0
                while taken < q.jobs.count && (taken == 0 || n + q.jobs[taken].texts.count <= maxBatch) {
                    n += q.jobs[taken].texts.count
                    taken += 1
                }
                let jobs = Array(q.jobs.prefix(taken))
                q.jobs.removeFirst(taken)
                if !q.jobs.isEmpty { wake.signal() }  // the rest make the next batch
                return (jobs, q.stopping)
            }
            if !jobs.isEmpty { run(jobs) }
            if stopping && queue.withLock({ $0.jobs.isEmpty }) {
                stopped.signal()
                return
            }
        }
    }

    /// Embeds the jobs' texts as one batch and hands each job its rows.
    private func run(_ jobs: [Job]) {
        let dim = model.outputDim
        var owner: [Int32] = [], local: [Int32] = []
        for (j, job) in jobs.enumerated() {
            for i in 0..<job.texts.count {
                owner.append(Int32(j))
                local.append(Int32(i))
            }
        }
        let n = owner.count
        let out = UnsafeMutablePointer<Float>.allocate(capacity: n * dim)
        let tokens = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        defer { out.deallocate(); tokens.deallocate() }
        // Chunks small enough to give every thread work, large enough for the dense layers' GEMM.
        let chunk = min(Self.chunk, max(8, (n + threads - 1) / threads))
        let chunks = (n + chunk - 1) / chunk
        let shared = Unchecked((jobs, owner, local, workspaces, out, tokens))
        let model = self.model
        parallelFor(chunks, threads: threads) { thread, range in
            let (jobs, owner, local, workspaces, out, tokens) = shared.value
            let w = workspaces[thread]
            for c in range {
                let first = c * chunk, count = min(chunk, n - first)
                model.embed(count: count, w, into: out + first * dim) { i in
                    jobs[Int(owner[first + i])].texts[Int(local[first + i])]
                }
                for i in 0..<count { tokens[first + i] = w.tokensPerText[i] }
            }
        }
        batches.add(1, ordering: .relaxed)
        batchedTexts.add(n, ordering: .relaxed)
        var row = 0
        for job in jobs {
            let m = job.texts.count
            let vectors = Array(UnsafeBufferPointer(start: out + row * dim, count: m * dim))
            var used = 0
            for i in row..<(row + m) { used += Int(tokens[i]) }
            row += m
            job.done.resume(returning: Embedded(vectors: vectors, tokens: used))
        }
    }
}
