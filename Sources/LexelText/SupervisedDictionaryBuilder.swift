import LexelCore
import LexelIO

extension SupervisedDictionary {
    /// Counts the words and labels of a training file as fastText does (whitespace tokens, `</s>` for every
    /// newline, tokens with the label prefix are labels wherever they stand), keeps words seen at least
    /// `minCount` times and labels seen at least `minCountLabel` times, and orders words then labels by count,
    /// most frequent first (ties: in order of first appearance, so that the result does not depend on a sort's
    /// whims). `tokensRead` reports progress.
    public static func count(path: String, args: FastTextArgs, minCountLabel: Int64,
                             tokensRead: (Int64) -> Void = { _ in }) throws -> SupervisedDictionary {
        var counter = TokenCounter()
        var total: Int64 = 0
        func add(_ t: UnsafeBufferPointer<UInt8>) {
            counter.add(t)
            total += 1
            if total & 0xF_FFFF == 0 { tokensRead(total) }
        }
        let eos = SupervisedDictionary.endOfSentence
        try LineReader(path: path).forEachLine { line, endsLine, offset in
            if let bad = firstInvalidUTF8Fast(line) {
                throw LexelError(file: path, offset: offset + Int64(bad), "invalid UTF-8")
            }
            forEachToken(in: line) { t, _ in add(t) }
            if endsLine { eos.withUnsafeBufferPointer { add($0) } }
        }
        let prefix = Array(args.label.utf8)
        let words = (0..<counter.count).map { counter.token($0) }, counts = counter.counts
        let isLabel = words.map { $0.starts(with: prefix) }
        let keptWords = words.indices.filter { !isLabel[$0] && counts[$0] >= Int64(args.minCount) }
            .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        let keptLabels = words.indices.filter { isLabel[$0] && counts[$0] >= minCountLabel }
            .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        guard !keptLabels.isEmpty else {
            throw LexelError(file: path, total == 0 ? "empty: no words and no labels"
                             : "no labels (tokens starting with \(quoted(args.label))) seen at least \(minCountLabel) times")
        }
        let order = keptWords + keptLabels
        return SupervisedDictionary(args: args, entries: order.map { words[$0] }, counts: order.map { counts[$0] },
                                    types: keptWords.map { _ in .word } + keptLabels.map { _ in .label }, tokenCount: total,
                                    pruneEntries: nil)
    }
}

extension SupervisedDictionary {
    /// fastText's `Dictionary::prune`: keeps the words among `rows` (input rows: word ids below `wordCount`, hash
    /// buckets above) and every label; the kept buckets get rows after the words in the order given, recorded in
    /// the pruning index. Returns the dictionary and the old input row of each new row (words in id order, then
    /// the kept buckets). A dictionary pruned already cannot be pruned again (its buckets are rows, not hashes).
    public func pruned(keeping rows: [Int]) throws -> (dictionary: SupervisedDictionary, rows: [Int]) {
        guard pruneIndex == nil else { throw LexelError("the model is pruned already (its dictionary has a pruning index)") }
        let words = rows.filter { $0 < wordCount }.sorted(), buckets = rows.filter { $0 >= wordCount }
        let keep = words + Array(wordCount..<entries.count)
        let prune = buckets.enumerated().map { (bucket: Int32($0.element - wordCount), row: Int32($0.offset)) }
        let d = SupervisedDictionary(args: args, entries: keep.map { entries[$0] }, counts: keep.map { counts[$0] },
                                     types: keep.map { types[$0] }, tokenCount: tokenCount, pruneEntries: prune)
        return (d, words + buckets)
    }
}
