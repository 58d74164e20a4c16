import ArgumentParser
import Foundation
import LexelKit

struct Dedup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dedup",
        abstract: "Remove exact and semantic near-duplicates (SemDeDup) from documents or vectors.",
        discussion: """
            Documents (plain lines or JSON Lines, zstd detected) are embedded with the lexical model; vectors
            (.npy, .lxv) are used as they are. First, exact duplicates go: texts equal after folding ASCII case
            and collapsing whitespace (the first copy stays). Then SemDeDup: spherical k-means (-k, default one
            cluster per 1,000 points), and inside each cluster points are visited in the --keep order and a point
            is removed when its cosine with a point already kept is at least 1 - eps. Give several --eps values
            (comma-separated) to get each result from one pass: larger eps removes more.
            --keep hard keeps the point farthest from its centroid (SemDeDup's choice), easy the nearest,
            random a seeded random one.

            Writes into --output DIR, for each eps E: duplicates-epsE.txt (the ids removed, one per line: the
            JSON `id` member, else the document's index) and, for documents, kept-epsE.jsonl (or .txt): the
            kept documents as they were read; and dedup.json with the counts and times.
            Example:
              lexel dedup corpus.jsonl.zst --eps 0.02,0.05,0.1 --output dedup/
            """)
    @Argument(help: "Documents (text, JSON Lines; zstd detected) or vectors (.npy, .lxv).") var input: String
    @Option(help: "Output directory (created if missing).") var output: String
    @Option(help: "Cosine distances: a point within eps of a kept one is removed (comma-separated list).")
    var eps: String = "0.05"
    @Option(help: "Which point of a group stays: hard (farthest from the centroid), easy (nearest) or random.")
    var keep: String = "hard"
    @Option(name: [.customShort("k"), .customLong("k")], help: "k-means clusters (default: points / 1,000, at least 1).")
    var k: Int?
    @Option(help: "k-means iterations.") var niter = 20
    @Option(help: "Random seed (k-means, --keep random).") var seed: UInt64 = 1234
    @OptionGroup var points: PointOptions

    func run() throws {
        try reportingErrors {
            let values = try eps.split(separator: ",").map { s -> Double in
                guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v >= 0, v <= 2 else {
                    throw ValidationError("--eps takes cosine distances in 0...2, comma-separated (got \(quoted(String(s))))")
                }
                return v
            }
            guard let policy = SemanticDedup.Keep(rawValue: keep) else {
                throw ValidationError("--keep must be hard, easy or random (got \(quoted(keep)))")
            }
            if let k, k < 1 { throw ValidationError("-k must be at least 1 (got \(k))") }
            let start = monotonicSeconds()
            let opened = try points.open(input)
            var job = DedupJob(k: k ?? max(1, (opened.points.count + 999) / 1000))
            (job.eps, job.keep) = (values, policy)
            (job.kmeans.iterations, job.kmeans.seed, job.kmeans.threads) = (niter, seed, points.threads.threads)
            job.kmeans.precision = try points.kmeansPrecision()
            if !points.quiet { writeStderr("Clustering \(opened.description) into k = \(job.kmeans.k)\n") }
            let r = try job.run(opened, outputDirectory: output)
            let seconds = monotonicSeconds() - start
            print("\(r.points) points: \(r.exact) exact duplicates; k-means \(String(format: "%.2f", r.clusterSeconds)) s, "
                  + "within-cluster pass \(String(format: "%.2f", r.dedupSeconds)) s; \(String(format: "%.0f", Double(r.points) / seconds)) points/s end to end")
            for (e, v) in values.enumerated() {
                let share = Double(r.removed[e]) / Double(max(1, r.points)) * 100
                print("eps \(v): remove \(r.removed[e]) (\(String(format: "%.2f", share))%), keep \(r.points - r.removed[e])")
            }
            print("wrote " + r.files.joined(separator: ", "))
        }
    }
}
