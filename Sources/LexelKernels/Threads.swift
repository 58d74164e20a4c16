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
        init(_ body: @escaping @Sendable (Int) -> Void, _ index: Int) { self.body = body; self.index = index }
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
