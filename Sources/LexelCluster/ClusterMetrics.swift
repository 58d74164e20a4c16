#if canImport(Glibc)
import Glibc
#endif
import LexelCore
import LexelKernels

/// How well clusters agree with known labels (the measures of scikit-learn's `sklearn.metrics`, same
/// definitions: NMI with the arithmetic mean of the entropies, ARI, homogeneity / completeness / v-measure with
/// beta 1), and a sampled silhouette.
public struct ClusterAgreement: Sendable, Equatable {
    public var nmi: Double
    public var ari: Double
    public var homogeneity: Double
    public var completeness: Double
    public var vMeasure: Double

    /// Compares `clusters` with `labels` over the points that have a label (nil labels are left out).
    public init(clusters: [Int32], labels: [String?]) {
        precondition(clusters.count == labels.count)
        var labelIndex: [String: Int] = [:], clusterIndex: [Int32: Int] = [:]
        var pairs: [Int: Int] = [:]  // contingency cell (label * C + cluster) -> count
        var cells: [(Int, Int)] = []
        for (c, l) in zip(clusters, labels) {
            guard let l else { continue }
            let li = labelIndex[l] ?? { labelIndex[l] = labelIndex.count; return labelIndex.count - 1 }()
            let ci = clusterIndex[c] ?? { clusterIndex[c] = clusterIndex.count; return clusterIndex.count - 1 }()
            cells.append((li, ci))
        }
        let C = max(1, clusterIndex.count)
        for (l, c) in cells { pairs[l * C + c, default: 0] += 1 }
        var a = [Int](repeating: 0, count: labelIndex.count), b = [Int](repeating: 0, count: clusterIndex.count)
        for (key, v) in pairs { a[key / C] += v; b[key % C] += v }
        let n = Double(cells.count)
        func entropy(_ counts: [Int]) -> Double {
            counts.reduce(0.0) { s, c in c == 0 ? s : s - Double(c) / n * log(Double(c) / n) }
        }
        let hL = entropy(a), hC = entropy(b)
        var mi = 0.0
        for (key, v) in pairs.sorted(by: { $0.key < $1.key }) {
            let p = Double(v) / n
            mi += p * log(Double(v) * n / (Double(a[key / C]) * Double(b[key % C])))
        }
        mi = max(0, mi)
        nmi = hL == 0 && hC == 0 ? 1 : (hL + hC > 0 ? mi / ((hL + hC) / 2) : 0)
        homogeneity = hL == 0 ? 1 : mi / hL
        completeness = hC == 0 ? 1 : mi / hC
        vMeasure = homogeneity + completeness == 0 ? 0 : 2 * homogeneity * completeness / (homogeneity + completeness)
        func choose2(_ x: Int) -> Double { Double(x) * Double(x - 1) / 2 }
        let sumCells = pairs.values.reduce(0.0) { $0 + choose2($1) }
        let sumA = a.reduce(0.0) { $0 + choose2($1) }, sumB = b.reduce(0.0) { $0 + choose2($1) }
        let expected = sumA * sumB / max(1, choose2(cells.count))
        let maxIndex = (sumA + sumB) / 2
        ari = maxIndex == expected ? 1 : (sumCells - expected) / (maxIndex - expected)
    }
}

public enum ClusterMetrics {
    /// The mean silhouette over a seeded sample of up to `sample` points (distances `1 - cosine` for cosine,
    /// Euclidean otherwise, among the sampled points). Points of singleton clusters (in the sample) score 0.
    public static func silhouette(_ points: PointSet, clusters: [Int32], metric: KMeansOptions.Metric,
                                  sample: Int = 2000, seed: UInt64 = 1, threads: Int = onlineCPUs) -> Double {
        let idx = KMeansSeeding.sampleIndices(points.count, sample, seed: seed)
        let x = KMeansSeeding.gather(points, idx)
        let m = idx.count, d = points.dim
        guard m > 1 else { return 0 }
        if metric == .cosine { for i in 0..<m { Kernels.normalize(x.row(i), d) } }
        let norms = (0..<m).map { Kernels.dot(x.row($0), x.row($0), d) }
        let packed = PanelMatrix(x.pointer, count: m, dim: d)
        let products = Matrix(rows: m, cols: m)
        packed.products(x.pointer, count: m, stride: d, into: products.pointer, ldc: m)
        let labels = idx.map { clusters[$0] }
        let k = Int(labels.max()!) + 1
        var total = 0.0
        var sums = [Double](repeating: 0, count: k), counts = [Int](repeating: 0, count: k)
        for i in 0..<m {
            for c in 0..<k { sums[c] = 0; counts[c] = 0 }
            let row = products.row(i)
            for j in 0..<m where j != i {
                let p = row[j]
                let dist = metric == .cosine ? Double(1 - p) : Double(max(0, norms[i] + norms[j] - 2 * p)).squareRoot()
                sums[Int(labels[j])] += dist
                counts[Int(labels[j])] += 1
            }
            let own = Int(labels[i])
            guard counts[own] > 0 else { continue }
            let a = sums[own] / Double(counts[own])
            var b = Double.infinity
            for c in 0..<k where c != own && counts[c] > 0 { b = min(b, sums[c] / Double(counts[c])) }
            if b.isFinite, max(a, b) > 0 { total += (b - a) / max(a, b) }
        }
        return total / Double(m)
    }
}
