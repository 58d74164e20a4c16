import Synchronization
import LexelCore
import LexelIO
import LexelKernels

/// Embeds a stream of documents on several threads with bounded memory: documents are gathered into chunks
/// (at most `chunkDocuments` documents or about `chunkBytes` of text), each chunk is split into batches that
/// the threads take in turn, and the chunk's rows are handed out in input order before the next is read.
public final class EmbedPipeline: @unchecked Sendable {
    public let model: LexicalModel
    public let threads: Int
    public let batch: Int
    public let chunkDocuments: Int
    public let chunkBytes: Int
    let workspaces: [LexicalModel.Workspace]
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var rows: [Float] = []

    /// `timed` turns on the per-stage clock (`report`).
    public init(model: LexicalModel, threads: Int, batch: Int = 256, timed: Bool = false,
                chunkDocuments: Int = 8192, chunkBytes: Int = 32 << 20) {
        (self.model, self.threads, self.batch) = (model, max(1, threads), max(1, batch))
        (self.chunkDocuments, self.chunkBytes) = (max(1, chunkDocuments), chunkBytes)
        workspaces = (0..<max(1, threads)).map { _ in
            let w = LexicalModel.Workspace(model: model, batch: max(1, batch))
            w.timed = timed
            return w
        }
        bytes.reserveCapacity(chunkBytes + (1 << 16))
    }

    /// Embeds every document of `reader`, calling `emit(rows, count)` with each chunk's embeddings
    /// (`count x outputDim` floats, row-major) in order.
    public func run(_ reader: DocumentReader, _ emit: (UnsafePointer<Float>, Int) throws -> Void) throws {
        try reader.forEach { text, _ in
            bytes.append(contentsOf: text)
            ends.append(bytes.count)
            if ends.count >= chunkDocuments || bytes.count >= chunkBytes { try flush(emit) }
        }
        try flush(emit)
    }

    /// Embeds the gathered chunk and hands it out.
    func flush(_ emit: (UnsafePointer<Float>, Int) throws -> Void) throws {
        let n = ends.count
        guard n > 0 else { return }
        let dim = model.outputDim
        if rows.count < n * dim { rows = [Float](repeating: 0, count: n * dim) }
        let batches = (n + batch - 1) / batch
        let next = Atomic<Int>(0)
        let job = Job(pipeline: self, n: n, batches: batches)
        bytes.withUnsafeBufferPointer { text in
            ends.withUnsafeBufferPointer { ends in
                rows.withUnsafeMutableBufferPointer { out in
                    let ctx = Context(text: text, ends: ends, out: out.baseAddress!)
                    runOnThreads(min(threads, batches)) { t in
                        while true {
                            let b = next.add(1, ordering: .relaxed).oldValue
                            if b >= job.batches { return }
                            job.embed(batch: b, thread: t, ctx)
                        }
                    }
                }
            }
        }
        try rows.withUnsafeBufferPointer { try emit($0.baseAddress!, n) }
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    struct Context: @unchecked Sendable {
        let text: UnsafeBufferPointer<UInt8>
        let ends: UnsafeBufferPointer<Int>
        let out: UnsafeMutablePointer<Float>
    }

    final class Job: @unchecked Sendable {
        let pipeline: EmbedPipeline
        let n: Int
        let batches: Int
        init(pipeline: EmbedPipeline, n: Int, batches: Int) { (self.pipeline, self.n, self.batches) = (pipeline, n, batches) }

        func embed(batch b: Int, thread t: Int, _ c: Context) {
            let p = pipeline, start = b * p.batch, count = min(p.batch, n - start)
            p.model.embed(count: count, p.workspaces[t], into: c.out + start * p.model.outputDim) { i in
                let d = start + i
                return UnsafeBufferPointer(rebasing: c.text[(d == 0 ? 0 : c.ends[d - 1])..<c.ends[d]])
            }
        }
    }

    /// Thread-seconds per stage (tokenise, n-grams + TF-IDF, W0, dense layers) and tokens, over all threads.
    public var stageSeconds: [Double] { (0..<4).map { s in workspaces.reduce(0) { $0 + $1.seconds[s] } } }
    public var tokens: Int { workspaces.reduce(0) { $0 + $1.tokenCount } }

    /// A human-readable profile: throughput and the per-stage split.
    public func report(docs: Int, elapsed: Double, load: Double, model: LexicalModel) -> String {
        let s = stageSeconds, total = max(s.reduce(0, +), 1e-12)
        let names = ["tokenise", "n-grams + TF-IDF", "W0 (sparse rows)", "dense layers"]
        var r = "Model: \(model.network.inputDim) features -> \(model.network.dims.map(String.init).joined(separator: " -> "))"
        let net = model.network
        let sketch = net.sketch.map {
            " + sketch of \($0.dims) (weight \(formatFixed(Double($0.weight), 2))"
                + ($0.shortWeight > 0 ? " + \(formatFixed(Double($0.shortWeight), 2)) exp(-tokens / \(formatCompact($0.shortLength)))" : "") + ")"
        } ?? ""
        let layers = net.isStatic ? "no dense layers (static\(sketch))" : "dense layers \(net.layerKind.rawValue) (\(net.layerKernel) kernel)"
        r += ", W0 \(net.input.dtype.rawValue), \(layers); loaded in \(formatFixed(load, 3)) s\n"
        r += "Documents: \(docs) in \(formatFixed(elapsed, 3)) s on \(threads) threads: \(Int(Double(docs) / max(elapsed, 1e-12))) docs/s, "
        r += "\(Int(Double(tokens) / max(elapsed, 1e-12))) tokens/s (\(tokens) tokens)\n"
        for (i, n) in names.enumerated() {
            r += "  \(n.padding(18)) \(formatFixed(s[i], 3)) thread-s  \(formatFixed(100 * s[i] / total, 1))%  "
            r += "\(formatFixed(1e6 * s[i] / Double(max(docs, 1)), 1)) us/doc\n"
        }
        return r
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}

/// `x` without a fractional part when it has none ("20", "12.5").
func formatCompact(_ x: Float) -> String { x == x.rounded() && abs(x) < 1e9 ? "\(Int(x))" : "\(x)" }
