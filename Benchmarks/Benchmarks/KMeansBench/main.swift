import LexelKit

// Kernel check for k-means: GFLOP/s of the fused product-and-argmax on random unit rows, per code path.
//   KMeansBench argmax N K D THREADS
let args = CommandLine.arguments
let n = args.count > 2 ? Int(args[2])! : 100_000
let k = args.count > 3 ? Int(args[3])! : 1000
let d = args.count > 4 ? Int(args[4])! : 192
let x = Matrix(rows: n, cols: d)
x.fillUniform(bound: 1, seed: 1)
let c = Matrix(rows: k, cols: d)
c.fillUniform(bound: 1, seed: 2)
let packed = PanelMatrix(c.pointer, count: k, dim: d)
let best = UnsafeMutablePointer<Int32>.allocate(capacity: n), score = UnsafeMutablePointer<Float>.allocate(capacity: n)
for path in stride(from: PanelMatrix.bestPath, through: 1, by: -1) {
    var times = [Double]()
    for _ in 0..<3 {
        let t0 = monotonicSeconds()
        packed.argmax(x.pointer, count: n, stride: d, best: best, score: score, path: path)
        times.append(monotonicSeconds() - t0)
    }
    let t = times.min()!
    print("path \(path): \(t) s, \(Double(n) * Double(k) * Double(d) * 2 / t / 1e9) GFLOP/s (1 thread)")
}
do {
    let coded = Int8PanelMatrix(c.pointer, count: k, dim: d)
    let codes = UnsafeMutablePointer<UInt8>.allocate(capacity: n * coded.quads * 4)
    let inv = UnsafeMutablePointer<Float>.allocate(capacity: n)
    var t0 = monotonicSeconds()
    coded.code(x.pointer, count: n, stride: d, into: codes, inverse: inv)
    print("int8 coding: \(monotonicSeconds() - t0) s")
    var times = [Double]()
    for _ in 0..<3 {
        t0 = monotonicSeconds()
        coded.argmax(codes, count: n, inverse: inv, best: best)
        times.append(monotonicSeconds() - t0)
    }
    let t = times.min()!
    print("int8 (vnni \(Int8PanelMatrix.fast)): \(t) s, \(Double(n) * Double(k) * Double(d) / t / 1e9) GMAC/s (1 thread)")
}
