import Foundation
import LexelKit
import LexelPlot

/// The lines `lexel cluster` prints when it is done.
enum ClusterText {
    static func report(_ r: ClusterJob.Report, k: Int) -> String {
        let res = r.result, n = res.assignments.count
        var lines: [String] = []
        let quality = res.metric == .cosine
            ? String(format: "mean cosine to centroid %.4f", res.objective / Double(n))
            : String(format: "inertia %.6e", res.objective)
        lines.append("\(n) points, k = \(k), \(res.iterations.count) iterations in \(String(format: "%.2f", r.seconds)) s: \(quality), "
                     + String(format: "imbalance %.3f", KMeans.imbalance(res.sizes))
                     + (res.sizes.contains(0) ? ", \(res.sizes.filter { $0 == 0 }.count) empty" : ""))
        var measures: [String] = []
        if let s = r.silhouette { measures.append(String(format: "silhouette %.4f (sampled)", s)) }
        if let a = r.agreement {
            measures.append(String(format: "NMI %.4f  ARI %.4f  v-measure %.4f (homogeneity %.4f, completeness %.4f)",
                                   a.nmi, a.ari, a.vMeasure, a.homogeneity, a.completeness))
        }
        if !measures.isEmpty { lines.append(measures.joined(separator: "; ")) }
        if let summary = r.summary {
            let shown = summary.sorted { $0.size != $1.size ? $0.size > $1.size : $0.cluster < $1.cluster }.prefix(30)
            lines.append("largest clusters (size: characteristic terms):")
            for c in shown {
                lines.append(String(format: "%5d %7d: ", c.cluster, c.size) + c.terms.joined(separator: ", "))
            }
            if summary.count > shown.count { lines.append("  ... \(summary.count - shown.count) more in summary.json") }
        }
        lines.append("wrote " + r.files.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }

    /// 12345 -> "12,345".
    static func grouped(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// Draws the map of `--plot` (PNG plus SVG, or SVG alone); returns the files written.
    static func drawMap(_ input: ClusterInput, report r: ClusterJob.Report, to path: String, seed: UInt64) throws -> [String] {
        guard path.hasSuffix(".png") || path.hasSuffix(".svg") else {
            throw LexelError(file: path, "--plot must name a .png or .svg file")
        }
        let res = r.result
        let map = Projection.map(input.points, result: res, seed: seed, spread: 0.4)
        let names = r.summary.map { $0.map { $0.name() } } ?? (0..<res.centroids.rows).map { "cluster \($0)" }
        let what = input.documents != nil ? "documents" : "points"
        let picture = ClusterPicture(
            title: "\(grouped(res.centroids.rows)) clusters of \(grouped(res.assignments.count)) \(what)",
            caption: "k-means (\(res.metric.rawValue)) on \(input.points.dim)-d vectors. Map: \(grouped(map.indices.count)) points on the two "
                + "\(map.axes), each drawn at its centroid plus 0.4 x its offset; names: the clusters' most characteristic terms",
            x: map.x, y: map.y, cluster: map.indices.map { res.assignments[$0] }, centreX: map.centroidX,
            centreY: map.centroidY, sizes: res.sizes, names: names)
        var files = [path]
        try picture.write(to: path)
        if path.hasSuffix(".png") {
            let svg = String(path.dropLast(4)) + ".svg"
            try picture.write(to: svg)
            files.append(svg)
        }
        return files
    }
}
