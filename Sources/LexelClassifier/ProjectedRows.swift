import LexelCore
import LexelKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Input rows multiplied by the output matrix, each computed the first time a line uses it. The output layer is
/// linear in the hidden vector, so a line's output scores are the mean of its rows' projections: when there are
/// fewer output rows than dimensions (26 labels on 100 dimensions, say), predicting adds a few values a row
/// instead of a full row, and reads a fraction of the memory. Threads share the rows: a row's values are
/// written before its flag (release), and read after it (acquire); two threads computing the same row write the
/// same values.
final class ProjectedRows: @unchecked Sendable {
    /// Output rows (labels; inner tree nodes for hierarchical softmax).
    let width: Int
    /// Per row: a flag (1 once computed) then the `width` values, so that loading a row loads its flag.
    let values: Matrix
    let rows: Int

    /// Whether projecting pays: fewer output rows than dimensions.
    static func pays(outputRows: Int, dim: Int) -> Bool { outputRows > 0 && outputRows * 2 <= dim }

    init(rows: Int, width: Int) {
        (self.rows, self.width) = (rows, width)
        values = Matrix(rows: rows, cols: width + 1, lazilyZeroed: true)
    }

    /// Where row `r` starts (its flag), for prefetching.
    @inline(__always) func start(_ r: Int) -> UnsafePointer<Float> { UnsafePointer(values.row(r)) }

    /// Adds row `r`'s projection (`output . row r` for every output row) to `scores`, computing it first if no
    /// thread did yet. `scratch` holds `dim` floats.
    @inline(__always)
    func add(_ r: Int, input: ClassifierRows, output: ClassifierRows, dim: Int, scores: UnsafeMutablePointer<Float>,
             scratch: UnsafeMutablePointer<Float>) {
        let flag = UnsafeMutableRawPointer(values.row(r)).assumingMemoryBound(to: UInt32.self), out = values.row(r) + 1
        if Kernels.loadAcquire(flag) == 0 {
            Kernels.zero(scratch, dim)
            input.add(row: r, into: scratch)
            for j in 0..<width { out[j] = output.rawDot(scratch, row: j) }
            Kernels.storeRelease(flag, 1)
        }
        Kernels.add(out, scores, width)
    }
}
