import LexelCluster
import LexelCore
import LexelIO
import LexelKernels

/// The `lexel dedup` use case: exact duplicates (same normalised text) first, then SemDeDup: spherical k-means,
/// and inside each cluster a point whose cosine with a kept point is at least `1 - eps` is removed; several eps
/// values in one pass. Writes, into the output directory, per eps the ids to drop (`duplicates-eps{E}.txt`) and,
/// for documents, the kept documents as they were read (`kept-eps{E}.jsonl` or `.txt`), and `dedup.json`.
public struct DedupJob {
    public var eps: [Double] = [0.05]
    public var keep: SemanticDedup.Keep = .hard
    /// k-means options (cosine); k defaults to one cluster per 1,000 points.
    public var kmeans: KMeansOptions

    public init(k: Int) { kmeans = KMeansOptions(k: k) }

    public struct Report {
        public let points: Int
        public let exact: Int
        /// Removed per eps (exact duplicates included).
        public let removed: [Int]
        public let files: [String]
        public let clusterSeconds: Double, dedupSeconds: Double
    }

    public func run(_ input: ClusterInput, outputDirectory dir: String,
                    onIteration: (KMeansIteration) -> Void = { _ in }) throws -> Report {
        try ClusterOutputs.prepareDirectory(dir)
        let n = input.points.count
        let exact = input.fingerprints.map(TextFingerprint.laterCopies)
        var o = kmeans
        o.metric = .cosine
        o.k = min(o.k, n)
        let t0 = monotonicSeconds()
        let clusters = try KMeans.run(input.points, o, onIteration: onIteration)
        let t1 = monotonicSeconds()
        let result = try SemanticDedup.run(input.points, clusters: clusters, eps: eps, keep: keep, seed: o.seed,
                                           excluded: exact, threads: o.threads)
        let t2 = monotonicSeconds()
        // one more pass over the documents: their ids, and the kept ones copied through per eps
        let copied = try input.documents.map { try Self.writeKept($0, result: result, dir: dir) }
        var files: [String] = []
        for (e, value) in eps.enumerated() {
            let path = dir + "/duplicates-eps\(Self.tag(value)).txt"
            var text = ""
            for i in 0..<n where result.removed[e][i] { text += (copied?.ids[i] ?? String(i)) + "\n" }
            try AtomicFileWriter.write(text, to: path)
            files.append(path)
        }
        files += copied?.kept ?? []
        let exactCount = exact?.reduce(0) { $0 + ($1 ? 1 : 0) } ?? 0
        let removed = (0..<eps.count).map(result.removedCount)
        var json = "{\n  \"points\": \(n),\n  \"k\": \(o.k),\n  \"keep\": \"\(keep.rawValue)\",\n  \"exact_duplicates\": \(exactCount),\n"
        json += "  \"removed\": {" + eps.enumerated().map { "\"\(Self.tag($1))\": \(removed[$0])" }.joined(separator: ", ") + "},\n"
        json += "  \"cluster_seconds\": \(t1 - t0),\n  \"dedup_seconds\": \(t2 - t1)\n}\n"
        try AtomicFileWriter.write(json, to: dir + "/dedup.json")
        files.append(dir + "/dedup.json")
        return Report(points: n, exact: exactCount, removed: removed, files: files, clusterSeconds: t1 - t0, dedupSeconds: t2 - t1)
    }

    /// How an eps value appears in file names: `0.05` -> `0.05`.
    static func tag(_ e: Double) -> String {
        var s = "\(e)"
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    /// The kept documents of each eps, copied through as read; returns those files and every document's id (its
    /// JSON `id` member, strings unquoted, else its index).
    static func writeKept(_ docs: DocumentInput, result: SemanticDedup.Result, dir: String) throws -> (kept: [String], ids: [String]) {
        let suffix = docs.field != nil ? "jsonl" : "txt"
        let paths = result.eps.map { dir + "/kept-eps\(tag($0)).\(suffix)" }
        let writers = try paths.map { try AtomicFileWriter(path: $0) }
        var pending = [[UInt8]](repeating: [], count: paths.count), ids: [String] = []
        try docs.reader().forEachDocument { _, line, i in
            var id = ClusterSummary.id(line, index: i, json: docs.field != nil)
            if id.hasPrefix("\"") { id = String(id.dropFirst().dropLast()) }
            ids.append(id)
            for e in 0..<paths.count where !result.removed[e][i] {
                pending[e].append(contentsOf: line)
                pending[e].append(0x0A)
                if pending[e].count > 1 << 16 {
                    try pending[e].withUnsafeBytes { try writers[e].write($0) }
                    pending[e].removeAll(keepingCapacity: true)
                }
            }
        }
        for e in 0..<paths.count {
            try pending[e].withUnsafeBytes { try writers[e].write($0) }
            try writers[e].commit()
        }
        return (paths, ids)
    }
}
