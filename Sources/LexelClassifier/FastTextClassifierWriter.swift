import LexelCore
import LexelText

/// Writes classifiers as fastText model files (format version 12), dense (`.bin`) or product-quantised (`.ftz`),
/// so that fastText opens Lexel's models. A model read from a version-12 file is written back byte for byte.
public enum FastTextClassifierWriter {
    /// Writes `c` to `path` (replaced atomically); returns the bytes written.
    @discardableResult
    public static func write(_ c: Classifier, to path: String) throws -> Int64 {
        let w = try AtomicFileWriter(path: path)
        try w.write(FastTextClassifierFile.magic)
        try w.write(Int32(12))
        let a = c.args
        for v in [a.dim, a.ws, a.epoch, a.minCount, a.neg, a.wordNgrams, a.loss.rawValue, a.model.rawValue, a.bucket,
                  a.minn, a.maxn, a.lrUpdateRate] { try w.write(v) }
        try w.write(a.t)
        let d = c.dictionary
        try w.write(Int32(d.entries.count))
        try w.write(Int32(d.wordCount))
        try w.write(Int32(d.labelCount))
        try w.write(d.tokenCount)
        try w.write(d.pruneIndex == nil ? Int64(-1) : Int64(d.pruneEntries.count))
        for i in 0..<d.entries.count {
            try d.entries[i].withUnsafeBytes { try w.write($0) }
            try w.write(UInt8(0))
            try w.write(d.counts[i])
            try w.write(UInt8(bitPattern: d.types[i].rawValue))
        }
        for p in d.pruneEntries {
            try w.write(p.bucket)
            try w.write(p.row)
        }
        try w.write(UInt8(isQuantized(c.input) ? 1 : 0))
        try write(c.input, w)
        try w.write(UInt8(isQuantized(c.output) ? 1 : 0))
        try write(c.output, w)
        try w.commit()
        return w.bytesWritten
    }

    static func isQuantized(_ rows: ClassifierRows) -> Bool {
        if case .quantized = rows { return true }
        return false
    }

    static func write(_ rows: ClassifierRows, _ w: AtomicFileWriter) throws {
        switch rows {
        case .dense(let m):
            try w.write(Int64(m.rows))
            try w.write(Int64(m.cols))
            try w.write(UnsafeRawBufferPointer(start: m.base, count: m.rows * m.cols * 4))
        case .quantized(let q):
            try w.write(UInt8(q.normCodes == nil ? 0 : 1))
            try w.write(Int64(q.rows))
            try w.write(Int64(q.cols))
            try w.write(Int32(q.codes.count))
            try q.codes.withUnsafeBytes { try w.write($0) }
            try write(q.pq, w)
            if let normCodes = q.normCodes, let npq = q.normPQ {
                try normCodes.withUnsafeBytes { try w.write($0) }
                try write(npq, w)
            }
        }
    }

    static func write(_ pq: ProductQuantizer, _ w: AtomicFileWriter) throws {
        for v in [pq.dim, pq.subquantizers, pq.dsub, pq.lastDsub] { try w.write(Int32(v)) }
        try pq.centroids.withUnsafeBytes { try w.write($0) }
    }
}

extension FastTextClassifierWriter {
    /// The bytes `write` would write for `c` (for fitting a model to a size budget).
    public static func byteCount(_ c: Classifier) -> Int64 {
        var n = 8 + 12 * 4 + 8 + 28  // magic, version, arguments, dictionary header
        for e in c.dictionary.entries { n += e.count + 10 }
        n += 8 * c.dictionary.pruneEntries.count
        func rows(_ r: ClassifierRows) -> Int {
            switch r {
            case .dense(let m): return 16 + m.rows * m.cols * 4
            case .quantized(let q):
                func pq(_ p: ProductQuantizer) -> Int { 16 + p.centroids.count * 4 }
                return 21 + q.codes.count + pq(q.pq) + (q.normCodes.map { $0.count } ?? 0) + (q.normPQ.map(pq) ?? 0)
            }
        }
        return Int64(n + 2 + rows(c.input) + rows(c.output))
    }
}
