#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What BERT-uncased's normaliser and pre-tokeniser make of one character.
enum CharKind: UInt8 {
    /// Removed without a trace (control and format characters, NUL, U+FFFD, lone combining accents).
    case drop
    /// Whitespace: ends the current word.
    case space
    /// Punctuation and CJK ideographs: a word of its own.
    case isolated
    /// Part of a word, after accent stripping and lower-casing.
    case word
}

/// The per-character rules of bert-base-uncased's tokenizer (HF `BertNormalizer` with clean_text,
/// handle_chinese_chars and lowercase, whose accent stripping follows lowercase; then `BertPreTokenizer`):
///
/// 1. NUL, U+FFFD and characters of category Cc/Cf/Cs/Co/Cn other than tab, LF and CR are removed;
/// 2. whitespace (the Unicode White_Space property, tab, LF, CR) separates words;
/// 3. CJK ideographs become words of their own;
/// 4. every other character is decomposed (NFD), its nonspacing marks (Mn) dropped, and each remaining scalar
///    lower-cased (full, context-free mapping);
/// 5. ASCII punctuation and Unicode punctuation (P*) become words of their own.
///
/// The table covers the Basic Multilingual Plane (built once, about 0.1 s); other planes are computed per use.
struct BertCharTable: Sendable {
    /// For each BMP scalar: kind in the low 2 bits, offset of its UTF-8 output in `bytes` above them.
    private let entries: [UInt32]
    private let bytes: [UInt8]

    /// The one table of the process (built on first use, ~0.1 s; it depends on nothing but Unicode).
    static let shared = BertCharTable()

    init() {
        var entries = [UInt32](repeating: 0, count: 0x10000)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(200_000)
        for v in 0..<0x10000 {
            guard let s = Unicode.Scalar(UInt32(v)) else {  // surrogates: drop
                entries[v] = UInt32(bytes.count) << 2
                continue
            }
            let (kind, out) = BertCharTable.classify(s)
            entries[v] = UInt32(bytes.count) << 2 | UInt32(kind.rawValue)
            bytes += out
        }
        // the end of entry v's bytes is the start of entry v + 1's (or the end of `bytes`)
        self.entries = entries
        self.bytes = bytes
    }

    /// The kind of `s` and the UTF-8 bytes it contributes to a word (for `.word` and `.isolated`).
    @inline(__always)
    func lookup(_ s: Unicode.Scalar, _ body: (CharKind, ArraySlice<UInt8>) -> Void) {
        let v = Int(s.value)
        guard v < 0x10000 else {
            let (k, out) = BertCharTable.classify(s)
            body(k, out[...])
            return
        }
        let e = entries[v]
        let start = Int(e >> 2)
        var end = bytes.count
        if v + 1 < 0x10000 {
            end = Int(entries[v + 1] >> 2)
            if end < start { end = start }
        }
        body(CharKind(rawValue: UInt8(e & 3))!, bytes[start..<end])
    }

    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v) || (0x2B820...0x2CEAF).contains(v)
            || (0xF900...0xFAFF).contains(v) || (0x2F800...0x2FA1F).contains(v)
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    /// The rules above for one scalar.
    static func classify(_ s: Unicode.Scalar) -> (CharKind, [UInt8]) {
        let v = s.value
        if v == 0 || v == 0xFFFD { return (.drop, []) }
        if v == 9 || v == 10 || v == 13 { return (.space, []) }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned: return (.drop, [])
        default: break
        }
        if s.properties.isWhitespace { return (.space, []) }
        if isCJK(v) { return (.isolated, Array(String(s).utf8)) }
        var out: [Unicode.Scalar] = []
        let decomposed = v < 0x80 ? [s] : CanonicalDecomposition.of(s)
        for d in decomposed where d.properties.generalCategory != .nonspacingMark {
            out += d.properties.lowercaseMapping.unicodeScalars
        }
        if out.isEmpty { return (.drop, []) }
        let utf8 = Array(String(String.UnicodeScalarView(out)).utf8)
        return (out.count == 1 && isPunctuation(out[0]) ? .isolated : .word, utf8)
    }
}
