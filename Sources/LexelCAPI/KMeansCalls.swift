import LexelKit

// k-means on the caller's rows (lexel.h: "Clustering"): read in place, results written into the caller's buffers.

@_cdecl("lexel_kmeans")
public func lexelKMeans(_ x: UnsafePointer<Float>?, _ n: Int64, _ dim: Int32, _ k: Int32, _ iterations: Int32, _ redo: Int32,
                        _ seed: UInt64, _ metric: Int32, _ precision: Int32, _ threads: Int32,
                        _ centroids: UnsafeMutablePointer<Float>?, _ assignments: UnsafeMutablePointer<Int32>?,
                        _ distances: UnsafeMutablePointer<Float>?, _ objective: UnsafeMutablePointer<Double>?,
                        _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call("lexel_kmeans", error, length, otherwise: .input) {
        let x = try required(x, "x")
        guard n >= 1 else { throw CallError(.argument, "there are no points to cluster (n = \(n))") }
        guard dim >= 1 else { throw CallError(.argument, "dim must be at least 1 (got \(dim))") }
        guard (0...1).contains(metric) else { throw CallError(.argument, "metric must be 0 (cosine) or 1 (euclidean), got \(metric)") }
        guard (0...2).contains(precision) else {
            throw CallError(.argument, "precision must be 0 (auto), 1 (f32) or 2 (int8), got \(precision)")
        }
        var options = KMeansOptions(k: Int(k))
        options.metric = metric == 0 ? .cosine : .euclidean
        options.precision = [.auto, .f32, .int8][Int(precision)]
        options.iterations = Int(iterations)
        options.redo = Int(redo)
        options.seed = seed
        options.threads = threadCount(threads)
        let points = PointSet(count: Int(n), dim: Int(dim), storage: .f32(x, stride: Int(dim)), owner: nil)
        let result = try KMeans.run(points, options)
        if let centroids { centroids.update(from: result.centroids.pointer, count: Int(k) * Int(dim)) }
        if let assignments { result.assignments.withUnsafeBufferPointer { assignments.update(from: $0.baseAddress!, count: $0.count) } }
        if let distances { result.distances.withUnsafeBufferPointer { distances.update(from: $0.baseAddress!, count: $0.count) } }
        objective?.pointee = result.objective
    }
}
