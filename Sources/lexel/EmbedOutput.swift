import LexelCore
import LexelIO
import LexelText

/// Writes embeddings as they come: a float32 or int8 `.npy` (rows patched into the header at the end), JSON
/// Lines to a file, or JSON Lines to standard output. Files are written atomically.
final class EmbeddingSink {
    let dim: Int
    let int8: Bool
    let npy: NumpyWriter?
    let jsonl: AtomicFileWriter?
    private(set) var rows = 0
    var codes: [Int8] = []

    init(path: String?, dim: Int, int8: Bool) throws {
        (self.dim, self.int8) = (dim, int8)
        if let path, path.hasSuffix(".npy") {
            npy = try NumpyWriter(path: path, dtype: int8 ? .i8 : .f32, cols: dim)
            jsonl = nil
        } else {
            npy = nil
            jsonl = try path.map { try AtomicFileWriter(path: $0) }
        }
    }

    /// Appends `count` rows of `dim` floats.
    func append(_ x: UnsafePointer<Float>, count: Int) throws {
        if int8 {
            codes.removeAll(keepingCapacity: true)
            for i in 0..<(count * dim) { codes.append(Int8(max(-127, min(127, (x[i] * 127).rounded())))) }
        }
        if let npy {
            if int8 { try codes.withUnsafeBytes { try npy.append(rows: count, $0.baseAddress!) } } else { try npy.append(rows: count, x) }
        } else {
            var text = ""
            text.reserveCapacity(count * dim * 12)
            for r in 0..<count {
                text += "{\"embedding\": ["
                for j in 0..<dim {
                    if j > 0 { text += ", " }
                    text += int8 ? String(codes[r * dim + j]) : shortest(x[r * dim + j])
                }
                text += "]}\n"
            }
            if let jsonl { try jsonl.write(text) } else { writeStdout(text) }
        }
        rows += count
    }

    func commit() throws {
        try npy?.commit()
        try jsonl?.commit()
    }

    func shortest(_ v: Float) -> String { v.isFinite ? "\(v)" : "0" }
}

#if canImport(Glibc)
import Glibc
#endif

func writeStdout(_ s: String) {
    var s = s
    s.withUTF8 { b in
        var off = 0
        while off < b.count {
            let n = write(1, b.baseAddress! + off, b.count - off)
            if n <= 0 { return }
            off += n
        }
    }
}
