import LexelCore
import LexelIO
import LexelKernels

/// `n` rows of `d` floats at `x`, copied and L2-normalised row by row (a zero row stays zero).
public func unitRows(_ x: UnsafePointer<Float>, count n: Int, dim d: Int) -> [Float] {
    var z = [Float](UnsafeBufferPointer(start: x, count: n * d))
    z.withUnsafeMutableBufferPointer { p in for i in 0..<n { _ = Kernels.normalize(p.baseAddress! + i * d, d) } }
    return z
}

/// The teacher's embeddings for `lexel distill`: a 2-D float `.npy` of `rows x cols` (row i = document i).
public struct TeacherVectors: Sendable {
    public let rows: Int
    public let cols: Int
    /// Row-major, `rows * cols` finite floats.
    public let values: [Float]

    /// Vectors already in memory (`rows x cols`, row-major).
    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "\(values.count) values for \(rows) x \(cols)")
        (self.rows, self.cols, self.values) = (rows, cols, values)
    }

    /// Reads and checks `path`: a 2-D array (N x D, N >= 2, D >= 1) of float16, float32 or float64 (converted to
    /// float32), every value finite. A 1-D array, an array of integers or booleans (token ids, labels, not
    /// embeddings), or NaN / infinity (also a float64 beyond float32's range) is an error naming the file and,
    /// for a value, its row, column and byte offset.
    public static func load(path: String) throws -> TeacherVectors {
        let (file, a) = try Numpy.open(path: path)
        guard a.shape.count == 2 else {
            let what = a.shape.isEmpty ? "a single number" : "a \(a.shape.count)-D array of shape \(a.shape)"
            throw LexelError(file: path, "teacher vectors: \(what); expected a 2-D array N x D, one row per document")
        }
        guard [.f16, .f32, .f64].contains(a.dtype) else {
            throw LexelError(file: path, "teacher vectors: \(a.dtype.descr) values; expected embeddings of float16, float32 or float64 "
                             + "(an integer array holds ids or labels, not vectors)")
        }
        let (rows, cols) = (a.shape[0], a.shape[1])
        guard rows >= 2, cols >= 1 else {
            throw LexelError(file: path, "teacher vectors: need a 2-D array with rows >= 2 and at least one column (got \(rows) x \(cols))")
        }
        let values = withExtendedLifetime(file) { a.floats() }
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw LexelError(file: path, offset: a.dataOffset + Int64(bad * a.dtype.size),
                             "teacher vectors: row \(bad / cols), column \(bad % cols) is \(values[bad]) (teacher vectors must be finite)")
        }
        return TeacherVectors(rows: rows, cols: cols, values: values)
    }
}
