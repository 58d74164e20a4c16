#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore
import LexelText
import LexelKernels

/// Reads fastText supervised models (`.bin`, format versions 11 and 12: arguments, dictionary with its pruning
/// index, input and output matrices). Every count and size is checked against the file before it is used; errors
/// name the file and the byte offset.
public enum FastTextClassifierFile {
    public static let magic: Int32 = 793_712_314

    public static func read(path: String) throws -> Classifier {
        let f = try MappedFile(path: path)
        var r = f.reader()
        func bad(_ at: Int, _ why: String) -> LexelError { LexelError(file: path, offset: Int64(at), why) }
        guard try r.read(Int32.self, "magic") == magic else { throw bad(0, "not a fastText model (wrong magic number)") }
        let version = try r.read(Int32.self, "version")
        guard version == 11 || version == 12 else { throw bad(4, "unsupported fastText format version \(version)") }
        var args = try FastTextArgs.read(&r, path: path)
        guard args.model == .supervised else {
            throw bad(4, "a fastText word-vector model (\(args.model == .skipgram ? "skipgram" : "cbow")), not a classifier: "
                      + "use it with `lexel nn` or `lexel convert`")
        }
        if version == 11 { args.maxn = 0 }  // as fastText: old supervised models have no character n-grams
        let dictAt = r.offset
        let size = Int(try r.read(Int32.self, "dictionary size"))
        let nwords = Int(try r.read(Int32.self, "word count"))
        let nlabels = Int(try r.read(Int32.self, "label count"))
        let ntokens = try r.read(Int64.self, "token count")
        let pruneSize = try r.read(Int64.self, "pruning index size")
        guard size >= 0, nwords >= 0, nlabels >= 1, nwords + nlabels == size, size <= f.size / 10 else {
            throw bad(dictAt, "implausible dictionary: \(size) entries, \(nwords) words, \(nlabels) labels")
        }
        guard pruneSize >= -1, pruneSize <= Int64(f.size / 8) else { throw bad(dictAt + 20, "implausible pruning index size \(pruneSize)") }
        var entries: [[UInt8]] = [], counts: [Int64] = [], types: [SupervisedDictionary.EntryType] = []
        entries.reserveCapacity(size)
        for i in 0..<size {
            let start = r.offset
            guard let end = memchrOffset(f, from: start, byte: 0) else { throw bad(start, "dictionary entry \(i) has no terminating NUL") }
            let word = Array(UnsafeRawBufferPointer(start: f.base + start, count: end - start))
            r.offset = end + 1
            let countAt = r.offset
            let count = try r.read(Int64.self, "dictionary entry count")
            // counts build the hierarchical softmax tree: beyond 2^40 (or negative) they are not counts of a corpus,
            // and would break the tree's construction
            guard count >= 0, count <= 1 << 40 else { throw bad(countAt, "dictionary entry \(i): implausible count \(count)") }
            let typeAt = r.offset
            guard let type = SupervisedDictionary.EntryType(rawValue: try r.read(Int8.self, "dictionary entry type")) else {
                throw bad(typeAt, "dictionary entry \(i): unknown type")
            }
            guard (type == .word) == (i < nwords) else { throw bad(typeAt, "dictionary entry \(i): words must come before labels") }
            entries.append(word); counts.append(count); types.append(type)
        }
        var prune: [(bucket: Int32, row: Int32)]? = nil
        if pruneSize >= 0 {
            var p: [(bucket: Int32, row: Int32)] = []
            for _ in 0..<pruneSize {
                let k = try r.read(Int32.self, "pruning index key"), v = try r.read(Int32.self, "pruning index value")
                p.append((k, v))
            }
            prune = p
        }
        let dict = SupervisedDictionary(args: args, entries: entries, counts: counts, types: types, tokenCount: ntokens,
                                        pruneEntries: prune)
        let quantAt = r.offset
        let quantized = try r.read(UInt8.self, "quantised-input flag") != 0
        guard quantized || pruneSize < 0 else { throw bad(quantAt, "a pruned dictionary needs a quantised input matrix (as fastText says)") }
        let input: ClassifierRows = quantized
            ? .quantized(try QuantizedRows.read(&r, f, path: path, what: "input matrix", cols: Int(args.dim)))
            : .dense(try matrix(&r, f, path: path, what: "input matrix", cols: Int(args.dim), checkValues: false))
        guard input.rows >= nwords else { throw bad(quantAt + 1, "input matrix has \(input.rows) rows for \(nwords) words") }
        let qout = try r.read(UInt8.self, "quantised-output flag") != 0
        let output: ClassifierRows = quantized && qout
            ? .quantized(try QuantizedRows.read(&r, f, path: path, what: "output matrix", cols: Int(args.dim)))
            : .dense(try matrix(&r, f, path: path, what: "output matrix", cols: Int(args.dim)))
        // one row per label (hierarchical softmax uses the first nlabels - 1, one per inner node of its tree)
        guard output.rows == nlabels else { throw bad(r.offset, "output matrix has \(output.rows) rows, expected \(nlabels)") }
        guard r.offset == f.size else { throw bad(r.offset, "\(f.size - r.offset) unexpected bytes after the output matrix") }
        return try Classifier(dictionary: dict, input: input, output: output)
    }

    /// A dense float matrix: int64 rows, int64 cols, then the values (row-major), used in place in the mapping
    /// when 4-byte aligned there (a copy otherwise). With `checkValues`, non-finite values are errors; the input
    /// matrix is not scanned (that would read the whole file at every start, while a prediction touches only the
    /// rows its lines use): scores are kept finite where they are computed, and `quantize` checks every row.
    static func matrix(_ r: inout ByteReader, _ f: MappedFile, path: String, what: String, cols: Int,
                       checkValues: Bool = true) throws -> RowMatrix {
        let at = r.offset
        let m = try r.read(Int64.self, "matrix rows"), n = try r.read(Int64.self, "matrix columns")
        guard n == Int64(cols), m >= 0, m <= Int64(f.size - r.offset) / max(1, n * 4) else {
            throw LexelError(file: path, offset: Int64(at), "\(what): \(m) x \(n) does not fit the file (dim \(cols))")
        }
        let bytes = try r.bytes(Int(m) * Int(n) * 4, "matrix values")
        let count = Int(m) * cols
        let (base, owner): (UnsafePointer<Float>, AnyObject)
        if Int(bitPattern: bytes.baseAddress) % 4 == 0 {
            if checkValues { f.adviseSequential((bytes.baseAddress! - f.base)..<(bytes.baseAddress! - f.base + bytes.count)) }
            (base, owner) = (bytes.baseAddress!.assumingMemoryBound(to: Float.self), f)
        } else {
            let copy = Matrix(rows: max(1, Int(m)), cols: cols)
            if m > 0 { UnsafeMutableRawPointer(copy.pointer).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            (base, owner) = (UnsafePointer(copy.pointer), copy)
        }
        if checkValues, let bad = Kernels.firstNonFinite(base, count) {
            throw LexelError(file: path, offset: Int64(at + 16 + bad * 4), "\(what): row \(bad / cols) holds a non-finite value")
        }
        return RowMatrix(base: base, rows: Int(m), cols: cols, owner: owner)
    }

    /// The offset of the first `byte` at or after `from`, or nil.
    static func memchrOffset(_ f: MappedFile, from: Int, byte: UInt8) -> Int? {
        guard from < f.size, let p = memchr(f.base + from, Int32(byte), f.size - from) else { return nil }
        return UnsafeRawPointer(p) - f.base
    }
}
