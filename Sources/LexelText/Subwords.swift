import LexelKernels

/// For every vocabulary word, the input-matrix rows that make up its vector: the word's own row first, then one
/// row per character n-gram. Stored flat (CSR).
///
/// N-gram rows are compacted: fastText allocates all `bucket` rows (2M x dim floats by default) although only the
/// buckets that some vocabulary word's n-grams hash to are ever trained. Lexel keeps just those buckets, sorted
/// (`usedBuckets`); bucket `b` lives in row `wordCount + rank of b in usedBuckets`. Training is unchanged; memory
/// and file size shrink several-fold; an out-of-vocabulary word's n-grams that no training word shares (rows
/// fastText would leave at their random initial value) are simply skipped.
public final class SubwordIndex: @unchecked Sendable {
    public let minn: Int
    public let maxn: Int
    /// Hash modulus for n-grams (fastText's `-bucket`).
    public let bucket: Int
    public let wordCount: Int
    /// The buckets that own a row, ascending.
    public let usedBuckets: FlatArray<UInt32>
    @usableFromInline let offsets: FlatArray<Int>
    @usableFromInline let flatRows: FlatArray<Int32>

    /// Rows of the input matrix: word rows then used-bucket rows.
    public var rowCount: Int { wordCount + usedBuckets.count }

    public init(vocabulary: Vocabulary, minn: Int, maxn: Int, bucket: Int) {
        self.minn = minn
        self.maxn = maxn
        self.bucket = bucket
        wordCount = vocabulary.count
        var offsets = [0]
        var rows: [Int32] = []  // word ids, and buckets as -1 - bucket until remapped
        let eos = vocabulary.endOfLineID
        for i in 0..<vocabulary.count {
            rows.append(Int32(i))
            if Int32(i) != eos && maxn > 0 && bucket > 0 {
                forEachSubwordHash(of: vocabulary.bytes(i), minn: minn, maxn: maxn) { h in
                    rows.append(-1 - Int32(h % UInt32(bucket)))
                }
            }
            offsets.append(rows.count)
        }
        let used = Array(Set(rows.lazy.filter { $0 < 0 }.map { UInt32(-1 - $0) })).sorted()
        var rank: [UInt32: Int32] = [:]
        rank.reserveCapacity(used.count)
        for (r, b) in used.enumerated() { rank[b] = Int32(vocabulary.count + r) }
        for k in rows.indices where rows[k] < 0 { rows[k] = rank[UInt32(-1 - rows[k])]! }
        usedBuckets = FlatArray(used)
        self.offsets = FlatArray(offsets)
        flatRows = FlatArray(rows)
    }

    /// Rows of word `i` (valid while this index lives).
    @inlinable public func rows(of i: Int) -> UnsafeBufferPointer<Int32> {
        let o = offsets.base[i]
        return UnsafeBufferPointer(start: flatRows.base + o, count: offsets.base[i + 1] - o)
    }

    /// Rows for any word given its vocabulary id (or nil) and the sorted used buckets: its own row, then the rows of
    /// those of its n-grams whose bucket has a row.
    /// With `dense`, every bucket owns a row (fastText's layout: bucket `b` is row `wordCount + b`).
    public static func rows(for word: String, id: Int?, wordCount: Int, usedBuckets: UnsafeBufferPointer<UInt32>,
                            dense: Bool = false, minn: Int, maxn: Int, bucket: Int) -> [Int32] {
        var out: [Int32] = []
        if let id { out.append(Int32(id)) }
        if word == endOfLineToken || maxn == 0 || bucket == 0 { return out }
        var w = word
        w.withUTF8 { bytes in
            forEachSubwordHash(of: bytes, minn: minn, maxn: maxn) { h in
                let b = h % UInt32(bucket)
                if dense {
                    out.append(Int32(wordCount + Int(b)))
                } else if let r = rank(of: b, in: usedBuckets) {
                    out.append(Int32(wordCount + r))
                }
            }
        }
        return out
    }

    /// Position of `b` in the ascending `sorted`, or nil.
    @inlinable
    public static func rank(of b: UInt32, in sorted: UnsafeBufferPointer<UInt32>) -> Int? {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if sorted[mid] < b { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == b ? lo : nil
    }
}
