import LexelCluster
import LexelCore
import LexelIO
import LexelKernels
import LexelLexical
import LexelStore

/// The input of `lexel cluster`, `assign` and `dedup`: vectors (`.npy` float32 / float16 / int8 as Lexel writes
/// them, or the rows of a `.lxv`), or documents (plain lines or JSON Lines, plain or zstd) embedded on the fly
/// with a lexical model. Leading `__label__X` tokens of a line are its label (fastText's format), not embedded.
public struct ClusterInput {
    /// The points, ready for k-means.
    public let points: PointSet
    /// For documents: the label of each (nil where a line had none), or nil when no line had one.
    public let labels: [String?]?
    /// The documents, when the input was text (for summaries and JSON Lines outputs).
    public let documents: DocumentInput?
    /// For documents: the exact-duplicate fingerprint of each text (labels taken off).
    public var fingerprints: [TextFingerprint]? = nil
    /// What was read, for the log line.
    public let description: String

    /// Opens `path`. For documents, `model` (default: the shipped one) embeds them on `threads` threads;
    /// `progress` sees the count embedded so far. `streaming` drops a mapped `.npy`'s pages after each pass block.
    public static func open(_ docs: DocumentInput, model: String? = nil, threads: Int = onlineCPUs,
                            streaming: Bool = false, progress: (Int) -> Void = { _ in }) throws -> ClusterInput {
        let path = docs.path
        guard path != "-" && path != "/dev/stdin" else {
            throw LexelError("clustering reads its input more than once (to embed, then to summarise and copy documents): "
                             + "give a file, not standard input")
        }
        switch try FileKind.of(path: path) {
        case .npy:
            let (file, array) = try Numpy.open(path: path)
            guard array.shape.count == 2, array.shape[0] > 0, array.shape[1] > 0 else {
                throw LexelError(file: path, "k-means needs a 2-D array of rows (n x dim, n > 0), not shape \(array.shape)")
            }
            let (n, d) = (array.shape[0], array.shape[1])
            let storage: PointSet.Storage
            switch array.dtype {
            case .f32: storage = .f32(array.data.assumingMemoryBound(to: Float.self), stride: d)
            case .f16: storage = .f16(array.data)
            case .i8: storage = .i8(array.data)
            default: throw LexelError(file: path, "a \(array.dtype.descr) array: k-means reads float32, float16 or int8 (.npy as `lexel embed` writes)")
            }
            let set = PointSet(count: n, dim: d, storage: storage, owner: file, mapped: file,
                               offset: Int(array.dataOffset))
            set.streaming = streaming
            return ClusterInput(points: set, labels: nil, documents: nil, description: "\(n) x \(d) \(array.dtype.descr) rows")
        case .container:
            let kind = try ModelFiles.kind(of: path)
            guard kind == .vectorFile else {
                throw ModelFiles.wrongKind(path, kind, "cluster", wanted: "vectors (.npy, .lxv) or documents")
            }
            let vectors = try VectorFile(path: path)
            let m = Matrix(rows: vectors.count, cols: vectors.dim)
            for r in 0..<vectors.count { vectors.vector(row: r, into: m.row(r)) }
            return ClusterInput(points: PointSet(m), labels: nil, documents: nil,
                                description: "\(vectors.count) x \(vectors.dim) rows of a vector file")
        case .empty:
            throw LexelError(file: path, "the file is empty: nothing to cluster")
        case .zstd, .other:
            let input = docs
            let lexical = try ModelFiles.lexicalModel(model ?? DefaultFiles.model(), for: "cluster", verify: false)
            let (m, labels, prints) = try embed(input, model: lexical, threads: threads, progress: progress)
            return ClusterInput(points: PointSet(m), labels: labels, documents: input, fingerprints: prints,
                                description: "\(m.rows) documents embedded (\(m.cols)-d)")
        case let k:
            throw LexelError(file: path, "this is \(k.description): k-means reads vectors (.npy, .lxv) or documents")
        }
    }

    /// Embeds every document (labels taken off) in batches of 4,096 on `threads` threads.
    static func embed(_ input: DocumentInput, model: LexicalModel, threads: Int,
                      progress: (Int) -> Void) throws -> (Matrix, [String?]?, [TextFingerprint]) {
        let reader = try input.reader()
        let dim = model.outputDim
        var rows: [Float] = [], labels: [String?] = [], anyLabel = false
        var texts: [UInt8] = [], ends: [Int] = [], prints: [TextFingerprint] = []
        let prefix = Array("__label__".utf8)
        func flush() {
            guard !ends.isEmpty else { return }
            let first = rows.count
            rows.append(contentsOf: repeatElement(0, count: ends.count * dim))
            texts.withUnsafeBufferPointer { b in
                let (bytes, e) = (Unchecked(b), Unchecked(ends))
                rows.withUnsafeMutableBufferPointer { out in
                    BatchEmbedding.embed(model, count: e.value.count, threads: threads, into: out.baseAddress! + first) { r in
                        UnsafeBufferPointer(rebasing: bytes.value[(r == 0 ? 0 : e.value[r - 1])..<e.value[r]])
                    }
                }
            }
            texts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            progress(labels.count)
        }
        try reader.forEach { text, _ in
            var label: String? = nil
            _ = EmbeddingClassifier.split(text, labelPrefix: prefix, appendingTextTo: &texts) { t in
                if label == nil { label = String(decoding: t.dropFirst(prefix.count), as: UTF8.self) }
            }
            anyLabel = anyLabel || label != nil
            labels.append(label)
            let start = ends.last ?? 0
            prints.append(texts.withUnsafeBufferPointer { TextFingerprint(UnsafeBufferPointer(rebasing: $0[start...])) })
            ends.append(texts.count)
            if ends.count == 4096 { flush() }
        }
        flush()
        guard !labels.isEmpty else { throw LexelError(file: reader.displayName, "no documents: nothing to cluster") }
        let m = Matrix(rows: labels.count, cols: dim)
        rows.withUnsafeBufferPointer { m.pointer.update(from: $0.baseAddress!, count: rows.count) }
        return (m, anyLabel ? labels : nil, prints)
    }

    /// Reads labels for `count` points: one per line of a text file, or an integer `.npy`.
    public static func labels(_ path: String, count: Int) throws -> [String?] {
        if try FileKind.of(path: path) == .npy {
            let (_, array) = try Numpy.open(path: path)
            let values = try array.integers()
            guard values.count == count else {
                throw LexelError(file: path, "\(values.count) labels for \(count) points")
            }
            return values.map { String($0) }
        }
        var out: [String?] = []
        try LineReader(path: path).forEachLine { line, _, offset in
            if let bad = firstInvalidUTF8Fast(line) { throw LexelError(file: path, offset: offset + Int64(bad), "invalid UTF-8") }
            out.append(String(decoding: line, as: UTF8.self))
        }
        guard out.count == count else { throw LexelError(file: path, "\(out.count) labels (lines) for \(count) points") }
        return out
    }
}
