import LexelKit

// The calls on lexical-dense models (lexel.h: "Document embeddings").

nonisolated(unsafe) let versionString: UnsafeMutablePointer<CChar> = {
    let s = Array("lexel \(BuildInfo.version) (git \(BuildInfo.gitHash))".utf8CString)
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: s.count)
    p.initialize(from: s, count: s.count)
    return p
}()

/// An open model and its per-thread buffers, reused by every call on the handle.
final class EmbedderState: Sendable {
    let model: LexicalModel
    let pool: WorkspacePool
    init(_ model: LexicalModel) { (self.model, self.pool) = (model, WorkspacePool(model: model)) }
}

typealias ModelHandle = Handle<EmbedderState>

@_cdecl("lexel_version")
public func lexelVersion() -> UnsafePointer<CChar> { UnsafePointer(versionString) }

@_cdecl("lexel_model_open")
public func lexelModelOpen(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                           _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    useHostSignalHandling()  // the host (Python, ...) keeps its SIGINT, SIGPIPE and SIGBUS handling
    return call("lexel_model_open", error, length) {
        let out = try required(out, "model")
        // NULL: the shipped model
        let model = try ModelFiles.lexicalModel(path.map { String(cString: $0) }, for: "the C library", verify: false)
        out.pointee = ModelHandle(EmbedderState(model), kind: "a lexical model").opaque
    }
}

@_cdecl("lexel_model_dim")
public func lexelModelDim(_ p: OpaquePointer?) -> Int32 {
    guard let m = try? ModelHandle.open(p) else { return -1 }
    return Int32(m.model.outputDim)
}

@_cdecl("lexel_model_close")
public func lexelModelClose(_ p: OpaquePointer?) -> Int32 {
    call("lexel_model_close", nil, 0) { try ModelHandle.close(p) }
}

@_cdecl("lexel_embed")
public func lexelEmbed(_ p: OpaquePointer?, _ offsets: UnsafeRawPointer?, _ offsetBits: Int32, _ data: UnsafePointer<UInt8>?,
                       _ count: Int64, _ out: UnsafeMutablePointer<Float>?, _ threads: Int32,
                       _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call("lexel_embed", error, length) {
        let state = try ModelHandle.open(p)
        if count == 0 { return }
        let texts = try Texts(offsets: offsets, bits: offsetBits, data: data, count: count)
        let out = try required(out, "out")
        BatchEmbedding.embed(state.model, count: texts.count, threads: threadCount(threads), into: out, pool: state.pool) {
            texts[$0]
        }
    }
}
