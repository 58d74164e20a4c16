/// The found key (`NgramSlot.key`, as `NgramSlots.lookup` writes it) of every single-token n-gram
/// with a token id below `count`, in an array indexed by the id: a document's unigrams are then read from a table
/// of a few hundred kB (30,522 x 8 bytes for BERT's vocabulary) instead of being hashed (with `maxN - 1` padding
/// steps each) and probed for in the n-gram table, which for Luxical's 2M features is 64 MB. The keys are the very
/// ones the hash lookup finds, so the features, and the embeddings, are bit-identical.
final class UnigramKeys: @unchecked Sendable {
    /// Marks an id whose unigram is not a feature (no feature index is `UInt32.max`).
    static let absent = UInt64.max
    let keys: UnsafeMutablePointer<UInt64>
    let count: Int

    /// Keys for token ids `0..<count`, found in `table` by the ids' unigram hashes (`Ngrams.hash([id], maxN:)`).
    init(count: Int, maxN: Int, table: NgramSlots) {
        self.count = count
        keys = .allocate(capacity: max(count, 1))
        for id in 0..<count {
            let p = table.find(Ngrams.hash(CollectionOfOne(UInt32(id)), maxN: maxN))
            keys[id] = p?.pointee.key ?? UnigramKeys.absent
        }
    }

    deinit { keys.deallocate() }
}

extension NgramVocabulary {
    /// The same vocabulary reading the unigrams of token ids below `tokens` (a tokenizer's vocabulary size, at
    /// most `BertTokenizer.maxVocabularySize`) from a direct table (`UnigramKeys`): same features, fewer hashes and
    /// probes. Vocabularies whose n-grams start at two tokens or more, or that have the table already (a model
    /// made from another model's vocabulary), are returned as they are.
    public func withDirectUnigrams(tokens: Int) -> NgramVocabulary {
        guard minN == 1, tokens > 0, tokens <= 1 << 20, unigrams?.count != tokens else { return self }  // built once
        var v = self
        v.unigrams = UnigramKeys(count: tokens, maxN: maxN, table: table)
        return v
    }

    /// Like `Ngrams.hashes(of:minN:maxN:starts:into:)` for `minN == 1`, but each unigram whose id is in
    /// `unigrams` goes straight to `found` as its key (or nowhere, when it is not a feature) instead of to
    /// `hashes`; the longer n-grams are hashed by `Ngrams.hashes` itself. Returns (hashes written, keys written).
    @inline(__always)
    static func hashesAndDirectKeys(of tokens: UnsafeBufferPointer<UInt32>, maxN: Int, starts: Range<Int>,
                                    unigrams u: UnigramKeys, hashes: UnsafeMutablePointer<UInt64>,
                                    found: UnsafeMutablePointer<UInt64>) -> (Int, Int) {
        var w = 0, k = 0
        for i in starts {
            let t = tokens[i]
            if Int(t) < u.count {
                let key = u.keys[Int(t)]
                if key != UnigramKeys.absent { found[k] = key; k += 1 }
            } else {
                hashes[w] = Ngrams.hash(CollectionOfOne(t), maxN: maxN)
                w += 1
            }
        }
        if maxN >= 2 { w += Ngrams.hashes(of: tokens, minN: 2, maxN: maxN, starts: starts, into: hashes + w) }
        return (w, k)
    }
}
