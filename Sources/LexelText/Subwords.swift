import LexelKernels

/// For every vocabulary word, the input-matrix rows that make up its vector: the word's own row first, then
/// `nwords + hash % bucket` for each of its character n-grams (fastText's layout). Stored flat (CSR).
public final class SubwordIndex: @unchecked Sendable {
    public let minn: Int
    public let maxn: Int
    public let bucket: Int
    public let wordCount: Int
    @usableFromInline let offsets: FlatArray<Int>
    @usableFromInline let flatRows: FlatArray<Int32>

    public init(vocabulary: Vocabulary, minn: Int, maxn: Int, bucket: Int) {
        self.minn = minn
        self.maxn = maxn
        self.bucket = bucket
        wordCount = vocabulary.count
        var offsets = [0]
        var rows: [Int32] = []
        let eos = vocabulary.endOfLineID
        for i in 0..<vocabulary.count {
            rows.append(Int32(i))
            if Int32(i) != eos && maxn > 0 && bucket > 0 {
                forEachSubwordHash(of: vocabulary.bytes(i), minn: minn, maxn: maxn) { h in
                    rows.append(Int32(vocabulary.count + Int(h % UInt32(bucket))))
                }
            }
            offsets.append(rows.count)
        }
        self.offsets = FlatArray(offsets)
        flatRows = FlatArray(rows)
    }

    /// Rows of word `i` (valid while this index lives).
    @inlinable public func rows(of i: Int) -> UnsafeBufferPointer<Int32> {
        let o = offsets.base[i]
        return UnsafeBufferPointer(start: flatRows.base + o, count: offsets.base[i + 1] - o)
    }

    /// Rows for any word, in the vocabulary or not: its own row (when known) followed by its n-gram rows.
    public static func rows(for word: String, vocabulary: Vocabulary, minn: Int, maxn: Int, bucket: Int) -> [Int32] {
        var out: [Int32] = []
        if let id = vocabulary.id(of: word) { out.append(Int32(id)) }
        if word == endOfLineToken { return out }
        var w = word
        w.withUTF8 { bytes in
            if maxn > 0 && bucket > 0 {
                forEachSubwordHash(of: bytes, minn: minn, maxn: maxn) { h in
                    out.append(Int32(vocabulary.count + Int(h % UInt32(bucket))))
                }
            }
        }
        return out
    }
}
