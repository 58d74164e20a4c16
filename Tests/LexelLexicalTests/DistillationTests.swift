import XCTest
import LexelText
import LexelIO
import LexelCore
import LexelKernels
@testable import LexelLexical

/// A double-precision transcription of the student network and of Luxical's loss, for finite differences.
private struct Reference {
    let inputDim: Int
    let dims: [Int]
    var w0: [Double]
    var layers: [[Double]]  // out x in

    init(_ net: TrainableNetwork) {
        inputDim = net.inputDim
        dims = net.dims
        w0 = (0..<(net.inputDim * net.dims[0])).map { Double(net.w0[$0]) }
        layers = (0..<net.denseLayers).map { l in (0..<net.weightCount(l)).map { Double(net.weights[l][$0]) } }
    }

    static func normalize(_ x: [Double]) -> [Double] {
        let n = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return n > 0 ? x.map { $0 / n } : x
    }

    func forward(_ x: SparseVector) -> [Double] {
        var h = [Double](repeating: 0, count: dims[0])
        for (f, v) in zip(x.indices, x.values) { for j in 0..<dims[0] { h[j] += Double(v) * w0[Int(f) * dims[0] + j] } }
        h = Reference.normalize(h.map { max(0, $0) })
        for l in 0..<layers.count {
            let (nIn, nOut) = (dims[l], dims[l + 1])
            var a = [Double](repeating: 0, count: nOut)
            for o in 0..<nOut { for i in 0..<nIn { a[o] += layers[l][o * nIn + i] * h[i] } }
            h = Reference.normalize(l == layers.count - 1 ? a : a.map { max(0, $0) })
        }
        return h
    }

    static func loss(_ y: [[Double]], _ z: [[Double]], tau: Double) -> Double {
        let b = y.count
        func dot(_ a: [Double], _ c: [Double]) -> Double { zip(a, c).reduce(0) { $0 + $1.0 * $1.1 } }
        var total = 0.0
        for i in 0..<b {
            let others = (0..<b).filter { $0 != i }
            let s = others.map { dot(y[i], y[$0]) / tau }, t = others.map { dot(z[i], z[$0]) / tau }
            func logSoftmax(_ v: [Double]) -> [Double] {
                let m = v.max()!
                let lse = m + log(v.reduce(0) { $0 + exp($1 - m) })
                return v.map { $0 - lse }
            }
            let lq = logSoftmax(s), lp = logSoftmax(t)
            for k in 0..<others.count { total += exp(lp[k]) * (lp[k] - lq[k]) }
        }
        return tau * tau * total / Double(b)
    }

    func loss(_ inputs: [SparseVector], _ z: [[Double]], tau: Double) -> Double {
        Reference.loss(inputs.map(forward), z, tau: tau)
    }
}

/// `b` random unit rows of dim `d` (also used by DistillerTests.swift).
func randomUnitRows(_ b: Int, _ d: Int, _ rng: inout SplitMix64) -> [Float] {
    var out: [Float] = []
    for _ in 0..<b {
        var row = (0..<d).map { _ in rng.nextUnitFloat() * 2 - 1 }
        let n = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
        row = row.map { $0 / n }
        out += row
    }
    return out
}

/// Random L2-normalised sparse documents (also used by DistillerTests.swift).
func randomDocs(_ n: Int, inputDim: Int, perDoc: ClosedRange<Int>, _ rng: inout SplitMix64) -> [SparseVector] {
    (0..<n).map { _ in
        var x = SparseVector()
        let k = perDoc.lowerBound + rng.next(below: perDoc.count)
        x.indices = Array(Set((0..<k).map { _ in Int32(rng.next(below: inputDim)) })).sorted()
        x.values = x.indices.map { _ in rng.nextUnitFloat() + 0.1 }
        let norm = x.values.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { x.values = x.values.map { $0 / norm } }
        return x
    }
}

final class DistillationLossTests: XCTestCase {
    /// ∂L/∂Y of the Gram-KL loss against central differences of the double-precision loss.
    func testLossGradientCheck() {
        var rng = SplitMix64(seed: 11)
        let (b, ds, dt) = (6, 4, 7)  // teacher and student dims differ
        let y = randomUnitRows(b, ds, &rng), z = randomUnitRows(b, dt, &rng)
        let (loss, grad) = GramKLLoss(temperature: 3).evaluate(student: y, teacher: z, count: b)
        let zd = (0..<b).map { i in (0..<dt).map { Double(z[i * dt + $0]) } }
        var yd = (0..<b).map { i in (0..<ds).map { Double(y[i * ds + $0]) } }
        XCTAssertEqual(loss, Reference.loss(yd, zd, tau: 3), accuracy: 1e-6 * max(1, loss))
        XCTAssertGreaterThan(loss, 1e-4)
        let eps = 1e-6
        var worst = 0.0
        for i in 0..<b {
            for j in 0..<ds {
                let keep = yd[i][j]
                yd[i][j] = keep + eps
                let up = Reference.loss(yd, zd, tau: 3)
                yd[i][j] = keep - eps
                let down = Reference.loss(yd, zd, tau: 3)
                yd[i][j] = keep
                let fd = (up - down) / (2 * eps)
                worst = max(worst, abs(fd - Double(grad[i * ds + j])))
                XCTAssertEqual(Double(grad[i * ds + j]), fd, accuracy: 1e-5 + 1e-3 * abs(fd), "dL/dY[\(i), \(j)]")
            }
        }
        print("loss gradient check: loss \(loss), worst |analytic - finite difference| \(worst)")
    }

    /// A student with the teacher's Gram matrix has zero loss; the temperature scales as documented.
    func testLossIsZeroForTheTeachersStructure() {
        var rng = SplitMix64(seed: 3)
        let z = randomUnitRows(5, 8, &rng)
        let (loss, grad) = GramKLLoss().evaluate(student: z, teacher: z, count: 5)
        XCTAssertEqual(loss, 0, accuracy: 1e-6)
        XCTAssertLessThan(grad.map(abs).max()!, 1e-6)
        let (one, _) = GramKLLoss().evaluate(student: [1, 0], teacher: [1, 0], count: 1)
        XCTAssertEqual(one, 0)  // one document: no pairs
    }

    /// Every weight gradient of the network + loss against central finite differences in double precision
    /// (V = 50, dims [6, 10, 4], B = 6 including a document without features, teacher dim 7).
    func testNetworkGradientCheck() throws {
        let (v, dims, b, dt) = (50, [6, 10, 4], 6, 7)
        let net = try TrainableNetwork(inputDim: v, dims: dims, seed: 21)
        var rng = SplitMix64(seed: 8)
        var docs = randomDocs(b - 1, inputDim: v, perDoc: 2...6, &rng)
        docs.append(SparseVector())  // a zero vector stays zero (and gets no gradient)
        let z = randomUnitRows(b, dt, &rng)
        let zd = (0..<b).map { i in (0..<dt).map { Double(z[i * dt + $0]) } }

        let ws = NetworkWorkspace(inputDim: v, dims: dims, capacity: b, training: true)
        net.forward(docs, ws, threads: 2)
        let loss = z.withUnsafeBufferPointer { zp in
            GramKLLoss().evaluate(student: ws.output, studentDim: 4, teacher: zp.baseAddress!, teacherDim: dt, count: b,
                                  gradient: ws.outputGradient, workspace: GramKLWorkspace(), threads: 2)
        }
        net.backward(docs, ws, threads: 2)
        var ref = Reference(net)
        XCTAssertEqual(loss, ref.loss(docs, zd, tau: 3), accuracy: 1e-5)
        for i in 0..<(b - 1) { XCTAssertEqual(Double(ws.output[i * 4]), ref.forward(docs[i])[0], accuracy: 1e-5) }

        let eps = 1e-6
        var worst = 0.0, checked = 0
        func check(_ analytic: Float, _ fd: Double, _ what: String) {
            worst = max(worst, abs(Double(analytic) - fd))
            checked += 1
            XCTAssertEqual(Double(analytic), fd, accuracy: 2e-5 + 2e-3 * abs(fd), what)
        }
        // W0: rows outside the batch have no gradient row, and their finite difference is 0.
        let rows = ws.sparse.rows
        XCTAssertEqual(rows, Array(Set(docs.flatMap(\.indices))).sorted())
        for f in 0..<v {
            for j in 0..<dims[0] {
                let k = f * dims[0] + j, keep = ref.w0[k]
                ref.w0[k] = keep + eps
                let up = ref.loss(docs, zd, tau: 3)
                ref.w0[k] = keep - eps
                let down = ref.loss(docs, zd, tau: 3)
                ref.w0[k] = keep
                let r = rows.firstIndex(of: Int32(f))
                check(r.map { ws.sparse.gradient[$0 * dims[0] + j] } ?? 0, (up - down) / (2 * eps), "W0[\(f), \(j)]")
            }
        }
        for l in 0..<net.denseLayers {
            for k in 0..<net.weightCount(l) {
                let keep = ref.layers[l][k]
                ref.layers[l][k] = keep + eps
                let up = ref.loss(docs, zd, tau: 3)
                ref.layers[l][k] = keep - eps
                let down = ref.loss(docs, zd, tau: 3)
                ref.layers[l][k] = keep
                check(ws.gradients[l][k], (up - down) / (2 * eps), "W\(l + 1)[\(k)]")
            }
        }
        XCTAssertEqual(checked, v * 6 + 6 * 10 + 10 * 4)
        print("network gradient check: \(checked) weights, loss \(loss), worst |analytic - finite difference| \(worst)")
    }

    /// The trainable network starts from exactly `LexicalNetwork.random`'s weights and exports an equal network.
    func testInitialisationAndExportMatchLexicalNetwork() throws {
        let (v, dims) = (30, [5, 9, 3])
        let net = try TrainableNetwork(inputDim: v, dims: dims, seed: 4)
        let exported = try net.network(), reference = try LexicalNetwork.random(inputDim: v, dims: dims, seed: 4)
        var rng = SplitMix64(seed: 2)
        let docs = randomDocs(7, inputDim: v, perDoc: 1...5, &rng)
        var a = [Float](repeating: 0, count: 7 * 3), c = a
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * 7 * 9)
        defer { scratch.deallocate() }
        a.withUnsafeMutableBufferPointer { exported.embed(docs, into: $0.baseAddress!, scratch: scratch) }
        c.withUnsafeMutableBufferPointer { reference.embed(docs, into: $0.baseAddress!, scratch: scratch) }
        XCTAssertEqual(a, c)
        let ws = NetworkWorkspace(inputDim: v, dims: dims, capacity: 7, training: false)
        net.forward(docs, ws, threads: 2)
        for i in 0..<(7 * 3) { XCTAssertEqual(ws.output[i], a[i], accuracy: 1e-6) }
    }
}

final class DistillationOptimizerTests: XCTestCase {
    /// PyTorch's AdamW update transcribed in double precision.
    private func reference(_ w: inout Double, _ m: inout Double, _ v: inout Double, g: Double, lr: Double, t: Int,
                           _ o: AdamWOptions) {
        let (b1, b2) = (Double(o.beta1), Double(o.beta2))
        w *= 1 - lr * Double(o.weightDecay)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        let denom = v.squareRoot() / (1 - pow(b2, Double(t))).squareRoot() + Double(o.epsilon)
        w -= lr / (1 - pow(b1, Double(t))) * m / denom
    }

    func testDenseStepsMatchPyTorchsFormula() {
        let o = AdamWOptions(beta1: 0.9, beta2: 0.99, epsilon: 1e-8, weightDecay: 0.05)
        let n = 11  // SIMD blocks and a scalar tail
        var w = (0..<n).map { Float($0) * 0.1 - 0.5 }, m = [Float](repeating: 0, count: n), v = m
        var (rw, rm, rv) = (w.map(Double.init), [Double](repeating: 0, count: n), [Double](repeating: 0, count: n))
        for t in 1...4 {
            let g = (0..<n).map { Float(sin(Double($0 * 7 + t))) }
            let lr: Float = 0.01 * Float(t)
            w.withUnsafeMutableBufferPointer { wp in g.withUnsafeBufferPointer { gp in m.withUnsafeMutableBufferPointer { mp in
                v.withUnsafeMutableBufferPointer { vp in
                    AdamW(o).step(weights: wp.baseAddress!, gradient: gp.baseAddress!, m: mp.baseAddress!, v: vp.baseAddress!,
                                  count: n, lr: lr, step: t, threads: 2)
                } } } }
            for i in 0..<n { reference(&rw[i], &rm[i], &rv[i], g: Double(g[i]), lr: Double(lr), t: t, o) }
        }
        for i in 0..<n {
            XCTAssertEqual(Double(w[i]), rw[i], accuracy: 1e-6)
            XCTAssertEqual(Double(m[i]), rm[i], accuracy: 1e-6)
        }
        XCTAssertNotEqual(w[3], Float(3) * 0.1 - 0.5)
    }

    /// Lazy rows: touched rows get the dense update; untouched rows keep weights and moments. Full mode: untouched
    /// rows take a zero-gradient step (moments decay, momentum still moves them).
    func testLazyAndFullRowSteps() {
        let (rows, width) = (6, 5), touched: [Int32] = [1, 4]
        let o = AdamWOptions(weightDecay: 0.1)
        var w0 = (0..<(rows * width)).map { Float($0 % 7) * 0.3 - 1 }
        let m0 = (0..<(rows * width)).map { Float($0 % 5) * 0.01 }, v0 = m0.map { $0 * $0 + 1e-4 }
        let g = (0..<(touched.count * width)).map { Float($0) * 0.05 - 0.2 }
        var dense = [Float](repeating: 0, count: rows * width)
        for (k, r) in touched.enumerated() { for j in 0..<width { dense[Int(r) * width + j] = g[k * width + j] } }
        func run(_ mode: Int) -> ([Float], [Float], [Float]) {
            var (w, m, v) = (w0, m0, v0)
            w.withUnsafeMutableBufferPointer { wp in m.withUnsafeMutableBufferPointer { mp in v.withUnsafeMutableBufferPointer { vp in
                switch mode {
                case 0: AdamW(o).step(rows: touched, width: width, weights: wp.baseAddress!, gradient: g, m: mp.baseAddress!,
                                      v: vp.baseAddress!, lr: 0.1, step: 3, threads: 2)
                case 1: AdamW(o).step(allRows: rows, touched: touched, width: width, weights: wp.baseAddress!, gradient: g,
                                      m: mp.baseAddress!, v: vp.baseAddress!, lr: 0.1, step: 3, threads: 2)
                default: AdamW(o).step(weights: wp.baseAddress!, gradient: dense, m: mp.baseAddress!, v: vp.baseAddress!,
                                       count: rows * width, lr: 0.1, step: 3, threads: 1)
                }
            } } }
            return (w, m, v)
        }
        let (lazy, full, ref) = (run(0), run(1), run(2))
        XCTAssertEqual(full.0, ref.0)
        XCTAssertEqual(full.1, ref.1)
        for r in 0..<rows {
            let s = r * width..<(r + 1) * width
            if touched.contains(Int32(r)) {
                XCTAssertEqual(Array(lazy.0[s]), Array(ref.0[s]))
                XCTAssertEqual(Array(lazy.2[s]), Array(ref.2[s]))
            } else {
                XCTAssertEqual(Array(lazy.0[s]), Array(w0[s]), "row \(r) must not move")
                XCTAssertEqual(Array(lazy.1[s]), Array(m0[s]))
                XCTAssertEqual(Array(lazy.2[s]), Array(v0[s]))
                XCTAssertNotEqual(Array(full.0[s]), Array(w0[s]), "dense AdamW moves row \(r) by its momentum")
            }
        }
        w0[0] = 0  // silence 'never mutated'
    }

    func testWarmupStableDecay() {
        let s = WarmupStableDecay(totalSteps: 100, warmupFraction: 0.05, decayFraction: 0.1)
        XCTAssertEqual([s.warmupSteps, s.decaySteps], [5, 10])
        XCTAssertEqual(s.factor(step: 1), 0.2, accuracy: 1e-12)
        XCTAssertEqual(s.factor(step: 4), 0.8, accuracy: 1e-12)
        XCTAssertEqual(s.factor(step: 5), 1)
        XCTAssertEqual(s.factor(step: 90), 1)
        XCTAssertEqual(s.factor(step: 91), 0.9, accuracy: 1e-12)
        XCTAssertEqual(s.factor(step: 100), 0)
        let short = WarmupStableDecay(totalSteps: 3)  // no warmup or decay steps: constant
        XCTAssertEqual([1, 2, 3].map(short.factor), [1, 1, 1])
    }
}
