import CKernels

extension Gemm {
    /// A weight matrix `k x n` rounded to bfloat16 (to nearest even: 8 significant bits, f32's range), packed for
    /// `multiply(_:rows:lda:_:into:ldc:)`: panels of 16 columns, each holding 2 consecutive inputs x 16 columns per
    /// 64 bytes (`lexel_gemm_bf16`'s layout). Half the bytes of f32 weights; sums stay in f32.
    public final class BF16Matrix: @unchecked Sendable {
        public let rows: Int  // k
        public let cols: Int  // n
        /// Pairs of inputs (`k` rounded up to even, divided by 2).
        public let pairs: Int
        let data: UnsafeMutablePointer<UInt16>

        /// Rounds `w`, given row-major `k x n` (`transposed: false`) or as `n x k` (`transposed: true`).
        public init(_ w: UnsafePointer<Float>, rows k: Int, cols n: Int, transposed: Bool = false) {
            (rows, cols, pairs) = (k, n, (k + 1) / 2)
            let panels = (n + 15) / 16, count = max(32, panels * pairs * 32)
            data = UnsafeMutableRawPointer.allocate(byteCount: 2 * count, alignment: 64).bindMemory(to: UInt16.self, capacity: count)
            data.initialize(repeating: 0, count: count)
            var column = [Float](repeating: 0, count: k), rounded = [UInt16](repeating: 0, count: k)
            for j in 0..<n {
                for p in 0..<k { column[p] = transposed ? w[j * k + p] : w[p * n + j] }
                lexel_bf16_round(column, k, &rounded)
                let base = data + (j / 16) * pairs * 32 + 2 * (j % 16)
                for p in 0..<k { base[(p / 2) * 32 + p % 2] = rounded[p] }
            }
        }

        deinit { data.deallocate() }

        /// Element `(p, j)` as stored (the bf16 value widened to f32).
        public subscript(p: Int, j: Int) -> Float {
            Float(bitPattern: UInt32(data[(j / 16) * pairs * 32 + 2 * (j % 16) + (p / 2) * 32 + p % 2]) << 16)
        }
    }

    /// Values per row of bf16 activations for a matrix of `k` inputs (`k` rounded up to even).
    @inlinable public static func bf16Stride(_ k: Int) -> Int { (k + 1) & ~1 }

    /// Rounds `m` rows of `k` activations to bf16 (to nearest even) into rows of stride `ldq >= bf16Stride(k)`.
    public static func roundRowsBF16(_ a: UnsafePointer<Float>, rows m: Int, cols k: Int, lda: Int,
                                     into q: UnsafeMutablePointer<UInt16>, ldq: Int) {
        lexel_bf16_round_rows(a, m, k, lda, q, ldq)
    }

    /// `C[i, j] = sum_p A[i, p] x W[p, j]` over bf16 activations `a` (rows of stride `lda >= bf16Stride(w.rows)`,
    /// from `roundRowsBF16`), summed in f32. `path` caps the kernel (1 = AVX-512 BF16, 0 = plain C: slow, for
    /// tests; the CPU's best by default).
    public static func multiply(_ a: UnsafePointer<UInt16>, rows m: Int, lda: Int, _ w: BF16Matrix,
                                into c: UnsafeMutablePointer<Float>, ldc: Int, path: Int32 = 1) {
        lexel_gemm_bf16_using(path, a, m, lda, w.data, w.pairs, w.cols, c, ldc)
    }

    /// The bf16 product's kernel on this CPU: "avx512-bf16", or "none" where the CPU lacks AVX-512 BF16 (or
    /// `LEXEL_MAX_ISA` caps it) and bf16 dense layers are refused.
    public static var bf16Kernel: String { bf16Available ? "avx512-bf16" : "none" }
    /// Whether this CPU runs bf16 dense layers at speed.
    public static var bf16Available: Bool { lexel_gemm_bf16_path() == 1 }
}
