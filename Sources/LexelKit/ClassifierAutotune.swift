import LexelClassifier
import LexelCore
import LexelKernels
import LexelTraining
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The autotuning use case (fastText's `-autotune-validation`): a random search around the best arguments so
/// far, with steps that shrink trial after trial, scored by a metric on a validation file. Unlike fastText's, it is
/// reproducible: every trial trains on one thread with the run's seed (the trials of a round run side by side),
/// the candidates of a round depend only on the seed and the rounds before (not on the thread count), and
/// `trials` fixes how many run (a time budget prints the count it reached, which `trials` then repeats exactly).
public enum ClassifierAutotune {
    /// Trials whose candidates are drawn together (from the best before them), run side by side on up to this
    /// many threads: a constant, so that the search does not depend on the thread count.
    static let roundSize = 4

    public struct Options: Sendable {
        public var validation: String
        public var metric = AutotuneMetric.f1
        /// Labels predicted a line for the F1 metrics (fastText's -autotune-predictions).
        public var predictions = 1
        /// Seconds to search (fastText's -autotune-duration); rounds that start in time finish.
        public var duration = 300.0
        /// A fixed number of trials instead of a time budget (reproducible bit for bit).
        public var trials: Int?
        /// Bytes the model must fit in: every trial is quantised to fit (fastText's -autotune-modelsize).
        public var modelSize: Int64?
        public var threads = onlineCPUs
        public init(validation: String) { self.validation = validation }
    }

    /// One trial: its arguments, and its score (nil when it failed, with why).
    public struct Trial: Sendable {
        public let index: Int
        public let arguments: SupervisedArguments
        public let dsub: Int?
        public let cutoff: Int?
        public let score: Double?
        public let failure: String?
        public let seconds: Double

        /// The flags that reproduce this trial's model.
        public var flags: String {
            let m = arguments.model
            var s = "-epoch \(m.epoch) -lr \(arguments.lr) -dim \(m.dim) -wordNgrams \(m.wordNgrams) -minn \(m.minn) -maxn \(m.maxn)"
            if m.wordNgrams > 1 || m.maxn > 0 { s += " -bucket \(m.bucket)" }
            if let dsub { s += " (quantize -qnorm -dsub \(dsub)" + (cutoff.map { " -cutoff \($0)" } ?? "") + ")" }
            return s
        }
    }

    public struct Result {
        public let best: Trial
        public let trials: Int
        public let output: String
        public let model: Classifier
    }

    public static func run(input: String, outputPrefix: String, base: SupervisedArguments, options o: Options,
                           trialDone: @escaping @Sendable (Trial, _ best: Trial?) -> Void = { _, _ in }) throws -> Result {
        try base.validate()
        if let t = o.trials { guard (1...100_000).contains(t) else { throw LexelError("-autotune-trials: must be between 1 and 100000") } }
        guard o.duration > 0 else { throw LexelError("-autotune-duration: must be positive (seconds)") }
        guard o.predictions >= 1 else { throw LexelError("-autotune-predictions: must be at least 1") }
        let outputs = try WordVectorTraining.outputs(prefix: outputPrefix)
        let out = o.modelSize == nil ? outputs.bin : outputPrefix + ".ftz"
        try OutputPath.checkWritable(out)
        let start = monotonicSeconds()
        var rng = SplitMix64(seed: base.seed &+ 0xA070_7E5E)
        var best: (trial: Trial, model: Classifier)? = nil
        var done = 0, lastFailure: String? = nil
        while true {
            let remaining = o.trials.map { $0 - done } ?? Int.max
            if remaining <= 0 || (o.trials == nil && done > 0 && monotonicSeconds() - start >= o.duration) { break }
            let count = min(roundSize, remaining)
            var candidates: [Candidate] = []
            for i in 0..<count {
                let index = done + i
                candidates.append(index == 0 ? Candidate(base)
                                  : (best.map { Candidate($0.trial) } ?? Candidate(base)).perturbed(index, &rng, sized: o.modelSize != nil))
            }
            let results = ThreadSlots<(Trial, Classifier?)?>(count) { nil }
            let (firstIndex, cands) = (done, candidates)
            parallelFor(count, threads: min(max(1, o.threads), count)) { _, range in
                for i in range {
                    let r = runTrial(index: firstIndex + i, cands[i], base: base, input: input, options: o)
                    results.with(i) { $0 = r }
                }
            }
            for i in 0..<count {
                let (trial, model) = results.with(i) { $0! }
                if let s = trial.score, let model, s > (best?.trial.score ?? -1) { best = (trial, model) }
                if let f = trial.failure { lastFailure = f }
                trialDone(trial, best?.trial)
            }
            done += count
        }
        guard let best else { throw LexelError("autotuning: no trial succeeded (the last one: \(lastFailure ?? "?"))") }
        try FastTextClassifierWriter.write(best.model, to: out)
        return Result(best: best.trial, trials: done, output: out, model: best.model)
    }

    /// Trains, optionally quantises, and scores one candidate (one thread); failures become a failed trial.
    static func runTrial(index: Int, _ c: Candidate, base: SupervisedArguments, input: String, options o: Options) -> (Trial, Classifier?) {
        let t0 = monotonicSeconds()
        var a = base
        c.apply(to: &a)
        do {
            let t = try SupervisedTrainer.train(path: input, arguments: a)
            var model = try Classifier(dictionary: t.dictionary, input: .dense(RowMatrix(t.input)), output: .dense(RowMatrix(t.output)))
            var cutoff: Int? = nil
            if let size = o.modelSize {
                (model, cutoff) = try fit(model, bytes: size, dsub: c.dsub, seed: a.seed)
            }
            let score = try o.metric.score(model, path: o.validation, k: o.predictions)
            let trial = Trial(index: index, arguments: a, dsub: o.modelSize == nil ? nil : c.dsub, cutoff: cutoff, score: score,
                              failure: nil, seconds: monotonicSeconds() - t0)
            return (trial, model)
        } catch {
            return (Trial(index: index, arguments: a, dsub: nil, cutoff: nil, score: nil, failure: "\(error)",
                          seconds: monotonicSeconds() - t0), nil)
        }
    }

    /// The model quantised (norms apart) with the largest cutoff whose file fits in `bytes`.
    static func fit(_ model: Classifier, bytes: Int64, dsub: Int, seed: UInt64) throws -> (Classifier, Int?) {
        let (input, output) = try ClassifierCompression.denseMatrices(model, path: "trial")
        let dim = input.cols
        // fixed: header, labels, output rows, the quantisers' centroids; per row: codes, norm, a dictionary entry
        let fixed = 2_000 + model.labelCount * (dim * 4 + 40) + 256 * (dim + 1) * 4
        let perRow = (dim + dsub - 1) / dsub + 1 + 14
        var cutoff = min(input.rows, Int((bytes - Int64(fixed)) / Int64(perRow)))
        for _ in 0..<4 {
            guard cutoff >= 256 else { throw LexelError("-autotune-modelsize: \(byteCount(Int(bytes))) is too small for -dim \(dim) -dsub \(dsub)") }
            var dictionary = model.dictionary, rows = input
            if cutoff < input.rows {
                let p = try ClassifierCompression.prune(model, input: input, cutoff: cutoff)
                (dictionary, rows) = (p.dictionary, RowMatrix(p.input))
            }
            let q = try ClassifierCompression.quantize(dictionary: dictionary, input: rows, output: output, dsub: dsub, normsApart: true,
                                                       quantizeOutput: false, seed: seed, threads: 1)
            let size = FastTextClassifierWriter.byteCount(q)
            if size <= bytes { return (q, cutoff < input.rows ? cutoff : nil) }
            cutoff = Int(Double(cutoff) * Double(bytes) / Double(size) * 0.98)
        }
        throw LexelError("-autotune-modelsize: could not fit \(byteCount(Int(bytes)))")
    }
}

/// The arguments autotuning searches over, on continuous scales where they are numbers.
struct Candidate {
    var epoch: Double, lr: Double, dim: Double, wordNgrams: Int, bucket: Double, minn: Int, maxn: Int, dsub: Int

    init(_ a: SupervisedArguments) {
        (epoch, lr, dim, wordNgrams) = (Double(a.model.epoch), a.lr, Double(a.model.dim), Int(a.model.wordNgrams))
        (bucket, minn, maxn, dsub) = (Double(a.model.bucket), Int(a.model.minn), Int(a.model.maxn), 2)
    }

    init(_ t: ClassifierAutotune.Trial) {
        self.init(t.arguments)
        dsub = t.dsub ?? 2
    }

    func apply(to a: inout SupervisedArguments) {
        a.model.epoch = Int32(epoch.rounded())
        a.lr = lr
        a.model.dim = Int32(dim.rounded())
        a.model.wordNgrams = Int32(wordNgrams)
        a.model.bucket = Int32(bucket.rounded())
        (a.model.minn, a.model.maxn) = (Int32(minn), Int32(maxn))
        a.threads = 1
    }

    /// A step away from `self`: each number moves by a log-normal factor with a spread that shrinks with the trial
    /// index, word n-grams by one, character n-grams on or off, sometimes.
    func perturbed(_ index: Int, _ rng: inout SplitMix64, sized: Bool) -> Candidate {
        let spread = max(0.3, 1.5 / (1 + Double(index) / 8).squareRoot())
        func gaussian() -> Double {
            let u = max(Double(rng.nextUnitFloat()), 1e-7), v = Double(rng.nextUnitFloat())
            return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
        }
        func move(_ x: Double, _ range: ClosedRange<Double>) -> Double {
            min(range.upperBound, max(range.lowerBound, x * exp(spread * gaussian())))
        }
        var c = self
        while true {
            if rng.nextUnitFloat() < 0.5 { c.epoch = move(c.epoch, 1...100) }
            if rng.nextUnitFloat() < 0.5 { c.lr = (move(c.lr, 0.01...5) * 10_000).rounded() / 10_000 }  // printed as used
            if rng.nextUnitFloat() < 0.4 { c.dim = move(c.dim, 4...500) }
            if rng.nextUnitFloat() < 0.3 { c.wordNgrams = min(5, max(1, c.wordNgrams + (rng.nextUnitFloat() < 0.5 ? -1 : 1))) }
            if rng.nextUnitFloat() < 0.3 { c.bucket = move(c.bucket, 10_000...10_000_000) }
            if rng.nextUnitFloat() < 0.15 {
                if c.maxn == 0 { c.minn = 2 + rng.next(below: 2); c.maxn = c.minn + 1 + rng.next(below: 4) } else { (c.minn, c.maxn) = (0, 0) }
            }
            if sized && rng.nextUnitFloat() < 0.3 { c.dsub = [1, 2, 4, 8][rng.next(below: 4)] }
            if c.epoch.rounded() != epoch.rounded() || c.lr != lr || c.dim.rounded() != dim.rounded() || c.wordNgrams != wordNgrams
                || c.minn != minn || c.maxn != maxn || c.dsub != dsub || (c.bucket != bucket && (c.wordNgrams > 1 || c.maxn > 0)) {
                return c
            }
        }
    }
}
