import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore

/// Shared training state: global token count (drives the learning rate), per-thread loss, and errors.
public final class TrainingProgress: @unchecked Sendable {
    public let totalTokens: Int
    public let threads: Int
    let processed = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
    let lossSum: UnsafeMutablePointer<Double>
    let lossCount: UnsafeMutablePointer<Double>
    let errorLock = Mutex<LexelError?>(nil)
    public let start = monotonicSeconds()

    init(totalTokens: Int, threads: Int) {
        self.totalTokens = max(1, totalTokens)
        self.threads = threads
        lossSum = .allocate(capacity: threads * 8)
        lossSum.initialize(repeating: 0, count: threads * 8)
        lossCount = .allocate(capacity: threads * 8)
        lossCount.initialize(repeating: 0, count: threads * 8)
    }

    deinit {
        lossSum.deallocate()
        lossCount.deallocate()
    }

    /// Fraction of all epochs' tokens done, in [0, 1].
    public var fraction: Double { min(1, Double(processed.load(ordering: .relaxed)) / Double(totalTokens)) }

    /// Average loss per example so far, over all threads.
    public var averageLoss: Double {
        var s = 0.0, c = 0.0
        for i in 0..<threads { s += lossSum[i * 8]; c += lossCount[i * 8] }
        return c > 0 ? s / c : 0
    }

    func add(tokens: Int) { processed.add(tokens, ordering: .relaxed) }

    func record(thread: Int, loss: Double, count: Double) {
        lossSum[thread * 8] = loss  // one cache line per thread
        lossCount[thread * 8] = count
    }

    func fail(_ e: LexelError) { errorLock.withLock { if $0 == nil { $0 = e } } }
    var error: LexelError? { errorLock.withLock { $0 } }
}

/// Renders the one-line progress display fastText users know, with an ETA, onto stderr.
public struct ProgressLine {
    public static func render(fraction: Double, wordsPerSecPerThread: Double, lr: Double, loss: Double,
                              elapsed: Double) -> String {
        let pct = (fraction * 1000).rounded() / 10
        let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : .infinity
        let bar = String(repeating: "#", count: Int(fraction * 20)) + String(repeating: ".", count: 20 - Int(fraction * 20))
        return "\rProgress: [\(bar)] \(pct)%  words/sec/thread: \(Int(wordsPerSecPerThread))  lr: \(formatFixed(lr, 6))  "
            + "avg.loss: \(formatFixed(loss, 6))  ETA: \(formatDuration(eta)) "
    }
}
