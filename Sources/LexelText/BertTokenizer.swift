import LexelCore

/// BERT-uncased WordPiece tokenisation, as HF `tokenizers` does it for bert-base-uncased (lower-casing, accent
/// stripping, punctuation and CJK splitting, `##` continuations, words over 100 characters become `[UNK]`), in
/// one pass over the UTF-8 bytes with an ASCII fast path. Thread-safe: share one instance.
public final class BertTokenizer: Sendable {
    /// Token strings by id.
    public let vocabulary: [String]
    public let unknownID: Int32
    public let clsID: Int32?
    public let sepID: Int32?
    public let maxCharsPerWord: Int
    let pieces: WordPieceTable
    let table: BertCharTable
    /// ASCII bytes: kind in the high bits, lower-cased byte in the low 8.
    let ascii: [UInt16]
    /// Special tokens matched verbatim in the raw text before normalisation, as HF's added tokens are:
    /// `[PAD]`, `[UNK]`, `[CLS]`, `[SEP]`, `[MASK]` when the vocabulary has them.
    let specials: [([UInt8], Int32)]

    /// The most tokens a vocabulary may have (among the largest WordPiece vocabularies, LaBSE's has 501,153).
    /// Readers of model files check it before building a vocabulary from a few compressed bytes.
    public static let maxVocabularySize = 1 << 20
    /// The most bytes a vocabulary's tokens may have in all, counting one separator (a `vocab.txt` newline) each.
    public static let maxVocabularyBytes = WordPieceTable.maxPoolBytes - 1

    /// A tokenizer over `vocabulary` (line `i` of a `vocab.txt` is id `i`).
    public init(vocabulary: [String], unknownToken: String = "[UNK]", maxCharsPerWord: Int = 100) throws {
        // All three come from model files: bounded here, so that `encode` (a word buffer of 4 x maxCharsPerWord
        // bytes) and `WordPieceTable` (token bytes addressed with 23 bits) never trap on them.
        guard (0...(1 << 16)).contains(maxCharsPerWord) else {
            throw LexelError("WordPiece maximum characters per word \(maxCharsPerWord) is outside 0...65536")
        }
        guard vocabulary.count <= BertTokenizer.maxVocabularySize else {
            throw LexelError("WordPiece vocabulary too large: \(vocabulary.count) tokens (at most \(BertTokenizer.maxVocabularySize))")
        }
        let tokenBytes = vocabulary.reduce(0) { $0 + $1.utf8.count + 1 }
        guard tokenBytes <= BertTokenizer.maxVocabularyBytes else {
            throw LexelError("WordPiece vocabulary too large: \(vocabulary.count) tokens of \(tokenBytes) bytes in all "
                             + "(with one separator each; at most \(BertTokenizer.maxVocabularyBytes))")
        }
        guard let unk = vocabulary.firstIndex(of: unknownToken) else {
            throw LexelError("WordPiece vocabulary has no unknown token \(unknownToken)")
        }
        self.vocabulary = vocabulary
        unknownID = Int32(unk)
        clsID = vocabulary.firstIndex(of: "[CLS]").map(Int32.init)
        sepID = vocabulary.firstIndex(of: "[SEP]").map(Int32.init)
        self.maxCharsPerWord = maxCharsPerWord
        specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { t in
            vocabulary.firstIndex(of: t).map { (Array(t.utf8), Int32($0)) }
        }
        pieces = WordPieceTable(tokens: vocabulary)
        let table = BertCharTable.shared
        self.table = table
        ascii = (0..<128).map { b in
            var entry: UInt16 = 0
            table.lookup(Unicode.Scalar(UInt8(b))) { kind, out in
                entry = UInt16(kind.rawValue) << 8 | UInt16(out.first ?? 0)
            }
            return entry
        }
    }

    /// Reads a `vocab.txt` (one token per line).
    public convenience init(vocabFile path: String) throws {
        let bytes = try readWholeFile(path, limit: 64 << 20)
        if let bad = bytes.withUnsafeBufferPointer({ firstInvalidUTF8($0) }) {
            throw LexelError(file: path, "cannot read the WordPiece vocabulary: invalid UTF-8 at byte offset \(bad) (a vocab.txt is "
                             + "UTF-8 text, one token per line)")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var tokens = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
        if tokens.last == "" { tokens.removeLast() }
        guard !tokens.isEmpty else { throw LexelError(file: path, "empty WordPiece vocabulary") }
        try self.init(vocabulary: tokens)
    }

    /// Token ids of `text`, without `[CLS]`/`[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        var out: [Int32] = []
        var t = text
        t.withUTF8 { encode(utf8: $0, into: &out) }
        return out
    }

    /// Token strings of `text` (for inspection).
    public func tokens(_ text: String) -> [String] { encode(text).map { vocabulary[Int($0)] } }

    /// Appends the token ids of valid UTF-8 `text` to `out`, reusing its storage.
    public func encode(utf8 text: UnsafeBufferPointer<UInt8>, into out: inout [Int32]) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: pieces.scratchCount) { prefixHashes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 4 * maxCharsPerWord + 64) { word in
                var len = 0, chars = 0, overflow = false
                func flush(_ out: inout [Int32]) {
                    if len > 0 || overflow {
                        if overflow {
                            out.append(unknownID)
                        } else {
                            pieces.encode(UnsafeBufferPointer(rebasing: word[0..<len]), chars: chars, maxChars: maxCharsPerWord,
                                          unknown: unknownID, prefixHashes: prefixHashes.baseAddress!, into: &out)
                        }
                    }
                    len = 0
                    chars = 0
                    overflow = false
                }
                @inline(__always) func append(_ bytes: ArraySlice<UInt8>) {
                    for b in bytes {
                        if b & 0xC0 != 0x80 { chars += 1 }
                        if len < word.count { word[len] = b; len += 1 } else { overflow = true }
                    }
                    if chars > maxCharsPerWord { overflow = true }
                }
                var i = 0
                let n = text.count
                while i < n {
                    let b = text[i]
                    if b == 0x5B, let (bytes, id) = specials.first(where: { sp in
                        i + sp.0.count <= n && sp.0.indices.allSatisfy { text[i + $0] == sp.0[$0] }
                    }) {
                        flush(&out)
                        out.append(id)
                        i += bytes.count
                        continue
                    }
                    if b < 0x80 {
                        let e = ascii[Int(b)]
                        switch UInt8(e >> 8) {
                        case CharKind.word.rawValue:
                            if len < word.count { word[len] = UInt8(e & 0xFF); len += 1 } else { overflow = true }
                            chars += 1
                            if chars > maxCharsPerWord { overflow = true }
                        case CharKind.space.rawValue:
                            flush(&out)
                        case CharKind.isolated.rawValue:
                            flush(&out)
                            append([UInt8(e & 0xFF)])
                            flush(&out)
                        default:
                            break
                        }
                        i += 1
                        continue
                    }
                    // a multi-byte scalar (the input is valid UTF-8)
                    let count = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                    var v = UInt32(b) & (count == 2 ? 0x1F : count == 3 ? 0x0F : 0x07)
                    for k in 1..<count where i + k < n { v = v << 6 | UInt32(text[i + k] & 0x3F) }
                    i += count
                    guard let s = Unicode.Scalar(v) else { continue }
                    table.lookup(s) { kind, bytes in
                        switch kind {
                        case .word: append(bytes)
                        case .space: flush(&out)
                        case .isolated:
                            flush(&out)
                            append(bytes)
                            flush(&out)
                        case .drop: break
                        }
                    }
                }
                flush(&out)
            }
        }
    }
}
