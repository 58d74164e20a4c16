import XCTest
import LexelText
import LexelIO
import LexelCore
import LexelKernels
@testable import LexelLexical

final class NetworkTests: XCTestCase {
    /// The forward pass against a direct transcription of Luxical's: relu+normalise after W0 and each hidden
    /// layer, linear+normalise at the end.
    func testForwardEqualsReference() throws {
        let dims = [6, 10, 7, 4], v = 20
        let net = try LexicalNetwork.random(inputDim: v, dims: dims, seed: 5)
        var x1 = SparseVector(), x2 = SparseVector()
        (x1.indices, x1.values) = ([1, 7, 19], [0.5, -0.25, 0.8])
        (x2.indices, x2.values) = ([3], [1])
        let inputs = [x1, x2, SparseVector()]
        var out = [Float](repeating: 0, count: inputs.count * 4)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * inputs.count * 10)
        defer { scratch.deallocate() }
        out.withUnsafeMutableBufferPointer { net.embed(inputs, into: $0.baseAddress!, scratch: scratch) }

        func normalize(_ x: [Float]) -> [Float] {
            let n = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return n > 0 ? x.map { $0 / n } : x
        }
        for (b, x) in inputs.enumerated() {
            var h = [Float](repeating: 0, count: dims[0])
            for (i, val) in zip(x.indices, x.values) { let r = net.input.row(Int(i)); for j in 0..<dims[0] { h[j] += val * r[j] } }
            h = normalize(h.map { max(0, $0) })
            for (l, layer) in net.layers.enumerated() {
                var y = [Float](repeating: 0, count: layer.cols)
                for j in 0..<layer.cols { for p in 0..<layer.rows { y[j] += h[p] * layer[p, j] } }
                h = l == net.layers.count - 1 ? normalize(y) : normalize(y.map { max(0, $0) })
            }
            for j in 0..<4 { XCTAssertEqual(out[b * 4 + j], h[j], accuracy: 1e-5, "doc \(b)") }
        }
        XCTAssertEqual(Array(out[8..<12]), [0, 0, 0, 0])  // no features: the zero vector, not NaN
    }

    /// Int8 dense layers (7-bit activations, 8-bit weights) stay within a small angle of the f32 network.
    func testInt8LayersAreCloseToF32() throws {
        let net = try LexicalNetwork.random(inputDim: 50, dims: [16, 256, 256, 32], seed: 5)
        let q = try net.withLayers(.int8)
        XCTAssertTrue(q.int8Layers)
        XCTAssertFalse(net.int8Layers)
        var rng = SplitMix64(seed: 9)
        let inputs: [SparseVector] = (0..<13).map { _ in
            var x = SparseVector()
            for i in stride(from: Int32(rng.next() % 3), to: 50, by: 3) { x.indices.append(i); x.values.append(rng.nextUnitFloat()) }
            return x
        }
        var a = [Float](repeating: 0, count: 13 * 32), b = a
        var s1 = [Float](repeating: 0, count: net.scratchCount(batch: 13)), s2 = [Float](repeating: 0, count: q.scratchCount(batch: 13))
        net.embed(inputs, into: &a, scratch: &s1)
        q.embed(inputs, into: &b, scratch: &s2)
        for d in 0..<13 {
            let cos = (0..<32).reduce(Float(0)) { $0 + a[d * 32 + $1] * b[d * 32 + $1] }
            XCTAssertGreaterThan(cos, 0.995, "doc \(d)")
            XCTAssertLessThan(cos, 0.999999, "doc \(d): int8 should not be bit-identical to f32")
        }
    }

    func testShapeErrors() {
        XCTAssertThrowsError(try LexicalNetwork(w0: [1, 2], inputDim: 2, layers: [], dims: [2]))
        XCTAssertThrowsError(try LexicalNetwork(w0: [1, 2, 3], inputDim: 2, layers: [[1, 2]], dims: [1, 2]))
    }
}
