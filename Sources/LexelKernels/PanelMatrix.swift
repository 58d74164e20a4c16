import CKernels

/// `n` rows of dimension `d` (centroids, or a block of points) packed in panels of 32 rows for products with
/// other rows (`CKernels/F32Panels.c`): the assignment step of k-means (`argmax`) and blocks of pairwise
/// similarities (`products`). AVX-512 where the CPU has it, AVX2 otherwise; every path gives the same bits.
public final class PanelMatrix: @unchecked Sendable {
    /// Rows packed (columns of the product).
    public let count: Int
    /// Values per row.
    public let dim: Int
    /// Panels of `PanelMatrix.width` rows.
    public let panels: Int
    let packed: UnsafeMutablePointer<Float>
    /// Added to each row's product before the argmax (`panels * width` values, -infinity past `count`).
    public let bias: UnsafeMutablePointer<Float>

    /// Rows per panel.
    public static let width = Int(LEXEL_F32_PANEL)

    /// The code path this CPU takes: "avx512", "avx2" or "scalar".
    public static var path: String { String(cString: lexel_f32_panels_path()) }

    /// The best path of this CPU as a number: 2 AVX-512, 1 AVX2 + FMA, 0 plain.
    public static let bestPath = Int(lexel_f32_panels_best_path())

    /// Packs `count` rows of `dim` values read from `rows` (row stride `stride`), with zero bias.
    public init(_ rows: UnsafePointer<Float>, count: Int, dim: Int, stride: Int? = nil) {
        precondition(count > 0 && dim > 0)
        self.count = count
        self.dim = dim
        panels = (count + Self.width - 1) / Self.width
        let size = panels * dim * Self.width
        packed = UnsafeMutableRawPointer.allocate(byteCount: size * 4, alignment: 64).bindMemory(to: Float.self, capacity: size)
        bias = .allocate(capacity: panels * Self.width)
        let ld = stride ?? dim
        for t in 0..<panels {
            let base = packed + t * dim * Self.width
            for l in 0..<Self.width {
                let j = t * Self.width + l
                if j < count {
                    let src = rows + j * ld
                    for p in 0..<dim { base[p * Self.width + l] = src[p] }
                } else {
                    for p in 0..<dim { base[p * Self.width + l] = 0 }
                }
                bias[j] = j < count ? 0 : -.infinity
            }
        }
    }

    deinit {
        UnsafeMutableRawPointer(packed).deallocate()
        bias.deallocate()
    }

    /// Sets the bias of row `j` (e.g. `-|c_j|^2 / 2`, which turns the largest product into the nearest centroid by
    /// Euclidean distance).
    public func setBias(_ j: Int, _ value: Float) {
        precondition(j < count)
        bias[j] = value
    }

    /// For each of `m` points (`x`, row stride `stride`): the packed row with the largest product plus bias
    /// (ties: the lowest index) and that value. `path` forces a code path (tests); nil takes the best.
    public func argmax(_ x: UnsafePointer<Float>, count m: Int, stride: Int, best: UnsafeMutablePointer<Int32>,
                       score: UnsafeMutablePointer<Float>, path: Int? = nil) {
        guard m > 0 else { return }
        lexel_f32_argmax_using(Int32(path ?? Self.bestPath), x, m, stride, packed, dim, count, bias, best, score)
    }

    /// `c[i * ldc + j]` = the product of point `i` with packed row `j`, for `m` points.
    public func products(_ x: UnsafePointer<Float>, count m: Int, stride: Int, into c: UnsafeMutablePointer<Float>,
                         ldc: Int, path: Int? = nil) {
        guard m > 0 else { return }
        lexel_f32_gemm_using(Int32(path ?? Self.bestPath), x, m, stride, packed, dim, count, c, ldc)
    }

    /// The products of `m` points with the rows of panel `t` only (`min(32, count - 32t)` columns, the same values
    /// bit for bit as `products` and `argmax` give for them).
    @inline(__always)
    public func products(panel t: Int, _ x: UnsafePointer<Float>, count m: Int, stride: Int,
                         into c: UnsafeMutablePointer<Float>, ldc: Int) {
        lexel_f32_gemm_using(Int32(Self.bestPath), x, m, stride, packed + t * dim * Self.width, dim,
                             min(Self.width, count - t * Self.width), c, ldc)
    }

    /// Per-row state that `fold` updates (see `CKernels/F32Panels.h`, `lexel_f32_rows_fold`).
    public struct FoldState {
        public let best: UnsafeMutablePointer<Int32>, bestScore: UnsafeMutablePointer<Float>
        public let top: UnsafeMutablePointer<Float>, topIndex: UnsafeMutablePointer<Int32>, second: UnsafeMutablePointer<Float>
        public let groupStride: Int
        public init(best: UnsafeMutablePointer<Int32>, bestScore: UnsafeMutablePointer<Float>, top: UnsafeMutablePointer<Float>,
                    topIndex: UnsafeMutablePointer<Int32>, second: UnsafeMutablePointer<Float>, groupStride: Int) {
            (self.best, self.bestScore, self.top, self.topIndex, self.second, self.groupStride) =
                (best, bestScore, top, topIndex, second, groupStride)
        }
    }

    /// The products (plus bias) of `m` rows given by pointer with panel `t`, folded into the state of row
    /// `rowIndex[q]`, group `group` (the same bits as `products`).
    @inline(__always)
    public func fold(panel t: Int, rows: UnsafePointer<UnsafePointer<Float>?>, count m: Int, rowIndex: UnsafePointer<Int32>,
                     into s: FoldState, group: Int) {
        let j0 = t * Self.width
        lexel_f32_rows_fold(rows, m, rowIndex, packed + t * dim * Self.width, dim, min(Self.width, count - j0), bias + j0,
                            Int32(j0), s.best, s.bestScore, s.top + group, s.topIndex + group, s.second + group, s.groupStride)
    }
}
