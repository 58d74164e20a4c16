import LexelCore
import LexelLexical

/// Embeds texts that are already in memory (an Arrow string column, texts back to back) with a lexical model,
/// in batches of 256 on `threads` threads, straight into the caller's buffer: the call the C library, the
/// clustering of documents and the heads on embeddings share.
public enum BatchEmbedding {
    public static let batch = 256

    /// Row `i` of `out` (`count x model.outputDim` floats) = the embedding of `text(i)`.
    public static func embed(_ model: LexicalModel, count: Int, threads: Int, into out: UnsafeMutablePointer<Float>,
                             text: @escaping @Sendable (Int) -> UnsafeBufferPointer<UInt8>) {
        guard count > 0 else { return }
        let dim = model.outputDim, batches = (count + batch - 1) / batch
        let workspaces = ThreadSlots(max(1, threads)) { LexicalModel.Workspace(model: model, batch: batch) }
        let target = Unchecked(out)
        parallelFor(batches, threads: max(1, threads)) { thread, range in
            workspaces.with(thread) { w in
                for b in range {
                    let first = b * batch, n = min(batch, count - first)
                    model.embed(count: n, w, into: target.value + first * dim) { j in text(first + j) }
                }
            }
        }
    }
}
