import LexelCore
import LexelKernels

/// Threaded building blocks of the trainer: matrix products through `Gemm`, packing, transposes.
/// Every split is by output rows, so each output element is computed by one thread in one fixed order:
/// results do not depend on the thread count.
enum DenseOps {
    /// Runs `body` on `threads` contiguous slices of `0..<count` (slice starts are multiples of `align`).
    static func parallel(_ count: Int, threads: Int, align: Int = 1, _ body: @escaping @Sendable (Range<Int>) -> Void) {
        parallelFor(count, threads: threads, align: align) { _, range in body(range) }
    }

    /// An empty (zero) packed matrix of shape `k x n`, for `repack` to fill.
    static func packedMatrix(rows k: Int, cols n: Int) -> Gemm.PackedMatrix {
        let zero = UnsafeMutablePointer<Float>.allocate(capacity: max(1, k * n))
        zero.initialize(repeating: 0, count: max(1, k * n))
        defer { zero.deallocate() }
        return Gemm.PackedMatrix(zero, rows: k, cols: n)
    }

    /// Refills `p` (shape `k x n`) from `w`: row-major `k x n` (`transposed: false`) or `n x k` (`transposed: true`).
    /// Same layout as `Gemm.PackedMatrix.init`, but cache-friendly and threaded, for packing every step.
    static func repack(_ p: Gemm.PackedMatrix, from w: UnsafePointer<Float>, transposed: Bool, threads: Int) {
        let k = p.rows, n = p.cols, panel = Gemm.panel
        let (dst, src) = (Unchecked(p.data), Unchecked(w))
        if !transposed {
            // Each source row p scatters 24-float slices into every panel.
            parallel(k, threads: threads) { rows in
                for r in rows {
                    let row = src.value + r * n
                    for pj in 0..<p.panels {
                        let j0 = pj * panel, width = min(panel, n - j0)
                        (dst.value + pj * k * panel + r * panel).update(from: row + j0, count: width)
                    }
                }
            }
        } else {
            // Column j of W is row j of the source: read it contiguously, write with stride 24.
            parallel(p.panels, threads: threads) { panels in
                for pj in panels {
                    let j0 = pj * panel, width = min(panel, n - j0)
                    let base = dst.value + pj * k * panel
                    var r0 = 0
                    while r0 < k {
                        let r1 = min(k, r0 + 64)
                        for c in 0..<width {
                            let s = src.value + (j0 + c) * k
                            for r in r0..<r1 { base[r * panel + c] = s[r] }
                        }
                        r0 = r1
                    }
                }
            }
        }
    }

    /// `C (m x n) = A (m x k) x P`, rows of A split over the threads.
    static func multiply(_ a: UnsafePointer<Float>, rows m: Int, lda: Int, _ p: Gemm.PackedMatrix,
                         into c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
        let (ua, uc) = (Unchecked(a), Unchecked(c))
        parallel(m, threads: threads, align: 4) { rows in
            Gemm.multiply(ua.value + rows.lowerBound * lda, rows: rows.count, lda: lda, p,
                          into: uc.value + rows.lowerBound * ldc, ldc: ldc)
        }
    }

    /// `dst (cols x rows) = transpose(src (rows x cols))`, in 32 x 32 tiles.
    static func transpose(_ src: UnsafePointer<Float>, rows: Int, cols: Int, into dst: UnsafeMutablePointer<Float>,
                          threads: Int) {
        let (s, d) = (Unchecked(src), Unchecked(dst))
        parallel(cols, threads: threads, align: 32) { range in
            var j0 = range.lowerBound
            while j0 < range.upperBound {
                let j1 = min(range.upperBound, j0 + 32)
                var i0 = 0
                while i0 < rows {
                    let i1 = min(rows, i0 + 32)
                    for j in j0..<j1 {
                        let out = d.value + j * rows
                        for i in i0..<i1 { out[i] = s.value[i * cols + j] }
                    }
                    i0 = i1
                }
                j0 = j1
            }
        }
    }

    /// `g = g + transpose(g)` for a square `n x n` matrix, in place, in 32 x 32 tiles.
    static func symmetrize(_ g: UnsafeMutablePointer<Float>, _ n: Int) {
        var i0 = 0
        while i0 < n {
            let i1 = min(n, i0 + 32)
            var j0 = i0
            while j0 < n {
                let j1 = min(n, j0 + 32)
                for i in i0..<i1 {
                    for j in max(j0, i)..<j1 {
                        let s = g[i * n + j] + g[j * n + i]
                        g[i * n + j] = s
                        g[j * n + i] = s
                    }
                }
                j0 = j1
            }
            i0 = i1
        }
    }
}

/// A 64-byte aligned, zero-filled Float buffer owned by a class, regrown on demand.
final class FloatBuffer: @unchecked Sendable {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(_ count: Int = 0) {
        capacity = max(1, count)
        pointer = FloatBuffer.allocate(capacity)
    }

    deinit { UnsafeMutableRawPointer(pointer).deallocate() }

    static func allocate(_ n: Int) -> UnsafeMutablePointer<Float> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
        let p = raw.bindMemory(to: Float.self, capacity: n)
        p.initialize(repeating: 0, count: n)
        return p
    }

    /// The buffer, holding at least `n` floats (contents are lost when it grows).
    func reserve(_ n: Int) -> UnsafeMutablePointer<Float> {
        if n > capacity {
            UnsafeMutableRawPointer(pointer).deallocate()
            capacity = n
            pointer = FloatBuffer.allocate(n)
        }
        return pointer
    }
}
