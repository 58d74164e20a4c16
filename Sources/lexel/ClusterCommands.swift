import ArgumentParser
import Foundation
import LexelKit
import LexelPlot

/// Options `cluster`, `assign` and `dedup` share: how points are read and compared.
struct PointOptions: ParsableArguments {
    @Option(help: "Distance: cosine (spherical k-means; rows are scaled to unit length) or euclidean.")
    var metric: String = "cosine"
    @Option(help: "Lexical model that embeds documents (.lxm or Luxical .npz; default: the shipped one).") var model: String?
    @OptionGroup var documents: DocumentOptions
    @OptionGroup var threads: ThreadsOption
    @Option(help: "Products of the assignment step: f32, int8 (8-bit codes, exact integer sums with AVX-512 VNNI: ~3x faster; the chosen centroid's distance is exact f32; near-ties may differ), or auto (int8 where the CPU has VNNI).")
    var precision: String = "auto"
    @Flag(help: "Drop a mapped .npy's pages after each block of a pass: resident memory stays flat on inputs larger than RAM.")
    var streaming = false
    @Flag(help: "No progress lines.") var quiet = false

    func kmeansMetric() throws -> KMeansOptions.Metric {
        guard let m = KMeansOptions.Metric(rawValue: metric) else {
            throw ValidationError("--metric must be cosine or euclidean (got \(quoted(metric)))")
        }
        return m
    }

    func kmeansPrecision() throws -> KMeansOptions.Precision {
        guard let p = KMeansOptions.Precision(rawValue: precision) else {
            throw ValidationError("--precision must be f32, int8 or auto (got \(quoted(precision)))")
        }
        return p
    }

    /// Opens the input, with a progress line while documents are embedded.
    func open(_ input: String) throws -> ClusterInput {
        let docs = try documents.input(input)
        var display = ProgressDisplay("Embedded", unit: "docs", enabled: !quiet)
        let start = monotonicSeconds()
        let opened = try ClusterInput.open(docs, model: model, threads: threads.threads, streaming: streaming) { n in
            display.update(done: n, seconds: monotonicSeconds() - start, fraction: nil)
        }
        if opened.documents != nil { display.finish(done: opened.points.count, seconds: monotonicSeconds() - start) }
        return opened
    }
}

struct Cluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "k-means: cluster vectors (.npy, .lxv) or documents (embedded on the fly) on all cores.",
        discussion: """
            INPUT is a .npy of rows (float32, float16, or int8 codes as `lexel embed --int8` writes), a .lxv
            vector file (its rows), or documents (plain lines or JSON Lines, plain or zstd), embedded with the
            lexical model. A line's leading __label__X tokens are its label (not embedded): NMI, ARI and
            v-measure then compare the clusters with them (or give --labels, one per line or an integer .npy).

            Spherical k-means (--metric cosine, the default) puts each point with the centroid of largest
            cosine; --metric euclidean runs Lloyd's algorithm on squared distances. The first centroids come
            from greedy k-means++ on a sample (--init random for faiss's choice, or --init C.npy). The result of
            a seed is the same at any --threads (the sums are exact), unlike faiss's and scikit-learn's.

            Writes into --output DIR: centroids.npy (k x dim float32), assignments.npy (int32), distances.npy
            (1 - cosine, or squared distance), metrics.json (objective, silhouette, NMI/ARI, sizes, the log of
            every iteration); for documents also assignments.jsonl ({id, cluster, distance}; id = the JSON
            `id` member, else the document's index) and summary.json (each cluster's size, characteristic
            terms and the documents nearest its centroid). Each iteration prints its objective (sum of cosines,
            or inertia), the share of points that changed cluster, the size imbalance and its time.
            Examples:
              lexel cluster vectors.npy -k 1000 --output clusters/ --niter 20
              lexel cluster paragraphs.jsonl.zst -k 26 --output topics/ --plot topics.png
              lexel assign new.npy --centroids clusters/centroids.npy --output new-clusters/
            """)
    @Argument(help: "Vectors (.npy, .lxv) or documents (text, JSON Lines; zstd detected).") var input: String
    @Option(name: [.customShort("k"), .customLong("k")], help: "Number of clusters.") var k: Int
    @Option(help: "Output directory (created if missing).") var output: String
    @Option(help: "Lloyd iterations at most (fewer when nothing changes).") var niter = 25
    @Option(help: "Runs from seeds seed, seed+1, ...: the best objective is kept.") var nredo = 1
    @Option(help: "Random seed (sampling, k-means++).") var seed: UInt64 = 1234
    @Option(help: "Train on a seeded sample of this many points (faiss's max_points_per_centroid x k); all points are assigned at the end.")
    var sample: Int?
    @Option(help: "First centroids: kmeans++ (greedy, on a sample), random (k distinct points), or a k x dim .npy.")
    var `init`: String = "kmeans++"
    @Option(help: "Labels to compare with: one per line, or an integer .npy (default: the documents' __label__ tokens).")
    var labels: String?
    @Option(help: "Points in the sampled silhouette (0: skip it).") var silhouette = 2000
    @Option(help: "Also draw a map of the points coloured by cluster, named by their top terms, with a bar chart of sizes: a .png (and the same picture as .svg beside it) or an .svg.")
    var plot: String?
    @OptionGroup var points: PointOptions

    func run() throws {
        try reportingErrors {
            var options = KMeansOptions(k: k)
            options.metric = try points.kmeansMetric()
            options.precision = try points.kmeansPrecision()
            (options.iterations, options.redo, options.seed, options.sample) = (niter, nredo, seed, sample)
            options.threads = points.threads.threads
            switch self.`init` {
            case "kmeans++": options.initialisation = .kmeansPlusPlus
            case "random": options.initialisation = .random
            case let path:
                let (rows, cols, values) = try Numpy.readMatrix(path: path)
                guard rows == k else { throw LexelError(file: path, "\(rows) initial centroids, but -k is \(k)") }
                _ = cols
                options.initialisation = .centroids(values)
            }
            let opened = try points.open(input)
            if !points.quiet { writeStderr("Clustering \(opened.description) into k = \(k) (\(options.metric.rawValue), \(options.threads) threads)\n") }
            var job = ClusterJob(options: options)
            (job.labelsPath, job.silhouetteSample) = (labels, silhouette)
            let quiet = points.quiet
            let report = try job.run(opened, outputDirectory: output) { it in
                guard !quiet else { return }
                writeStderr(String(format: "iteration %3d  objective %.6e  changed %6.2f%%  imbalance %.3f  products %5.1f%%  %.2f s\n",
                                   it.iteration, it.objective, it.changed * 100, it.imbalance, it.computed * 100, it.seconds))
            }
            print(ClusterText.report(report, k: k))
            if let plot {
                let files = try ClusterText.drawMap(opened, report: report, to: plot, seed: seed)
                print("map: " + files.joined(separator: ", "))
            }
        }
    }
}

struct Assign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Put new points into saved clusters (the centroids.npy of `lexel cluster`).",
        discussion: """
            Reads points as `lexel cluster` does and writes assignments.npy (int32) and distances.npy into
            --output DIR. Use the --metric the centroids were made with (cosine by default).
            Example: lexel assign new.npy --centroids clusters/centroids.npy --output new/
            """)
    @Argument(help: "Vectors (.npy, .lxv) or documents.") var input: String
    @Option(help: "Centroids: a k x dim float .npy (from `lexel cluster`).") var centroids: String
    @Option(help: "Output directory (created if missing).") var output: String
    @OptionGroup var points: PointOptions

    func run() throws {
        try reportingErrors {
            let metric = try points.kmeansMetric()
            let (rows, cols, values) = try Numpy.readMatrix(path: centroids)
            guard rows > 0 else { throw LexelError(file: centroids, "holds no centroids") }
            guard values.allSatisfy(\.isFinite) else { throw LexelError(file: centroids, "holds a value that is not finite") }
            let c = Matrix(rows: rows, cols: cols)
            values.withUnsafeBufferPointer { c.pointer.update(from: $0.baseAddress!, count: values.count) }
            let opened = try points.open(input)
            guard opened.points.dim == cols else {
                throw LexelError(file: centroids, "centroids of dimension \(cols), but the points have dimension \(opened.points.dim)")
            }
            try ClusterOutputs.prepareDirectory(output)
            let t0 = monotonicSeconds()
            let (a, d) = try KMeans.assign(opened.points, centroids: c, metric: metric, precision: try points.kmeansPrecision(),
                                           threads: points.threads.threads)
            try ClusterOutputs.writeAssignments(a, d, to: output)
            print("assigned \(a.count) points to \(rows) clusters in \(String(format: "%.2f", monotonicSeconds() - t0)) s: \(output)/assignments.npy, \(output)/distances.npy")
        }
    }
}
