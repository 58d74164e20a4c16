/// Eigenvalues and eigenvectors of a real symmetric matrix by cyclic Jacobi rotations (accurate to rounding;
/// O(n³) per sweep, a few sweeps: well under a second for n = 384, the size of a teacher's covariance).
public enum SymmetricEigen {
    /// The eigen-pairs of `a` (`n x n`, row-major, symmetric), eigenvalues descending; `vectors` holds eigenvector
    /// k in column k (`n x n`, row-major).
    public static func decompose(_ a: [Double], n: Int, maxSweeps: Int = 60) -> (values: [Double], vectors: [Double]) {
        precondition(a.count == n * n, "matrix of \(a.count) values for n = \(n)")
        var m = a
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        for _ in 0..<maxSweeps {
            var off = 0.0, diag = 0.0
            for i in 0..<n {
                diag += m[i * n + i] * m[i * n + i]
                for j in (i + 1)..<n { off += m[i * n + j] * m[i * n + j] }
            }
            if off <= 1e-30 * max(diag, 1e-300) { break }
            for p in 0..<n {
                for q in (p + 1)..<n {
                    let apq = m[p * n + q]
                    if abs(apq) < 1e-300 { continue }
                    let theta = (m[q * n + q] - m[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {  // columns p and q
                        let mkp = m[k * n + p], mkq = m[k * n + q]
                        m[k * n + p] = c * mkp - s * mkq
                        m[k * n + q] = s * mkp + c * mkq
                    }
                    for k in 0..<n {  // rows p and q
                        let mpk = m[p * n + k], mqk = m[q * n + k]
                        m[p * n + k] = c * mpk - s * mqk
                        m[q * n + k] = s * mpk + c * mqk
                    }
                    for k in 0..<n {
                        let vkp = v[k * n + p], vkq = v[k * n + q]
                        v[k * n + p] = c * vkp - s * vkq
                        v[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { m[$0 * n + $0] > m[$1 * n + $1] }
        var vectors = [Double](repeating: 0, count: n * n)
        for (k, col) in order.enumerated() { for r in 0..<n { vectors[r * n + k] = v[r * n + col] } }
        return (order.map { m[$0 * n + $0] }, vectors)
    }
}
