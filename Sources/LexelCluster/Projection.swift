import LexelCore
import LexelKernels

/// Two-dimensional views of clustered points for pictures. The axes are the two leading principal components of
/// the centroids, weighted by cluster size (the directions along which the clusters differ most, so that they
/// spread apart on the map, unlike a PCA of the points, which the within-cluster spread dominates); with fewer
/// than 3 clusters, of the points.
public enum Projection {
    /// The map of a seeded sample of up to `sample` points: their indices, x and y, and each cluster's centroid
    /// projected the same way.
    public struct Map: Sendable {
        public let indices: [Int]
        public let x: [Float], y: [Float]
        public let centroidX: [Float], centroidY: [Float]
        /// What the axes are, for the caption.
        public let axes: String
    }

    /// `spread` scales each point's offset from its cluster's centre (1: the plain projection; smaller values pull
    /// the points of a cluster together, so that overlapping clusters stay readable).
    public static func map(_ points: PointSet, result r: KMeansResult, sample: Int = 20_000, seed: UInt64 = 1,
                           spread: Float = 1) -> Map {
        let d = points.dim, k = r.centroids.rows
        let idx = KMeansSeeding.sampleIndices(points.count, sample, seed: seed)
        let rows = KMeansSeeding.gather(points, idx)
        if r.metric == .cosine { for i in 0..<rows.rows { Kernels.normalize(rows.row(i), d) } }
        let fromCentroids = k >= 3
        let (source, weights): (Matrix, [Double]) = fromCentroids
            ? (r.centroids, r.sizes.map(Double.init)) : (rows, [Double](repeating: 1, count: rows.rows))
        let (mean, axes) = principalAxes(source, weights: weights, count: 2)
        func project(_ v: UnsafePointer<Float>) -> (Float, Float) {
            var a = 0.0, b = 0.0
            for j in 0..<d {
                let c = Double(v[j]) - mean[j]
                a += c * axes[0][j]
                b += c * axes[1][j]
            }
            return (Float(a), Float(b))
        }
        var cx = [Float](), cy = [Float]()
        for c in 0..<k { let (a, b) = project(r.centroids.row(c)); cx.append(a); cy.append(b) }
        var x = [Float](), y = [Float]()
        for (i, p) in idx.enumerated() {
            let (a, b) = project(rows.row(i)), c = Int(r.assignments[p])
            x.append(cx[c] + spread * (a - cx[c]))
            y.append(cy[c] + spread * (b - cy[c]))
        }
        return Map(indices: idx, x: x, y: y, centroidX: cx, centroidY: cy,
                   axes: fromCentroids ? "principal components of the centroids" : "principal components of the points")
    }

    /// The weighted mean of the rows and the `count` leading eigenvectors of their weighted covariance, by power
    /// iteration with deflation (deterministic start).
    static func principalAxes(_ m: Matrix, weights: [Double], count: Int) -> (mean: [Double], axes: [[Double]]) {
        let d = m.cols, n = m.rows
        let total = max(weights.reduce(0, +), 1e-300)
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += weights[i] * Double(m.row(i)[j]) } }
        for j in 0..<d { mean[j] /= total }
        var cov = [Double](repeating: 0, count: d * d)
        var c = [Double](repeating: 0, count: d)
        for i in 0..<n where weights[i] > 0 {
            for j in 0..<d { c[j] = Double(m.row(i)[j]) - mean[j] }
            for a in 0..<d where c[a] != 0 {
                let wa = weights[i] * c[a]
                for b in 0..<d { cov[a * d + b] += wa * c[b] }
            }
        }
        var axes: [[Double]] = []
        for q in 0..<count {
            var v = (0..<d).map { j in 1.0 + Double((j * 7919 + q * 104_729) % 97) / 97 }
            for _ in 0..<300 {
                var w = [Double](repeating: 0, count: d)
                for a in 0..<d { var s = 0.0; for b in 0..<d { s += cov[a * d + b] * v[b] }; w[a] = s }
                for prev in axes {  // deflate
                    let p = zip(w, prev).reduce(0) { $0 + $1.0 * $1.1 }
                    for j in 0..<d { w[j] -= p * prev[j] }
                }
                let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 0 else { break }
                v = w.map { $0 / norm }
            }
            axes.append(v)
        }
        return (mean, axes)
    }
}
