#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore
import LexelKernels


/// A fastText dictionary of words and labels, and fastText's way of turning a line into input rows: word ids (or
/// their character n-gram rows), hashed word n-grams (`h = h * 116049371 + hash`, 64-bit, over sign-extended
/// 32-bit word hashes) and the end-of-line token `</s>`; labels are the tokens with the label prefix, anywhere.
public struct SupervisedDictionary: Sendable {
    public enum EntryType: Int8, Sendable { case word = 0, label = 1 }

    public let args: FastTextArgs
    /// Entries: words first (ids 0..<wordCount), then labels.
    public let entries: [[UInt8]]
    public let counts: [Int64]
    public let types: [EntryType]
    public let wordCount: Int
    public let labelCount: Int
    public let tokenCount: Int64
    /// fastText's pruning index (bucket -> kept row), nil when the dictionary was never pruned (size -1).
    public let pruneIndex: [Int32: Int32]?
    /// The pruning index's pairs in file order (fastText writes its hash map's order), so that a model is written
    /// back byte for byte.
    public let pruneEntries: [(bucket: Int32, row: Int32)]
    /// Open-addressing table by fastText hash: per slot the entry's hash, id + 1 (0: empty), and where its bytes
    /// start and how many there are in `entryBytes` (the entries back to back), so that a probe compares bytes
    /// only when the hashes and lengths agree, and reads nothing but the slot and the bytes.
    struct Slot { var hash: UInt32, id: UInt32, start: UInt32, count: UInt32 }
    let slots: [Slot]
    let slotMask: Int
    let entryBytes: [UInt8]
    /// Each word's input rows when the model has character n-grams: the word, then its n-gram rows.
    let subwordStarts: [Int32]
    let subwordRows: [Int32]

    public static let endOfSentence = Array("</s>".utf8)
    static let endOfSentenceHash = endOfSentence.withUnsafeBufferPointer { fastTextHash($0) }
    /// The label prefix's bytes.
    let labelPrefix: [UInt8]

    public init(args: FastTextArgs, entries: [[UInt8]], counts: [Int64], types: [EntryType], tokenCount: Int64,
                pruneEntries: [(bucket: Int32, row: Int32)]?) {
        (self.args, self.entries, self.counts, self.types, self.tokenCount) = (args, entries, counts, types, tokenCount)
        let pruneIndex = pruneEntries.map { Dictionary($0.map { ($0.bucket, $0.row) }, uniquingKeysWith: { $1 }) }
        self.pruneIndex = pruneIndex
        self.pruneEntries = pruneEntries ?? []
        labelPrefix = Array(args.label.utf8)
        wordCount = types.prefix { $0 == .word }.count
        labelCount = entries.count - wordCount
        var size = 16
        while size < 2 * entries.count { size <<= 1 }
        var slots = [Slot](repeating: Slot(hash: 0, id: 0, start: 0, count: 0), count: size)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entries.reduce(0) { $0 + $1.count })
        for (i, e) in entries.enumerated() {
            let h = e.withUnsafeBufferPointer { fastTextHash($0) }
            var at = Int(h) & (size - 1)
            var duplicate = false
            while slots[at].id != 0 {
                if slots[at].hash == h, entries[Int(slots[at].id) - 1] == e { duplicate = true; break }
                at = (at + 1) & (size - 1)
            }
            if !duplicate {
                slots[at] = Slot(hash: h, id: UInt32(i + 1), start: UInt32(bytes.count), count: UInt32(e.count))
                bytes += e
            }
        }
        (self.slots, slotMask, entryBytes) = (slots, size - 1, bytes)
        var starts: [Int32] = [0], rows: [Int32] = []
        let wordCount = self.wordCount
        if args.maxn > 0 {
            for w in 0..<wordCount {
                rows.append(Int32(w))
                if entries[w] != SupervisedDictionary.endOfSentence {
                    entries[w].withUnsafeBufferPointer { b in
                        SupervisedDictionary.subwords(b, args: args, pruneIndex: pruneIndex, wordCount: wordCount) { rows.append($0) }
                    }
                }
                starts.append(Int32(rows.count))
            }
        }
        (subwordStarts, subwordRows) = (starts, rows)
    }

    /// The label names, in label order.
    public var labels: [String] { entries[wordCount...].map { String(decoding: $0, as: UTF8.self) } }

    /// The id of an entry, or nil.
    public func id(of token: [UInt8]) -> Int32? {
        token.withUnsafeBufferPointer { t in
            let id = find(t, hash: fastTextHash(t))
            return id >= 0 ? id : nil
        }
    }

    /// The id of the entry with these bytes (whose fastText hash is `hash`), or -1.
    @inline(__always)
    func find(_ t: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int32 {
        var at = Int(hash) & slotMask
        return entryBytes.withUnsafeBufferPointer { bytes in
            slots.withUnsafeBufferPointer { slots in
                while true {
                    let slot = slots[at]
                    if slot.id == 0 { return -1 }
                    if slot.hash == hash && Int(slot.count) == t.count
                        && SupervisedDictionary.equal(bytes.baseAddress! + Int(slot.start), t.baseAddress, t.count) {
                        return Int32(slot.id) - 1
                    }
                    at = (at + 1) & slotMask
                }
            }
        }
    }

    /// Starts loading what looking up a token of hash `hash` reads: its slot, and, when the slot (loaded a few
    /// tokens earlier) holds that hash, the entry's bytes.
    @inline(__always)
    func prefetchEntry(hash: UInt32, slots: UnsafePointer<Slot>, bytes: UnsafePointer<UInt8>) {
        let slot = slots[Int(hash) & slotMask]
        if slot.hash == hash && slot.id != 0 { Kernels.prefetchRead(bytes + Int(slot.start)) }
    }

    /// Whether `n` bytes at `a` and `b` are equal (inline for short words, memcmp for long ones).
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>?, _ n: Int) -> Bool {
        guard n > 0, let b else { return true }
        if n > 32 { return memcmp(a, b, n) == 0 }
        var i = 0
        while i + 8 <= n {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) { return false }
            i += 8
        }
        while i < n { if a[i] != b[i] { return false }; i += 1 }
        return true
    }

    /// fastText's `pushHash`: the input row of bucket `id` (after the words), or nothing when pruned away.
    @inline(__always)
    static func push(_ id: Int32, pruneIndex: [Int32: Int32]?, wordCount: Int, _ body: (Int32) -> Void) {
        guard id >= 0 else { return }
        if let pruneIndex {
            guard let kept = pruneIndex[id] else { return }
            body(Int32(wordCount) + kept)
        } else {
            body(Int32(wordCount) + id)
        }
    }

    /// The character n-gram rows of `word` (bracketed with `<` and `>`), in fastText's order.
    static func subwords(_ word: UnsafeBufferPointer<UInt8>, args: FastTextArgs, pruneIndex: [Int32: Int32]?, wordCount: Int,
                         _ body: (Int32) -> Void) {
        guard args.bucket > 0 else { return }
        forEachSubwordHash(of: word, minn: Int(args.minn), maxn: Int(args.maxn)) { h in
            push(Int32(bitPattern: h % UInt32(args.bucket)), pruneIndex: pruneIndex, wordCount: wordCount, body)
        }
    }

    /// The input rows and label indices of one line (without its newline), as fastText's `getLine` reads it from a
    /// file or from Python's `predict`, which both end the line with `</s>`.
    public func line(_ text: UnsafeBufferPointer<UInt8>, features: inout [Int32], labels: inout [Int32]) {
        var hashes: [Int32] = []
        line(text, features: &features, labels: &labels, hashes: &hashes)
    }

    /// `line(_:features:labels:)` with a caller's buffer for the word hashes (no allocation per line). Returns the
    /// number of tokens read, `</s>` included (what fastText counts for its learning-rate schedule).
    @discardableResult
    public func line(_ text: UnsafeBufferPointer<UInt8>, features: inout [Int32], labels: inout [Int32],
                     hashes: inout [Int32]) -> Int {
        features.removeAll(keepingCapacity: true)
        labels.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        let prefix = labelPrefix
        func token(_ t: UnsafeBufferPointer<UInt8>, hash h: UInt32) {
            let wid = find(t, hash: h)
            let isLabel = wid >= 0 ? types[Int(wid)] == .label : t.starts(with: prefix)
            if !isLabel {
                if wid < 0 {
                    if !t.elementsEqual(SupervisedDictionary.endOfSentence) && args.maxn > 0 {
                        SupervisedDictionary.subwords(t, args: args, pruneIndex: pruneIndex, wordCount: wordCount) { features.append($0) }
                    }
                } else if args.maxn <= 0 {
                    features.append(wid)
                } else {
                    features.append(contentsOf: subwordRows[Int(subwordStarts[Int(wid)])..<Int(subwordStarts[Int(wid) + 1])])
                }
                hashes.append(Int32(bitPattern: h))
            } else if wid >= 0 {
                labels.append(wid - Int32(wordCount))
            }
        }
        var tokens = 1
        // a token's table slot is drawn at random from a large table: hash a few tokens ahead and start loading
        // their slots, so that the lookups' cache misses overlap (memory-level parallelism)
        let ahead = 8
        withUnsafeTemporaryAllocation(of: (start: Int, count: Int, hash: UInt32).self, capacity: ahead) { ring in
            var head = 0, queued = 0
            func pop() {
                let q = ring[head]
                token(UnsafeBufferPointer(rebasing: text[q.start..<(q.start + q.count)]), hash: q.hash)
                queued -= 1
                head = (head + 1) % ahead
            }
            slots.withUnsafeBufferPointer { table in
                entryBytes.withUnsafeBufferPointer { bytes in
                    forEachToken(in: text) { t, offset in
                        if queued == ahead { pop() }
                        // second stage, half way: the slot has arrived; start loading the entry's bytes
                        if queued >= ahead / 2 {
                            prefetchEntry(hash: ring[(head + queued - ahead / 2) % ahead].hash, slots: table.baseAddress!, bytes: bytes.baseAddress!)
                        }
                        let h = fastTextHash(t)
                        Kernels.prefetchRead(table.baseAddress! + (Int(h) & slotMask))
                        ring[(head + queued) % ahead] = (offset, t.count, h)
                        queued += 1
                        tokens += 1
                    }
                }
            }
            while queued > 0 { pop() }
        }
        SupervisedDictionary.endOfSentence.withUnsafeBufferPointer { token($0, hash: SupervisedDictionary.endOfSentenceHash) }
        // word n-grams
        let n = Int(args.wordNgrams)
        guard n > 1, args.bucket > 0 else { return tokens }
        let bucket = UInt64(args.bucket)
        for i in 0..<hashes.count {
            var h = UInt64(bitPattern: Int64(hashes[i]))
            var j = i + 1
            while j < hashes.count && j < i + n {
                h = h &* 116_049_371 &+ UInt64(bitPattern: Int64(hashes[j]))
                SupervisedDictionary.push(Int32(truncatingIfNeeded: h % bucket), pruneIndex: pruneIndex, wordCount: wordCount) {
                    features.append($0)
                }
                j += 1
            }
        }
        return tokens
    }
}
