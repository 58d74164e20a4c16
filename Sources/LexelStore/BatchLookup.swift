import LexelCore
import LexelKernels

/// Many lookups at once: vectors for a list of words, and zero-padded sequences of words (Magnitude's
/// `query([[...], [...]])`), as flat row-major arrays ready for a numeric library.
extension VectorFile {
    /// The vectors of `words` (any word: OOV words get their OOV vector), row-major: `words.count x dim`.
    /// Lookups run on up to `threads` threads.
    public func vectors(for words: [String], threads: Int = 1) throws -> [Float] {
        let n = words.count, dim = self.dim
        var out = [Float](repeating: 0, count: n * dim)
        let failure = ThreadSlots<LexelErrorBox>(max(1, threads)) { LexelErrorBox() }
        try out.withUnsafeMutableBufferPointer { buf in
            let base = SharedRows(base: buf.baseAddress!, rows: n, cols: dim)
            let t = max(1, min(threads, n / 256 + 1))
            runOnThreads(t) { k in
                for i in stride(from: k, to: n, by: t) {
                    do {
                        let v = try self.vector(for: words[i])
                        base.row(i).update(from: v, count: dim)
                    } catch {
                        failure.with(k) { $0.error = $0.error ?? error }
                        return
                    }
                }
            }
            if let e = failure.all.compactMap(\.error).first { throw e }
        }
        return out
    }

    /// Sequences of words as one `sequences.count x length x dim` array, where `length` is `maxLength` or the
    /// longest sequence. Shorter sequences are zero-padded at the end (at the start with `padLeft`, as recurrent
    /// models like); longer ones keep their first `length` words.
    public func sequences(_ sequences: [[String]], maxLength: Int? = nil, padLeft: Bool = false,
                          threads: Int = 1) throws -> (values: [Float], length: Int) {
        let length = maxLength ?? sequences.map(\.count).max() ?? 0
        var flat: [String] = [], slots: [Int] = []
        for (s, words) in sequences.enumerated() {
            let kept = words.prefix(length)
            let start = padLeft ? length - kept.count : 0
            for (j, w) in kept.enumerated() {
                flat.append(w)
                slots.append(s * length + start + j)
            }
        }
        let found = try vectors(for: flat, threads: threads)
        var out = [Float](repeating: 0, count: sequences.count * length * dim)
        for (i, slot) in slots.enumerated() {
            for k in 0..<dim { out[slot * dim + k] = found[i * dim + k] }
        }
        return (out, length)
    }
}

/// The first error a lookup thread met.
struct LexelErrorBox {
    var error: Error?
}
