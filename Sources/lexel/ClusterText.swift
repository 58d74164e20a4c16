import Foundation
import LexelKit

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
}
