// LexicalBench: throughput of the lexical embedder's dense layers (the part of `lexel embed` after W0), on a
// random network of the given shape, in one family of kernels: f32, int8, bf16 (AVX-512 BF16 only), or auto (what
// `lexel embed` picks for this shape, `LayerChoice`). Prints one line per repeat.
//
//   LexicalBench dense [--dims 96,3072,3072,192] [--batch 64] [--docs 4096] [--threads 1] [--layers auto|f32|int8|bf16]
//   LexicalBench stages --model M.lxm --input DOCS.jsonl [--repeats 5]   (the sparse stages: StagesBench.swift)
//
// Build: swift build -c release --package-path Benchmarks --scratch-path .build-lexbench --product LexicalBench

#if canImport(Glibc)
import Glibc
import LexelKit
#endif

@inline(never) func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

let args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String, _ fallback: String, _ args: [String] = args) -> String {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return fallback }
    return args[i + 1]
}
if args.first == "stages" {
    try stagesBench(model: option("--model", "vocab/lexel-minilm-distilled.lxm"), input: option("--input", "/dev/stdin"),
                    repeats: Int(option("--repeats", "5"))!)
    exit(0)
}
let dims = option("--dims", "96,3072,3072,192").split(separator: ",").map { Int($0)! }
let batch = Int(option("--batch", "64"))!, docs = Int(option("--docs", "4096"))!
let threads = Int(option("--threads", "1"))!, repeats = Int(option("--repeats", "3"))!
guard let choice = LayerChoice(rawValue: option("--layers", "auto")) else {
    print("--layers: one of \(LayerChoice.allCases.map(\.rawValue).joined(separator: ", "))")
    exit(2)
}
let network = try LexicalNetwork.random(inputDim: 16, dims: dims, seed: 7)
let resolved = choice.resolved(for: network)
let net = try network.withLayers(resolved)
let layerType = choice == .auto ? "auto=\(resolved.rawValue)" : resolved.rawValue
let macs = zip(dims.dropLast(), dims.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
// First-layer activations: ReLU'd, normalised random rows (about half zero, as after W0).
nonisolated(unsafe) var rng: UInt64 = 12345
func next() -> Float {
    rng = rng &* 6364136223846793005 &+ 1442695040888963407
    return Float(Int64(bitPattern: rng) >> 40) / Float(1 << 23)
}
let width = net.width
let perThread = (docs + threads - 1) / threads
nonisolated(unsafe) let inputs: [[Float]] = (0..<threads).map { _ in
    var h = [Float](repeating: 0, count: batch * width)
    for i in 0..<batch { for j in 0..<dims[0] { h[i * width + j] = max(0, next()) } }
    return h
}
for r in 0..<repeats {
    let t0 = now()
    DispatchLike.run(threads) { t in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: net.scratchCount(batch: batch))
        let out = UnsafeMutablePointer<Float>.allocate(capacity: batch * net.outputDim)
        var done = 0
        while done < perThread {
            inputs[t].withUnsafeBufferPointer { scratch.update(from: $0.baseAddress!, count: batch * width) }
            net.dense(rows: batch, scratch: scratch, into: out)
            done += batch
        }
        scratch.deallocate(); out.deallocate()
    }
    let dt = now() - t0, n = Double(perThread * threads)
    print("dense \(layerType) dims \(dims) batch \(batch) threads \(threads) run \(r): \(Int(n / dt)) docs/s, "
          + "\(Int(1e6 * dt * Double(threads) / n)) us/doc/thread, \(Int(2 * Double(macs) * n / dt / 1e9)) GFLOP/s")
}

enum DispatchLike {
    static func run(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
        var ids = [pthread_t]()
        final class Box: @unchecked Sendable { let f: @Sendable (Int) -> Void; let i: Int; init(_ f: @escaping @Sendable (Int) -> Void, _ i: Int) { self.f = f; self.i = i } }
        for i in 0..<n {
            var tid = pthread_t()
            let box = Unmanaged.passRetained(Box(body, i)).toOpaque()
            pthread_create(&tid, nil, { p in
                let b = Unmanaged<Box>.fromOpaque(p!).takeRetainedValue()
                b.f(b.i)
                return nil
            }, box)
            ids.append(tid)
        }
        for t in ids { pthread_join(t, nil) }
    }
}
