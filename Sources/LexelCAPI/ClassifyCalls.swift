import LexelKit

// The calls on classifiers (lexel.h: "Classification"): a fastText model (.bin, .ftz) or a lexical model with a
// classifier head (.lxm).

/// An open classifier and its label names as C strings (alive as long as the handle).
final class ClassifierState: Sendable {
    let model: any LineClassifier
    nonisolated(unsafe) let names: [UnsafeMutablePointer<CChar>]
    init(_ model: any LineClassifier) {
        self.model = model
        names = model.labelNames.map { name in
            let s = Array(name.utf8CString)
            let p = UnsafeMutablePointer<CChar>.allocate(capacity: s.count)
            p.initialize(from: s, count: s.count)
            return p
        }
    }
    deinit { for p in names { p.deallocate() } }
}

typealias ClassifierHandle = Handle<ClassifierState>

@_cdecl("lexel_classifier_open")
public func lexelClassifierOpen(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                                _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    useHostSignalHandling()
    return call("lexel_classifier_open", error, length) {
        let path = try string(path, "path"), out = try required(out, "classifier")
        let model = try ModelFiles.lineClassifier(path, for: "the C library")
        out.pointee = ClassifierHandle(ClassifierState(model), kind: "a classifier").opaque
    }
}

@_cdecl("lexel_classifier_labels")
public func lexelClassifierLabels(_ p: OpaquePointer?) -> Int32 {
    guard let c = try? ClassifierHandle.open(p) else { return -1 }
    return Int32(c.names.count)
}

@_cdecl("lexel_classifier_label")
public func lexelClassifierLabel(_ p: OpaquePointer?, _ i: Int32) -> UnsafePointer<CChar>? {
    guard let c = try? ClassifierHandle.open(p), i >= 0, Int(i) < c.names.count else { return nil }
    return UnsafePointer(c.names[Int(i)])
}

@_cdecl("lexel_classifier_close")
public func lexelClassifierClose(_ p: OpaquePointer?) -> Int32 {
    call("lexel_classifier_close", nil, 0) { try ClassifierHandle.close(p) }
}

@_cdecl("lexel_classify")
public func lexelClassify(_ p: OpaquePointer?, _ offsets: UnsafeRawPointer?, _ offsetBits: Int32, _ data: UnsafePointer<UInt8>?,
                          _ count: Int64, _ k: Int32, _ threshold: Float, _ labels: UnsafeMutablePointer<Int32>?,
                          _ probabilities: UnsafeMutablePointer<Float>?, _ threads: Int32,
                          _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call("lexel_classify", error, length) {
        let state = try ClassifierHandle.open(p)
        guard k >= 1 else { throw CallError(.argument, "k must be at least 1 (got \(k))") }
        guard threshold.isFinite else { throw CallError(.argument, "threshold \(threshold) is not a number") }
        if count == 0 { return }
        let texts = try Texts(offsets: offsets, bits: offsetBits, data: data, count: count)
        let (ids, probs) = (Unchecked(try required(labels, "labels")), Unchecked(try required(probabilities, "probabilities")))
        let model = state.model, k = Int(k), n = texts.count, t = threadCount(threads)
        let workspaces = Unchecked((0..<min(t, n)).map { _ in model.makeWorkspace() })
        parallelFor(n, threads: workspaces.value.count) { thread, range in
            for i in range {
                let found = model.predict(texts[i], k: k, threshold: threshold, workspace: workspaces.value[thread])
                for j in 0..<k {
                    ids.value[i * k + j] = j < found.count ? Int32(found[j].label) : -1
                    probs.value[i * k + j] = j < found.count ? found[j].probability : 0
                }
            }
        }
    }
}
