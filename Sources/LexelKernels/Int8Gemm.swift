import CKernels

extension Gemm {
    /// A weight matrix `k x n` quantised to signed integers in -63...63 with one scale per column (symmetric: the
    /// largest magnitude of column `j` maps to 63; 7 bits leave the AVX2 kernel room to add four products in 16 bits:
    /// `LexicalBench dense --layers int8` on the Luxical shape, 1 thread, AVX2 EPYC, 155-173 -> 197-203 GOPS; in a
    /// float simulation of that shape the worst cosine to f32 moves from 0.99982 to 0.99971),
    /// packed for `multiply(_:rows:lda:rowScales:_:into:ldc:)`: panels of 16
    /// columns, each holding 4 consecutive inputs x 16 columns per 64 bytes (`lexel_gemm_u8i8`'s layout).
    public final class Int8Matrix: @unchecked Sendable {
        public let rows: Int  // k
        public let cols: Int  // n
        /// Groups of four inputs (`k` rounded up to a multiple of 4, divided by 4).
        public let quads: Int
        /// Dequantisation factor of each column: weight = byte x scale.
        public let scales: [Float]
        let data: UnsafeMutableRawPointer

        /// Quantises `w`, given row-major `k x n` (`transposed: false`) or as `n x k` (`transposed: true`).
        public init(_ w: UnsafePointer<Float>, rows k: Int, cols n: Int, transposed: Bool = false) {
            (rows, cols, quads) = (k, n, (k + 3) / 4)
            @inline(__always) func at(_ p: Int, _ j: Int) -> Float { transposed ? w[j * k + p] : w[p * n + j] }
            var scales = [Float](repeating: 0, count: n)
            for j in 0..<n {
                var m: Float = 0
                for p in 0..<k { m = max(m, abs(at(p, j))) }
                scales[j] = m / Int8Matrix.largest
            }
            let panels = (n + 15) / 16, bytes = max(64, panels * quads * 64)
            data = .allocate(byteCount: bytes, alignment: 64)
            data.initializeMemory(as: Int8.self, repeating: 0, count: bytes)
            let q = data.assumingMemoryBound(to: Int8.self)
            for j in 0..<n where scales[j] > 0 {
                let inv = 1 / scales[j], base = q + (j / 16) * quads * 64 + 4 * (j % 16)
                for p in 0..<k {
                    let v = (at(p, j) * inv).rounded(.toNearestOrEven)
                    base[(p / 4) * 64 + p % 4] = Int8(max(-Int8Matrix.largest, min(Int8Matrix.largest, v)))
                }
            }
            self.scales = scales
        }

        deinit { data.deallocate() }

        /// The largest quantised magnitude.
        public static let largest: Float = 63

        /// Element `(p, j)` after quantisation (byte x scale).
        public subscript(p: Int, j: Int) -> Float {
            let q = data.assumingMemoryBound(to: Int8.self)
            return Float(q[(j / 16) * quads * 64 + 4 * (j % 16) + (p / 4) * 64 + p % 4]) * scales[j]
        }
    }

    /// Bytes per row of quantised activations for a matrix of `k` inputs (`k` rounded up to a multiple of 4).
    @inlinable public static func quantizedStride(_ k: Int) -> Int { (k + 3) & ~3 }

    /// Quantises `m` rows of `k` non-negative activations (negative values count as 0) to 0...127, the largest
    /// value of each row mapping to 127; `scales[i]` receives row `i`'s dequantisation factor. Rows of `q` have
    /// stride `ldq >= quantizedStride(k)`; the padding bytes are zeroed.
    public static func quantizeRows(_ a: UnsafePointer<Float>, rows m: Int, cols k: Int, lda: Int,
                                    into q: UnsafeMutablePointer<UInt8>, ldq: Int, scales: UnsafeMutablePointer<Float>) {
        lexel_quantize_rows_u7(a, m, k, lda, q, ldq, scales)
    }

    /// `C[i, j] = rowScales[i] x W.scales[j] x sum_p A[i, p] x W[p, j]` over quantised activations `a` (rows of
    /// stride `lda >= quantizedStride(w.rows)`, from `quantizeRows`).
    /// `path` caps the kernel (2 = AVX-512 VNNI, 1 = AVX2, 0 = scalar; the CPU's best by default): every path gives
    /// the same bits.
    public static func multiply(_ a: UnsafePointer<UInt8>, rows m: Int, lda: Int, rowScales: UnsafePointer<Float>,
                                _ w: Int8Matrix, into c: UnsafeMutablePointer<Float>, ldc: Int, path: Int32 = 2) {
        w.scales.withUnsafeBufferPointer { s in
            lexel_gemm_u8i8_using(path, a, m, lda, w.data.assumingMemoryBound(to: Int8.self), w.quads, w.cols, rowScales,
                                  s.baseAddress!, c, ldc)
        }
    }

    /// The int8 product's kernel on this CPU: "avx512-vnni", "avx2" or "scalar".
    public static var int8Kernel: String { ["scalar", "avx2", "avx512-vnni"][Int(lexel_gemm_u8i8_path())] }
    /// Its path number (see `multiply`).
    public static var int8Path: Int32 { lexel_gemm_u8i8_path() }
}
