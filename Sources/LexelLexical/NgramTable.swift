#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import LexelKernels
import LexelCore
import LexelIO
import LexelText

/// Which inverse document frequency a vocabulary built from an n-gram table uses.
public enum IDFKind: String, Sendable, CaseIterable {
    /// Luxical's: `ln(total) - ln(count)` from collection counts (`NgramVocabulary.collectionIDF`).
    case collection
    /// Smoothed document IDF from document frequencies (`NgramVocabulary.documentIDF`).
    case document
}

/// The most frequent token n-grams of a corpus, as `lexel ngrams` writes them: the feature vocabulary of the
/// lexical embedder. The file is UTF-8 text, one header line then one line per n-gram, largest count first:
///
///     # lexel-ngrams v1 minn=1 maxn=5 documents=183000 total=61234567 tokenizer=bert-base-uncased
///     a1b2c3d4e5f60718<TAB>1234567<TAB>98765<TAB>of the
///
/// Columns: the n-gram's 64-bit hash (`Ngrams.hash`, 16 lower-case hex digits), its count, its document
/// frequency, and its tokens joined by spaces (WordPiece continuations keep their `##`; for reading only).
/// `total` is the number of n-gram occurrences seen (all of them, not only the listed ones). Counts from
/// `lexel ngrams` are Space-Saving estimates: see `SpaceSaving` for their bounds.
public struct NgramTable: Sendable, Equatable {
    public var minN: Int
    public var maxN: Int
    /// Documents counted.
    public var documents: Int64
    /// N-gram occurrences counted in all documents.
    public var total: Int64
    /// The name of the tokenizer whose ids were hashed.
    public var tokenizer: String
    public var hashes: [UInt64]
    public var counts: [Int64]
    public var documentFrequencies: [Int64]
    /// Each n-gram's tokens joined by spaces.
    public var texts: [String]

    public init(minN: Int, maxN: Int, documents: Int64, total: Int64, tokenizer: String = "bert-base-uncased",
                hashes: [UInt64] = [], counts: [Int64] = [], documentFrequencies: [Int64] = [], texts: [String] = []) {
        (self.minN, self.maxN, self.documents, self.total, self.tokenizer) = (minN, maxN, documents, total, tokenizer)
        (self.hashes, self.counts, self.documentFrequencies, self.texts) = (hashes, counts, documentFrequencies, texts)
    }

    /// Number of n-grams listed.
    public var count: Int { hashes.count }

    static let magic = "# lexel-ngrams v1"

    /// Writes the table to `path` atomically (nothing replaces an existing file unless all of it was written).
    public func write(path: String) throws {
        guard hashes.count == counts.count, hashes.count == documentFrequencies.count, hashes.count == texts.count else {
            throw LexelError(file: path, "n-gram table columns differ in length")
        }
        let w = try AtomicFileWriter(path: path)
        try w.write("\(NgramTable.magic) minn=\(minN) maxn=\(maxN) documents=\(documents) total=\(total) tokenizer=\(tokenizer)\n")
        var line: [UInt8] = []
        line.reserveCapacity(256)
        for i in 0..<hashes.count {
            line.removeAll(keepingCapacity: true)
            let h = hashes[i]
            for k in stride(from: 60, through: 0, by: -4) {
                let d = UInt8((h >> UInt64(k)) & 0xF)
                line.append(d < 10 ? 0x30 + d : 0x57 + d)
            }
            line.append(0x09)
            line.append(contentsOf: "\(counts[i])\t\(documentFrequencies[i])\t".utf8)
            line.append(contentsOf: texts[i].utf8.map { $0 == 0x0A || $0 == 0x09 ? 0x20 : $0 })
            line.append(0x0A)
            try line.withUnsafeBytes { try w.write($0) }
        }
        try w.commit()
    }

    /// Reads a table written by `write` (plain or zstd-compressed). Errors name the line and byte offset. A
    /// table must list at least one n-gram, and its last line must end with a newline (as `write` ends every
    /// line): a file cut in the middle of a line is reported as truncated rather than read short.
    public static func read(path: String) throws -> NgramTable {
        var table: NgramTable?
        var lineNumber = 0
        var seen = Set<UInt64>()
        var countSum: Int64 = 0
        try LineReader(path: path).forEachLine { line, endsLine, offset in
            lineNumber += 1
            func fail(_ at: Int, _ message: String) -> LexelError {
                LexelError(file: path, offset: offset + Int64(at), "line \(lineNumber): \(message)")
            }
            if line.isEmpty || (line.count == 1 && line[0] == 0x0D) { return }  // blank lines are ignored
            guard endsLine else {
                throw fail(line.count, "the file ends in the middle of this line (truncated: every line of a table ends with a newline)")
            }
            guard var t = table else {
                table = try header(line, fail)
                return
            }
            table = nil  // keep `t` uniquely referenced while appending
            defer { table = t }
            if let bad = firstInvalidUTF8(line) { throw fail(bad, "invalid UTF-8") }
            let fields = String(decoding: line, as: UTF8.self).split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4 else {
                throw fail(0, "expected 4 tab-separated columns (hash, count, df, tokens), found \(fields.count)")
            }
            guard fields[0].utf8.count == 16, let h = UInt64(fields[0], radix: 16) else {
                throw fail(0, "the hash must be 16 hex digits (got '\(printable(fields[0].prefix(40)))')")
            }
            let countAt = fields[0].utf8.count + 1
            guard let c = Int64(fields[1]), c >= 0 else { throw fail(countAt, "count must be a non-negative integer (got '\(printable(fields[1].prefix(40)))')") }
            guard let df = Int64(fields[2]), df >= 0 else {
                throw fail(countAt + fields[1].utf8.count + 1, "document frequency must be a non-negative integer (got '\(printable(fields[2].prefix(40)))')")
            }
            guard seen.insert(h).inserted else { throw fail(0, "hash \(fields[0]) appears twice") }
            let (sum, overflow) = countSum.addingReportingOverflow(c)
            guard !overflow else { throw fail(countAt, "the counts so far add up to more than 2^63 - 1: corrupt") }
            countSum = sum
            t.hashes.append(h)
            t.counts.append(c)
            t.documentFrequencies.append(df)
            t.texts.append(fields[3].hasSuffix("\r") ? String(fields[3].dropLast()) : String(fields[3]))
        }
        guard let table else { throw LexelError(file: path, "empty file: expected a '\(magic) ...' header") }
        guard table.count > 0 else { throw LexelError(file: path, "the table lists no n-grams (only its header)") }
        return table
    }

    /// `text` with control characters shown as `\u{..}`, for quoting file contents in an error message.
    static func printable(_ text: Substring) -> String {
        String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined())
    }

    static func header(_ line: UnsafeBufferPointer<UInt8>, _ fail: (Int, String) -> LexelError) throws -> NgramTable {
        let s = String(decoding: line, as: UTF8.self)
        guard s.hasPrefix(magic + " ") || s == magic else {
            throw fail(0, "not an n-gram table: the first line must start with '\(magic)' (got '\(printable(s.prefix(60)))')")
        }
        var values: [String: String] = [:]
        for part in s.dropFirst(magic.count).split(separator: " ") {
            guard let eq = part.firstIndex(of: "=") else { throw fail(0, "header field '\(part)' is not key=value") }
            values[String(part[..<eq])] = String(part[part.index(after: eq)...])
        }
        func int(_ key: String) throws -> Int64 {
            guard let v = values[key] else { throw fail(0, "the header has no \(key)=") }
            guard let n = Int64(v), n >= 0 else { throw fail(0, "header \(key)=\(v) is not a non-negative integer") }
            return n
        }
        let minN = Int(try int("minn")), maxN = Int(try int("maxn"))
        guard minN >= 1, maxN >= minN, maxN <= 16 else { throw fail(0, "header n-gram range minn=\(minN) maxn=\(maxN) is invalid") }
        return NgramTable(minN: minN, maxN: maxN, documents: try int("documents"), total: try int("total"),
                          tokenizer: values["tokenizer"] ?? "bert-base-uncased")
    }

    /// The n-grams as the feature vocabulary of the lexical embedder, in table order, weighted by `idf`.
    public func vocabulary(idf: IDFKind) throws -> NgramVocabulary {
        let weights: [Float]
        switch idf {
        case .collection:
            let (sum, overflow) = counts.reduce((Int64(0), false)) { a, c in
                let (s, o) = a.0.addingReportingOverflow(c)
                return (s, a.1 || o || c < 0)
            }
            guard !overflow, sum > 0 else {
                throw LexelError("n-gram table: the counts \(overflow ? "are negative or add up to more than 2^63 - 1" : "are all 0"): "
                                 + "collection IDF (ln(total) - ln(count)) is undefined; use document IDF")
            }
            weights = NgramVocabulary.collectionIDF(counts: counts)
        case .document: weights = NgramVocabulary.documentIDF(documentFrequencies: documentFrequencies, documents: documents)
        }
        return try NgramVocabulary(hashes: hashes, idf: weights, minN: minN, maxN: maxN)
    }
}
