import LexelCore

/// The arguments a fastText model file stores (fastText's `Args::save`: 12 int32 and a double), with the names and
/// numeric codes fastText uses.
public struct FastTextArgs: Sendable, Equatable {
    public enum Loss: Int32, Sendable { case hs = 1, ns = 2, softmax = 3, ova = 4 }
    public enum Model: Int32, Sendable { case cbow = 1, skipgram = 2, supervised = 3 }

    public var dim: Int32 = 100
    public var ws: Int32 = 5
    public var epoch: Int32 = 5
    public var minCount: Int32 = 1
    public var neg: Int32 = 5
    public var wordNgrams: Int32 = 1
    public var loss = Loss.softmax
    public var model = Model.supervised
    public var bucket: Int32 = 2_000_000
    public var minn: Int32 = 0
    public var maxn: Int32 = 0
    public var lrUpdateRate: Int32 = 100
    public var t: Double = 1e-4
    /// The label prefix. fastText does not store it: a loaded model uses the default.
    public var label = "__label__"

    public init() {}

    /// Reads the arguments at `r`, checking each value's range; errors name the file and offset.
    public static func read(_ r: inout ByteReader, path: String) throws -> FastTextArgs {
        var a = FastTextArgs()
        func int(_ what: String, _ range: ClosedRange<Int32>) throws -> Int32 {
            let at = r.offset
            let v = try r.read(Int32.self, what)
            guard range.contains(v) else { throw LexelError(file: path, offset: Int64(at), "args: \(what) \(v) is outside \(range)") }
            return v
        }
        a.dim = try int("dim", 1...100_000)
        a.ws = try int("ws", 0...10_000)
        a.epoch = try int("epoch", 0...Int32.max)
        a.minCount = try int("minCount", 0...Int32.max)
        a.neg = try int("neg", 0...10_000)
        a.wordNgrams = try int("wordNgrams", 0...100)
        let lossAt = r.offset
        guard let loss = Loss(rawValue: try r.read(Int32.self, "loss")) else {
            throw LexelError(file: path, offset: Int64(lossAt), "args: unknown loss code")
        }
        a.loss = loss
        let modelAt = r.offset
        guard let model = Model(rawValue: try r.read(Int32.self, "model")) else {
            throw LexelError(file: path, offset: Int64(modelAt), "args: unknown model code")
        }
        a.model = model
        a.bucket = try int("bucket", 0...Int32.max)
        a.minn = try int("minn", 0...64)
        a.maxn = try int("maxn", 0...64)
        a.lrUpdateRate = try int("lrUpdateRate", 0...Int32.max)
        a.t = try r.readDouble("t")
        return a
    }
}
