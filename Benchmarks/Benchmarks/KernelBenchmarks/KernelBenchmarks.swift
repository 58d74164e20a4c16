import LexelKit
import Benchmark

/// Kernel throughput at word-vector sizes. Wall clock only (the CPU metric has 10 ms resolution).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(2))

    for dim in [100, 300] {
        let a = Matrix(rows: 1, cols: dim), b = Matrix(rows: 1, cols: dim), g = Matrix(rows: 1, cols: dim)
        a.fillUniform(bound: 1, seed: 1)
        b.fillUniform(bound: 1, seed: 2)

        Benchmark("dot dim=\(dim) x1000") { bench in
            var s: Float = 0
            for _ in bench.scaledIterations {
                for _ in 0..<1000 { s += Kernels.dot(a.pointer, b.pointer, dim) }
            }
            blackHole(s)
        }

        Benchmark("fusedUpdate dim=\(dim) x1000") { bench in
            for _ in bench.scaledIterations {
                for _ in 0..<1000 { Kernels.fusedUpdate(1e-6, row: a.pointer, hidden: b.pointer, grad: g.pointer, dim) }
            }
            blackHole(g.pointer[0])
        }

        let out = Matrix(rows: 10_000, cols: dim)
        out.fillUniform(bound: 0.1, seed: 3)
        let act = TableActivation()
        let sampler = NegativeSampler(counts: (0..<10_000).map { Int64(10_000 - $0) })
        Benchmark("negative sampling step (1 + 5 rows) dim=\(dim) x1000") { bench in
            var rng = SplitMix64(seed: 4)
            var neg = [Int32](repeating: 0, count: 5)
            for _ in bench.scaledIterations {
                for _ in 0..<1000 {
                    for k in 0..<5 { neg[k] = sampler.sample(&rng) }
                    let t = Int32(rng.next(below: 10_000))
                    let l = neg.withUnsafeBufferPointer {
                        Losses.negativeSampling(act, hidden: b.pointer, grad: g.pointer, output: out.shared,
                                                target: t, negatives: $0, lr: 0.01)
                    }
                    blackHole(l)
                }
            }
        }
    }

    Benchmark("fastText subword hashes of 'internationalization' x1000") { bench in
        var word = "internationalization"
        var acc: UInt32 = 0
        for _ in bench.scaledIterations {
            word.withUTF8 { w in
                for _ in 0..<1000 { forEachSubwordHash(of: w, minn: 3, maxn: 6) { acc &+= $0 } }
            }
        }
        blackHole(acc)
    }
}
