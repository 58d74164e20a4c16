import XCTest
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

    func testShapeErrors() {
        XCTAssertThrowsError(try LexicalNetwork(w0: [1, 2], inputDim: 2, layers: [], dims: [2]))
        XCTAssertThrowsError(try LexicalNetwork(w0: [1, 2, 3], inputDim: 2, layers: [[1, 2]], dims: [1, 2]))
    }
}
