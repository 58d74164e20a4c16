#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body(threadIndex)` on `count` real OS threads at once and waits for all of them.
/// Unlike `concurrentPerform`, every index gets its own thread even when `count` exceeds the cores,
/// which hogwild training with a global learning-rate schedule needs.
public func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    precondition(count > 0)
    if count == 1 { body(0); return }
    final class Box: @unchecked Sendable {
        let body: @Sendable (Int) -> Void
        let index: Int
        init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int) { (self.body, self.index) = (body, index) }
    }
    var threads: [pthread_t] = []
    for i in 0..<count {
        let box = Unmanaged.passRetained(Box(body, i)).toOpaque()
        #if canImport(Glibc)
        var tid = pthread_t()
        #else
        var tid: pthread_t?
        #endif
        let rc = pthread_create(&tid, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body(box.index)
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed with \(rc)")
        #if canImport(Glibc)
        threads.append(tid)
        #else
        threads.append(tid!)
        #endif
    }
    for t in threads { pthread_join(t, nil) }
}

/// CPUs online now (the default thread count of every multi-threaded command).
public var onlineCPUs: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

/// Runs `body(thread, range)` on `threads` contiguous slices of `0..<count` (slice starts are multiples of
/// `align`), in parallel; empty slices are skipped. Each element belongs to one slice, so results that are
/// written per element do not depend on the thread count.
public func parallelFor(_ count: Int, threads: Int, align: Int = 1,
                        _ body: @escaping @Sendable (_ thread: Int, _ range: Range<Int>) -> Void) {
    guard count > 0 else { return }
    let blocks = (count + align - 1) / align
    let t = max(1, min(threads, blocks))
    if t == 1 { body(0, 0..<count); return }
    runOnThreads(t) { i in
        let lo = min(count, blocks * i / t * align), hi = min(count, blocks * (i + 1) / t * align)
        if lo < hi { body(i, lo..<hi) }
    }
}

/// A value handed to worker threads as it is (raw pointers, workspaces): the caller guarantees that the
/// threads touch disjoint parts of it, or only read it.
public struct Unchecked<T>: @unchecked Sendable {
    public let value: T
    @inlinable public init(_ value: T) { self.value = value }
}

/// One value per thread, each touched only by its own thread during a parallel pass (separate storage, no
/// shared array whose copy-on-write check two threads would race on).
public final class ThreadSlots<T>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<T>
    private let n: Int
    public init(_ n: Int, _ make: () -> T) {
        self.n = max(1, n)
        slots = .allocate(capacity: self.n)
        for i in 0..<self.n { (slots + i).initialize(to: make()) }
    }
    deinit { slots.deinitialize(count: n); slots.deallocate() }
    @inline(__always) public func with<R>(_ t: Int, _ body: (inout T) -> R) -> R { body(&slots[t]) }
    public var all: [T] { Array(UnsafeBufferPointer(start: slots, count: n)) }
}

/// Runs `a` on a second thread while `b` runs on another, waits for both and returns their results (the first
/// error, if either throws). For independent steps of one job, such as building the parts of a model at load.
public func concurrently<A, B>(_ a: () throws -> A, _ b: () throws -> B) throws -> (A, B) {
    try withoutActuallyEscaping(a) { a in
        try withoutActuallyEscaping(b) { b in
            let results = ResultPair<A, B>(), fa = Unchecked(a), fb = Unchecked(b)
            runOnThreads(2) { i in
                if i == 0 { results.a = Result { try fa.value() } } else { results.b = Result { try fb.value() } }
            }
            return (try results.a!.get(), try results.b!.get())
        }
    }
}

/// The results of `concurrently`'s two threads, each written by one of them before the join.
private final class ResultPair<A, B>: @unchecked Sendable {
    var a: Result<A, Error>?
    var b: Result<B, Error>?
}
