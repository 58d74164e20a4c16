import LexelCore
import LexelIO
/// Counts tokens into a vocabulary, with fastText-style pruning when the number of distinct words grows past
/// `maxSize` (every word with a count below a rising threshold is dropped, and counting goes on).
public struct VocabularyBuilder {
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var lengths: [Int32] = []
    private var counts: [Int64] = []
    private var table: [Int32] = Array(repeating: -1, count: 1 << 16)
    /// Every token added, including `</s>` and words later pruned.
    public private(set) var totalTokens: Int64 = 0
    /// Words with a count below this were dropped by pruning (1 = nothing pruned).
    public private(set) var pruneThreshold: Int64 = 1
    public let maxSize: Int

    public init(maxSize: Int = 30_000_000) {
        precondition(maxSize > 0)
        self.maxSize = maxSize
    }

    /// Distinct words counted so far.
    public var distinctCount: Int { counts.count }

    /// Counts one occurrence of `token`.
    public mutating func add(_ token: UnsafeBufferPointer<UInt8>) {
        totalTokens += 1
        let h = fastTextHash(token)
        let mask = table.count - 1
        var slot = Int(h) & mask
        while true {
            let e = table[slot]
            if e < 0 { break }
            if lengths[Int(e)] == Int32(token.count) && equal(Int(e), token) {
                counts[Int(e)] += 1
                return
            }
            slot = (slot + 1) & mask
        }
        table[slot] = Int32(counts.count)
        starts.append(arena.count)
        lengths.append(Int32(token.count))
        arena.append(contentsOf: token)
        counts.append(1)
        if counts.count * 2 > table.count { rehash(size: table.count * 2) }
        if counts.count > maxSize { prune() }
    }

    /// Counts one occurrence of a word given as a String.
    public mutating func add(_ word: String) {
        var w = word
        w.withUTF8 { add($0) }
    }

    private func equal(_ e: Int, _ token: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = starts[e]
        for k in 0..<token.count where arena[s + k] != token[k] { return false }
        return true
    }

    private mutating func rehash(size: Int) {
        table = Array(repeating: -1, count: size)
        let mask = size - 1
        for e in 0..<counts.count {
            let s = starts[e]
            let h = arena.withUnsafeBufferPointer {
                fastTextHash(UnsafeBufferPointer(rebasing: $0[s..<(s + Int(lengths[e]))]))
            }
            var slot = Int(h) & mask
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(e)
        }
    }

    /// Drops rare words until at most 3/4 of `maxSize` remain.
    private mutating func prune() {
        while counts.count > maxSize * 3 / 4 {
            pruneThreshold += 1
            var newArena: [UInt8] = [], newStarts: [Int] = [], newLengths: [Int32] = [], newCounts: [Int64] = []
            for e in 0..<counts.count where counts[e] >= pruneThreshold {
                newStarts.append(newArena.count)
                newLengths.append(lengths[e])
                newArena.append(contentsOf: arena[starts[e]..<(starts[e] + Int(lengths[e]))])
                newCounts.append(counts[e])
            }
            (arena, starts, lengths, counts) = (newArena, newStarts, newLengths, newCounts)
        }
        var size = 1 << 16
        while size < counts.count * 2 { size <<= 1 }
        rehash(size: size)
    }

    /// The final vocabulary: words with count >= `minCount`, most frequent first (ties keep first-seen order).
    public func build(minCount: Int64) -> Vocabulary {
        let kept = (0..<counts.count).filter { counts[$0] >= minCount }
        let order = kept.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        let words = order.map { Array(arena[starts[$0]..<(starts[$0] + Int(lengths[$0]))]) }
        return Vocabulary(words: words, counts: order.map { counts[$0] }, totalTokens: totalTokens)
    }
}

extension Vocabulary {
    /// Counts the words of a corpus file (plain text or zstd), one `</s>` per newline as fastText does.
    /// Throws on unreadable input, invalid UTF-8 (naming the byte offset) and corpora with no words.
    public static func count(
        path: String, minCount: Int64, maxSize: Int = 30_000_000,
        progress: ((_ bytes: Int64, _ tokens: Int64) -> Void)? = nil
    ) throws -> Vocabulary {
        var builder = VocabularyBuilder(maxSize: maxSize)
        let reader = try LineReader(path: path)
        var lines: Int64 = 0
        try reader.forEachLine { line, endsLine, offset in
            try forEachToken(in: line) { tok, at in
                if let bad = firstInvalidUTF8(tok) {
                    throw LexelError(file: path, offset: offset + Int64(at + bad),
                                     "invalid UTF-8 (byte 0x\(String(tok[bad], radix: 16))) in line \(lines + 1)")
                }
                builder.add(tok)
            }
            if endsLine {
                builder.add(endOfLineToken)
                lines += 1
                if lines & 0x3FFF == 0 { progress?(offset, builder.totalTokens) }
            }
        }
        let vocab = builder.build(minCount: minCount)
        if builder.totalTokens - lines == 0 {
            throw LexelError(file: path, "the corpus has no words (it is empty or only whitespace)")
        }
        if vocab.count == 0 || (vocab.count == 1 && vocab.endOfLineID >= 0) {
            throw LexelError(file: path, "no word occurs at least \(minCount) times (-minCount); lower -minCount or use a larger corpus")
        }
        return vocab
    }
}
