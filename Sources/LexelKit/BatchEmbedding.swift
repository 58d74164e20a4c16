import LexelCore
import LexelLexical
import Synchronization

/// Embeds texts that are already in memory (an Arrow string column, texts back to back) with a lexical model,
/// in batches of 256 on `threads` threads, straight into the caller's buffer: the call the C library, the
/// clustering of documents and the heads on embeddings share.
public enum BatchEmbedding {
    public static let batch = 256

    /// Row `i` of `out` (`count x model.outputDim` floats) = the embedding of `text(i)`. With a `pool`, the
    /// per-thread buffers (a few MB each) are reused across calls instead of allocated and faulted in every time:
    /// what makes many small calls (a Python loop, a server) as fast per text as one large one.
    public static func embed(_ model: LexicalModel, count: Int, threads: Int, into out: UnsafeMutablePointer<Float>,
                             pool: WorkspacePool? = nil, text: @escaping @Sendable (Int) -> UnsafeBufferPointer<UInt8>) {
        guard count > 0 else { return }
        let dim = model.outputDim, batches = (count + batch - 1) / batch
        let pool = pool ?? WorkspacePool(model: model)
        let target = Unchecked(out)
        parallelFor(batches, threads: max(1, threads)) { _, range in
            let w = pool.take()
            for b in range {
                let first = b * batch, n = min(batch, count - first)
                model.embed(count: n, w, into: target.value + first * dim) { j in text(first + j) }
            }
            pool.give(w)
        }
    }
}

/// Per-thread embedding buffers of one model, kept between calls (thread-safe; at most `limit` kept).
public final class WorkspacePool: @unchecked Sendable {
    let model: LexicalModel
    let limit: Int
    private let free = Mutex<[Unchecked<LexicalModel.Workspace>]>([])

    public init(model: LexicalModel, limit: Int = 64) { (self.model, self.limit) = (model, limit) }

    /// A free workspace, or a new one.
    public func take() -> LexicalModel.Workspace {
        free.withLock { $0.popLast() }?.value ?? LexicalModel.Workspace(model: model, batch: BatchEmbedding.batch)
    }

    /// Hands `w` back for the next call.
    public func give(_ w: LexicalModel.Workspace) {
        let w = Unchecked(w)
        free.withLock { if $0.count < limit { $0.append(w) } }
    }
}
