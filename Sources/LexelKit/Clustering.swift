#if canImport(Glibc)
import Glibc
#endif
import LexelCluster
import LexelCore
import LexelIO
import LexelKernels

/// The `lexel cluster` use case: k-means over an input's points, its outputs in a directory, and the measures of
/// how good the clusters are (objective, silhouette; NMI / ARI / v-measure against labels when there are any).
public struct ClusterJob {
    public var options: KMeansOptions
    /// Labels to compare with (one per line, or an integer `.npy`); default: the documents' `__label__`s.
    public var labelsPath: String?
    /// Points in the silhouette's sample (0: none).
    public var silhouetteSample = 2000
    /// For documents: characteristic terms and nearest documents listed per cluster.
    public var summaryTerms = 8, summaryDocuments = 3

    public init(options: KMeansOptions) { self.options = options }

    /// What a run produced.
    public struct Report {
        public let result: KMeansResult
        public let agreement: ClusterAgreement?
        public let silhouette: Double?
        public let summary: [ClusterSummary.Cluster]?
        /// Files written, in order.
        public let files: [String]
        public let seconds: Double
    }

    /// Clusters `input` and writes `centroids.npy`, `assignments.npy` (int32), `distances.npy` and `metrics.json`
    /// into `outputDirectory` (created if missing); for documents also `assignments.jsonl` (`{id, cluster,
    /// distance}`, id = the document's index, or its JSON `id` member) and `summary.json`.
    public func run(_ input: ClusterInput, outputDirectory dir: String,
                    onIteration: (KMeansIteration) -> Void = { _ in }) throws -> Report {
        try ClusterOutputs.prepareDirectory(dir)
        var labels = input.labels
        if let p = labelsPath { labels = try ClusterInput.labels(p, count: input.points.count) }
        let t0 = monotonicSeconds()
        let result = try KMeans.run(input.points, options, onIteration: onIteration)
        let seconds = monotonicSeconds() - t0
        let agreement = labels.map { ClusterAgreement(clusters: result.assignments, labels: $0) }
        let silhouette = silhouetteSample > 1 && options.k > 1
            ? ClusterMetrics.silhouette(input.points, clusters: result.assignments, metric: options.metric,
                                        sample: silhouetteSample, seed: options.seed, threads: options.threads)
            : nil
        var files = try ClusterOutputs.writeArrays(result, to: dir)
        var summary: [ClusterSummary.Cluster]? = nil
        if let docs = input.documents {
            let s = try ClusterSummary.build(docs, result: result, terms: summaryTerms, documents: summaryDocuments,
                                             assignmentsPath: dir + "/assignments.jsonl")
            summary = s
            try ClusterOutputs.writeSummary(s, to: dir + "/summary.json")
            files += [dir + "/assignments.jsonl", dir + "/summary.json"]
        }
        try ClusterOutputs.writeMetrics(result, agreement: agreement, silhouette: silhouette, seconds: seconds,
                                        options: options, input: input.description, to: dir + "/metrics.json")
        files.append(dir + "/metrics.json")
        return Report(result: result, agreement: agreement, silhouette: silhouette, summary: summary, files: files,
                      seconds: seconds)
    }
}

/// The files `lexel cluster` and `lexel assign` write.
public enum ClusterOutputs {
    /// Creates `dir` when missing; an existing non-directory is an error.
    public static func prepareDirectory(_ dir: String) throws {
        var st = stat()
        if stat(dir, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw LexelError(file: dir, "exists and is not a directory") }
            return
        }
        guard mkdir(dir, 0o755) == 0 else {
            throw LexelError(file: dir, "cannot create the output directory: \(String(cString: strerror(errno)))")
        }
    }

    /// `centroids.npy` (k x dim float32), `assignments.npy` (int32) and `distances.npy` (float32).
    static func writeArrays(_ r: KMeansResult, to dir: String) throws -> [String] {
        let c = NumpyWriter.self
        let centroids = try c.init(path: dir + "/centroids.npy", dtype: .f32, cols: r.centroids.cols)
        try centroids.append(rows: r.centroids.rows, r.centroids.pointer)
        try centroids.commit()
        try writeAssignments(r.assignments, r.distances, to: dir)
        return [dir + "/centroids.npy", dir + "/assignments.npy", dir + "/distances.npy"]
    }

    /// `assignments.npy` (int32) and `distances.npy` (float32), 1-D.
    public static func writeAssignments(_ a: [Int32], _ d: [Float], to dir: String) throws {
        let assignments = try NumpyWriter(path: dir + "/assignments.npy", dtype: .i32, cols: 1, vector: true)
        try a.withUnsafeBytes { try assignments.append(rows: a.count, $0.baseAddress!) }
        try assignments.commit()
        let distances = try NumpyWriter(path: dir + "/distances.npy", dtype: .f32, cols: 1, vector: true)
        try d.withUnsafeBytes { try distances.append(rows: d.count, $0.baseAddress!) }
        try distances.commit()
    }

    static func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }

    static func writeMetrics(_ r: KMeansResult, agreement: ClusterAgreement?, silhouette: Double?, seconds: Double,
                             options: KMeansOptions, input: String, to path: String) throws {
        let n = Double(r.assignments.count)
        var s = "{\n  \"input\": \"\(jsonEscaped(input))\",\n  \"k\": \(options.k),\n  \"metric\": \"\(r.metric.rawValue)\",\n"
        s += "  \"points\": \(r.assignments.count),\n  \"seed\": \(r.seed),\n  \"iterations\": \(r.iterations.count),\n"
        s += "  \"objective\": \(number(r.objective)),\n"
        if r.metric == .cosine { s += "  \"mean_cosine\": \(number(r.objective / n)),\n" } else { s += "  \"inertia\": \(number(r.objective)),\n" }
        s += "  \"imbalance\": \(number(KMeans.imbalance(r.sizes))),\n  \"empty_clusters\": \(r.sizes.filter { $0 == 0 }.count),\n"
        if let silhouette { s += "  \"silhouette\": \(number(silhouette)),\n" }
        if let a = agreement {
            s += "  \"nmi\": \(number(a.nmi)),\n  \"ari\": \(number(a.ari)),\n  \"homogeneity\": \(number(a.homogeneity)),\n"
            s += "  \"completeness\": \(number(a.completeness)),\n  \"v_measure\": \(number(a.vMeasure)),\n"
        }
        s += "  \"seconds\": \(number(seconds)),\n  \"sizes\": [" + r.sizes.map(String.init).joined(separator: ", ") + "],\n"
        s += "  \"log\": [\n" + r.iterations.map {
            "    {\"iteration\": \($0.iteration), \"objective\": \(number($0.objective)), \"changed\": \(number($0.changed)), "
                + "\"imbalance\": \(number($0.imbalance)), \"repaired\": \($0.repaired), \"computed\": \(number($0.computed)), "
                + "\"seconds\": \(number($0.seconds))}"
        }.joined(separator: ",\n") + "\n  ]\n}\n"
        try AtomicFileWriter.write(s, to: path)
    }

    static func writeSummary(_ clusters: [ClusterSummary.Cluster], to path: String) throws {
        var s = "[\n"
        for (i, c) in clusters.enumerated() {
            s += "  {\"cluster\": \(c.cluster), \"size\": \(c.size), \"terms\": ["
            s += c.terms.map { "\"\(jsonEscaped($0))\"" }.joined(separator: ", ") + "], \"nearest\": ["
            s += c.nearest.map { "{\"index\": \($0.index), \"distance\": \(number(Double($0.distance))), \"text\": \"\(jsonEscaped($0.text))\"}" }
                .joined(separator: ", ")
            s += "]}" + (i + 1 < clusters.count ? ",\n" : "\n")
        }
        s += "]\n"
        try AtomicFileWriter.write(s, to: path)
    }
}
