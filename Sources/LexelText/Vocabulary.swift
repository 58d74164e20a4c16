#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An immutable vocabulary: words (UTF-8), their counts, ordered by count (most frequent first), with an
/// open-addressing hash index for lookup of raw token bytes. Safe to share between threads.
public final class Vocabulary: @unchecked Sendable {
    /// Number of words.
    public let count: Int
    /// Tokens in the corpus the vocabulary was counted on (every token, kept or not, and every `</s>`).
    public let totalTokens: Int64
    let arena: UnsafeMutablePointer<UInt8>
    let offsets: UnsafeMutablePointer<Int>  // count + 1
    public let counts: [Int64]
    let table: UnsafeMutablePointer<Int32>
    let mask: Int

    /// Builds a vocabulary from words in the order given (callers sort them) and their counts.
    public init(words: [[UInt8]], counts: [Int64], totalTokens: Int64) {
        precondition(words.count == counts.count)
        count = words.count
        self.totalTokens = totalTokens
        self.counts = counts
        let totalBytes = words.reduce(0) { $0 + $1.count }
        let arena = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, totalBytes))
        let offsets = UnsafeMutablePointer<Int>.allocate(capacity: words.count + 1)
        var o = 0
        for (i, w) in words.enumerated() {
            offsets[i] = o
            w.withUnsafeBufferPointer { if w.count > 0 { (arena + o).update(from: $0.baseAddress!, count: w.count) } }
            o += w.count
        }
        offsets[words.count] = o
        self.arena = arena
        self.offsets = offsets
        var size = 16
        while size < count * 2 { size <<= 1 }
        mask = size - 1
        table = .allocate(capacity: size)
        table.initialize(repeating: -1, count: size)
        for i in 0..<count {
            var slot = Int(fastTextHash(bytes(i))) & mask
            while table[slot] >= 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(i)
        }
    }

    deinit {
        arena.deallocate()
        offsets.deallocate()
        table.deallocate()
    }

    /// The UTF-8 bytes of word `i`.
    @inlinable public func bytes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: arenaStart + offsetsStart[i], count: offsetsStart[i + 1] - offsetsStart[i])
    }

    @usableFromInline var arenaStart: UnsafeMutablePointer<UInt8> { arena }
    @usableFromInline var offsetsStart: UnsafeMutablePointer<Int> { offsets }

    /// Word `i` as a String.
    public func word(_ i: Int) -> String { String(decoding: bytes(i), as: UTF8.self) }

    /// The id of a token, or -1 when it is not in the vocabulary.
    @inlinable public func id(of token: UnsafeBufferPointer<UInt8>) -> Int32 {
        id(of: token, hash: fastTextHash(token))
    }

    /// The id of a token whose `fastTextHash` is already known, or -1.
    @inlinable public func id(of token: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int32 {
        var slot = Int(hash) & maskValue
        while true {
            let w = tableStart[slot]
            if w < 0 { return -1 }
            let b = bytes(Int(w))
            if b.count == token.count && memcmp(b.baseAddress!, token.baseAddress!, b.count) == 0 { return w }
            slot = (slot + 1) & maskValue
        }
    }

    @usableFromInline var tableStart: UnsafeMutablePointer<Int32> { table }
    @usableFromInline var maskValue: Int { mask }

    /// The id of a word, or nil.
    public func id(of word: String) -> Int? {
        var w = word
        let r = w.withUTF8 { $0.count == 0 ? -1 : id(of: $0) }
        return r < 0 ? nil : Int(r)
    }

    /// All words, most frequent first.
    public var words: [String] { (0..<count).map(word) }

    /// The id of `</s>`, if present.
    public var endOfLineID: Int32 {
        let r = id(of: endOfLineToken)
        return r.map { Int32($0) } ?? -1
    }
}
