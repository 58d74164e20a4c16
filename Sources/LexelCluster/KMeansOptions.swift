import LexelCore
import LexelKernels

/// How `KMeans.run` clusters (the flags of `lexel cluster`, named like faiss's `Kmeans` where they overlap).
public struct KMeansOptions: Sendable {
    /// The distance k-means minimises.
    public enum Metric: String, Sendable, CaseIterable {
        /// Spherical k-means: points and centroids are unit vectors, each point goes to the centroid of largest
        /// cosine, and a centroid is its members' mean scaled to unit length.
        case cosine
        /// Lloyd's k-means on squared Euclidean distance.
        case euclidean
    }

    /// How the first centroids are chosen.
    public enum Initialisation: Sendable {
        /// Greedy k-means++ (2 + ln k candidates per step, the best kept) on a sample of the points.
        case kmeansPlusPlus
        /// `k` distinct points drawn at random (faiss's default).
        case random
        /// Given centroids (`k x dim`, row-major).
        case centroids([Float])
    }

    /// How the assignment step multiplies points with centroids.
    public enum Precision: String, Sendable, CaseIterable {
        /// Float32 products (FMA), the exact nearest centroid.
        case f32
        /// 8-bit codes (each row scaled to -127...127), products summed exactly in integers with AVX-512 VNNI
        /// (4x the multiply-adds of f32 per instruction); the chosen centroid's score is then computed in f32.
        /// Near-ties may go to a centroid a hair farther than the nearest. On CPUs without VNNI it runs an exact
        /// but slow plain path (same results).
        case int8
        /// int8 where the CPU has VNNI, else f32.
        case auto

        /// What `auto` means on this CPU.
        public var resolved: Precision { self == .auto ? (Int8PanelMatrix.fast ? .int8 : .f32) : self }
    }

    /// Number of clusters.
    public var k: Int
    public var metric: Metric = .cosine
    public var precision: Precision = .auto
    /// Lloyd iterations at most (fewer when no assignment changes).
    public var iterations = 25
    /// Runs from different seeds; the one with the best objective is kept.
    public var redo = 1
    public var seed: UInt64 = 1234
    /// Points used for training (a seeded sample of this size; all points when nil or larger). The final
    /// assignment covers every point.
    public var sample: Int?
    /// Points k-means++ seeding looks at (nil: all where `points x k` stays under 2e7, else a sample).
    public var seedingSample: Int?
    public var initialisation: Initialisation = .kmeansPlusPlus
    /// With f32 products, skip the centroids that bounds rule out (Yinyang bounds: the same result as computing
    /// every product, bit for bit, in a fraction of the time once the centroids settle). Off: every product.
    public var bounds = true
    /// Worker threads. The result does not depend on it.
    public var threads = onlineCPUs

    public init(k: Int) { self.k = k }
}

/// One Lloyd iteration as it is reported: the objective of the assignment made with the iteration's starting
/// centroids (faiss's convention), then the update.
public struct KMeansIteration: Sendable {
    public var iteration: Int
    /// Sum of cosine similarities to the assigned centroid (cosine; larger is better) or of squared distances
    /// (Euclidean, the inertia; smaller is better).
    public var objective: Double
    /// Fraction of points whose cluster changed (1 in the first iteration).
    public var changed: Double
    /// `k * sum(size^2) / n^2`: 1 when all clusters have the same size.
    public var imbalance: Double
    /// Empty clusters re-seeded by splitting a large one.
    public var repaired: Int
    /// Share of the point x centroid products computed (below 1 where bounds ruled the rest out).
    public var computed: Double
    public var seconds: Double
}

/// The outcome of `KMeans.run`.
public struct KMeansResult: @unchecked Sendable {
    /// `k x dim` centroids (unit vectors for cosine).
    public let centroids: Matrix
    public let metric: KMeansOptions.Metric
    /// The run kept (of `redo`), with its iterations.
    public let iterations: [KMeansIteration]
    /// The cluster of every point, from the final centroids.
    public let assignments: [Int32]
    /// Each point's distance to its centroid: `1 - cosine` or the squared Euclidean distance.
    public let distances: [Float]
    /// The objective of the final assignment (same convention as `KMeansIteration.objective`).
    public let objective: Double
    /// Number of points in each cluster.
    public let sizes: [Int]
    /// Seed of the run kept.
    public let seed: UInt64
}
