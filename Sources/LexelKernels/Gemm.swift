/// Dense matrix products for the lexical embedder's layers: `C (m x n) = A (m x k) x W (k x n)`, with W packed
/// once into column panels of `Gemm.panel` floats so that the inner loop reads it contiguously. The micro-kernel
/// keeps a 4 x 24 block of C in twelve 8-wide registers and streams one panel row per step (4 x 3 FMAs).
public enum Gemm {
    /// Columns per packed panel.
    public static let panel = 24

    /// A weight matrix `k x n` packed for `multiply`: panel `j` holds columns `24j ..< 24j + 24` for every
    /// row `p` contiguously (zero-padded past `n`).
    public final class PackedMatrix: @unchecked Sendable {
        public let rows: Int  // k
        public let cols: Int  // n
        public let panels: Int
        public let data: UnsafeMutablePointer<Float>

        /// Packs `w`, given row-major `k x n` (`transposed: false`) or as `n x k` (`transposed: true`, the
        /// out x in layout of PyTorch and Luxical).
        public init(_ w: UnsafePointer<Float>, rows k: Int, cols n: Int, transposed: Bool = false) {
            rows = k
            cols = n
            panels = (n + Gemm.panel - 1) / Gemm.panel
            let count = panels * k * Gemm.panel
            data = .allocate(capacity: max(1, count))
            data.initialize(repeating: 0, count: max(1, count))
            for j in 0..<n {
                let (pj, c) = (j / Gemm.panel, j % Gemm.panel)
                let base = data + pj * k * Gemm.panel + c
                for p in 0..<k { base[p * Gemm.panel] = transposed ? w[j * k + p] : w[p * n + j] }
            }
        }

        deinit { data.deallocate() }

        /// Element `(p, j)`.
        public subscript(p: Int, j: Int) -> Float {
            data[(j / Gemm.panel) * rows * Gemm.panel + p * Gemm.panel + j % Gemm.panel]
        }
    }

    /// `C[i, j] = sum_p A[i, p] * W[p, j]` for `m` rows; `a` has row stride `lda`, `c` row stride `ldc`.
    public static func multiply(_ a: UnsafePointer<Float>, rows m: Int, lda: Int, _ w: PackedMatrix,
                                into c: UnsafeMutablePointer<Float>, ldc: Int) {
        let k = w.rows, n = w.cols
        for pj in 0..<w.panels {
            let panel = UnsafePointer(w.data + pj * k * Gemm.panel)
            let j0 = pj * Gemm.panel, width = min(Gemm.panel, n - j0)
            var i = 0
            while i < m {
                let rowsHere = min(4, m - i)
                micro(a + i * lda, lda: lda, rows: rowsHere, panel: panel, k: k, c: c + i * ldc + j0, ldc: ldc, width: width)
                i += 4
            }
        }
    }

    @inline(__always)
    static func micro(_ a: UnsafePointer<Float>, lda: Int, rows: Int, panel: UnsafePointer<Float>, k: Int,
                      c: UnsafeMutablePointer<Float>, ldc: Int, width: Int) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c02 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>(), c12 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c22 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>(), c32 = SIMD8<Float>()
        // Rows past `rows` read row 0 again (results discarded), keeping the loop branch-free.
        let a0 = a, a1 = rows > 1 ? a + lda : a, a2 = rows > 2 ? a + 2 * lda : a, a3 = rows > 3 ? a + 3 * lda : a
        var p = 0
        var w = panel
        while p < k {
            let w0 = load8(w, 0), w1 = load8(w, 8), w2 = load8(w, 16)
            let x0 = SIMD8<Float>(repeating: a0[p]), x1 = SIMD8<Float>(repeating: a1[p])
            let x2 = SIMD8<Float>(repeating: a2[p]), x3 = SIMD8<Float>(repeating: a3[p])
            c00 = c00.addingProduct(x0, w0); c01 = c01.addingProduct(x0, w1); c02 = c02.addingProduct(x0, w2)
            c10 = c10.addingProduct(x1, w0); c11 = c11.addingProduct(x1, w1); c12 = c12.addingProduct(x1, w2)
            c20 = c20.addingProduct(x2, w0); c21 = c21.addingProduct(x2, w1); c22 = c22.addingProduct(x2, w2)
            c30 = c30.addingProduct(x3, w0); c31 = c31.addingProduct(x3, w1); c32 = c32.addingProduct(x3, w2)
            w += Gemm.panel
            p += 1
        }
        @inline(__always) func put(_ r: Int, _ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ v2: SIMD8<Float>) {
            guard r < rows else { return }
            let row = c + r * ldc
            if width == Gemm.panel {
                store8(row, 0, v0); store8(row, 8, v1); store8(row, 16, v2)
            } else {
                for j in 0..<width { row[j] = j < 8 ? v0[j] : j < 16 ? v1[j - 8] : v2[j - 16] }
            }
        }
        put(0, c00, c01, c02)
        put(1, c10, c11, c12)
        put(2, c20, c21, c22)
        put(3, c30, c31, c32)
    }
}
