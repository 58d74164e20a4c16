import LexelCore

/// Which architecture to train.
public enum ModelKind: String, Sendable, CaseIterable {
    case skipgram, cbow
}

/// Which output layer / loss.
public enum LossKind: String, Sendable, CaseIterable {
    /// Negative sampling (binary logistic loss on the true context word and `neg` sampled words).
    case ns
    /// Hierarchical softmax over a Huffman tree of the vocabulary.
    case hs
}

/// How n-gram rows start.
public enum NgramInit: String, Sendable, CaseIterable {
    /// Uniform in [-1/dim, 1/dim], like word rows (fastText's intent).
    case uniform
    /// Zero: a word's vector starts as its own row divided by its row count.
    case zero
}

/// Everything that defines a training run. Defaults are fastText's where the two overlap.
public struct TrainingArguments: Sendable, Equatable {
    public var model: ModelKind = .skipgram
    public var loss: LossKind = .ns
    public var dim = 100
    public var ws = 5
    public var epoch = 5
    public var minCount = 5
    public var neg = 5
    /// Character n-gram lengths (fastText subwords). `maxn == 0` turns subwords off.
    public var minn = 3
    public var maxn = 6
    /// Hash buckets for character n-grams.
    public var bucket = 2_000_000
    public var thread = 12
    public var lr = 0.05
    /// Subsampling threshold (0 = off).
    public var t = 1e-4
    public var subsampling: Subsampler.Formula = .fastText
    /// Exponent of the unigram distribution that negatives are drawn from: 0.5 as fastText (the default, measured
    /// better on WordSim353 here, see Benchmarks/README.md), 0.75 as word2vec and gensim.
    public var negPower = 0.5
    /// Initial value of n-gram rows.
    public var ngramInit: NgramInit = .uniform
    /// Distinct words counted before rare ones are pruned (fastText prunes at 0.75 x 30M).
    public var maxVocab = 30_000_000
    public var seed: UInt64 = 1
    /// 0 silent, 1 summary, 2 progress line.
    public var verbose = 2

    public init() {}

    /// Rejects values that cannot train, with a message naming the flag.
    public func validate() throws {
        func bad(_ flag: String, _ why: String) -> LexelError { LexelError("-\(flag): \(why)") }
        guard (1...100_000).contains(dim) else { throw bad("dim", "must be between 1 and 100000 (got \(dim))") }
        guard (1...1000).contains(ws) else { throw bad("ws", "must be between 1 and 1000 (got \(ws))") }
        guard (1...100_000).contains(epoch) else { throw bad("epoch", "must be between 1 and 100000 (got \(epoch))") }
        guard minCount >= 1 else { throw bad("minCount", "must be at least 1 (got \(minCount))") }
        if loss == .ns { guard (1...1000).contains(neg) else { throw bad("neg", "must be between 1 and 1000 (got \(neg))") } }
        guard (1...1024).contains(thread) else { throw bad("thread", "must be between 1 and 1024 (got \(thread))") }
        guard lr.isFinite && lr > 0 && lr <= 10 else { throw bad("lr", "must be in (0, 10] (got \(lr))") }
        guard t.isFinite && t >= 0 && t < 1 else { throw bad("t", "must be in [0, 1) (got \(t))") }
        guard negPower.isFinite && negPower >= 0 && negPower <= 2 else { throw bad("negPower", "must be in [0, 2]") }
        guard maxVocab >= 1 else { throw bad("maxVocab", "must be at least 1") }
        guard (0...1).contains(verbose) || verbose == 2 else { throw bad("verbose", "must be 0, 1 or 2") }
        if maxn > 0 {
            guard minn >= 1 else { throw bad("minn", "must be at least 1 when -maxn > 0 (got \(minn))") }
            guard minn <= maxn else { throw bad("minn", "must not exceed -maxn (got -minn \(minn) -maxn \(maxn))") }
            guard maxn <= 64 else { throw bad("maxn", "must be at most 64 (got \(maxn))") }
            guard (1...Int(Int32.max) / 2).contains(bucket) else { throw bad("bucket", "must be between 1 and \(Int(Int32.max) / 2) when subwords are on (got \(bucket))") }
        } else {
            guard maxn == 0 else { throw bad("maxn", "must not be negative (got \(maxn))") }
        }
    }

    /// Subword buckets in use (0 when subwords are off), as fastText does.
    public var effectiveBucket: Int { maxn > 0 ? bucket : 0 }

    /// The arguments as `name value` pairs, stored in model files.
    public var asPairs: [(String, String)] {
        [("model", model.rawValue), ("loss", loss.rawValue), ("dim", "\(dim)"), ("ws", "\(ws)"),
         ("epoch", "\(epoch)"), ("minCount", "\(minCount)"), ("neg", "\(neg)"), ("minn", "\(minn)"),
         ("maxn", "\(maxn)"), ("bucket", "\(effectiveBucket)"), ("thread", "\(thread)"), ("lr", "\(lr)"),
         ("t", "\(t)"), ("subsampling", subsampling.rawValue), ("negPower", "\(negPower)"), ("ngramInit", ngramInit.rawValue), ("seed", "\(seed)")]
    }
}
