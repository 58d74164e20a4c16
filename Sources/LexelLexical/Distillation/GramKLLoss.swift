#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore
import LexelKernels

/// Luxical's distillation loss: the student's and the teacher's similarity structure over a batch, compared
/// row by row as softmax distributions.
///
/// For a batch of `B` documents with student rows `Y` (`B x ds`) and teacher rows `Z` (`B x dt`; the two dims may
/// differ; rows are expected to be unit length), `S = Y Yᵀ` and `T = Z Zᵀ`. For each row `i`, over the
/// off-diagonal entries `j ≠ i`: `p_i = softmax(T_i· / τ)`, `q_i = softmax(S_i· / τ)`, and
///
///     L = τ² / B · Σ_i KL(p_i ‖ q_i)          (PyTorch's `kl_div(..., reduction="batchmean")`, times τ²)
///
/// Gradient (derived by hand, checked against finite differences in the tests): with `Σ_j p_ij = 1`,
/// `∂KL_i/∂S_ij = (q_ij − p_ij) / τ`, so `G_ij = ∂L/∂S_ij = τ / B · (q_ij − p_ij)` off the diagonal and 0 on it;
/// through `S = Y Yᵀ` each `S_ij` depends on rows `i` and `j`: `∂L/∂Y = (G + Gᵀ) Y`.
public struct GramKLLoss: Sendable {
    /// Softmax temperature τ (Luxical: 3).
    public var temperature: Float

    public init(temperature: Float = 3) { self.temperature = temperature }

    /// The loss of one batch, and `∂L/∂Y` (`count x studentDim`) into `gradient` when it is given.
    /// `workspace` keeps the `B x B` buffers between calls.
    public func evaluate(student y: UnsafePointer<Float>, studentDim ds: Int, teacher z: UnsafePointer<Float>,
                         teacherDim dt: Int, count b: Int, gradient: UnsafeMutablePointer<Float>?,
                         workspace: GramKLWorkspace, threads: Int = 1) -> Double {
        if let gradient { Kernels.zero(gradient, b * ds) }
        guard b >= 2 else { return 0 }
        let s = workspace.s.reserve(b * b), t = workspace.t.reserve(b * b)
        // Gram matrices: S = Y Yᵀ, T = Z Zᵀ (Yᵀ packed from Y read as n x k).
        let yT = workspace.packed(0, rows: ds, cols: b), zT = workspace.packed(1, rows: dt, cols: b)
        DenseOps.repack(yT, from: y, transposed: true, threads: threads)
        DenseOps.repack(zT, from: z, transposed: true, threads: threads)
        DenseOps.multiply(y, rows: b, lda: ds, yT, into: s, ldc: b, threads: threads)
        DenseOps.multiply(z, rows: b, lda: dt, zT, into: t, ldc: b, threads: threads)

        let perRow = UnsafeMutablePointer<Double>.allocate(capacity: b)
        defer { perRow.deallocate() }
        let (us, ut, ul) = (Unchecked(s), Unchecked(t), Unchecked(perRow))
        let tau = temperature, withGradient = gradient != nil
        DenseOps.parallel(b, threads: threads) { rows in
            for i in rows {
                ul.value[i] = GramKLLoss.row(i, us.value + i * b, ut.value + i * b, b, tau, withGradient)
            }
        }
        // Per-row KL values are summed in row order (thread-count independent), in double.
        var total = 0.0
        for i in 0..<b { total += perRow[i] }
        let loss = Double(tau) * Double(tau) / Double(b) * total

        if let gradient {
            // S now holds G; dY = (G + Gᵀ) Y.
            DenseOps.symmetrize(s, b)
            let yPacked = workspace.packed(2, rows: b, cols: ds)
            DenseOps.repack(yPacked, from: y, transposed: false, threads: threads)
            DenseOps.multiply(s, rows: b, lda: b, yPacked, into: gradient, ldc: ds, threads: threads)
        }
        return loss
    }

    /// KL(p_i ‖ q_i) of row `i` (`sRow`, `tRow`: the rows of S and T). With `gradient`, `sRow` is overwritten by
    /// row `i` of G (diagonal 0); `tRow` is clobbered either way.
    ///
    /// With `es_j = exp((S_ij − maxS)/τ)`, `et_j = exp((T_ij − maxT)/τ)`, `Zs = Σ es`, `Zt = Σ et`:
    /// `KL = Σ_j p_j (log p_j − log q_j) = (Σ_j et_j (T_ij − S_ij)) / (Zt τ) − (maxT − maxS)/τ − log Zt + log Zs`.
    static func row(_ i: Int, _ sRow: UnsafeMutablePointer<Float>, _ tRow: UnsafeMutablePointer<Float>, _ b: Int,
                    _ tau: Float, _ withGradient: Bool) -> Double {
        var ms = -Float.infinity, mt = -Float.infinity
        for j in 0..<b where j != i {
            ms = max(ms, sRow[j])
            mt = max(mt, tRow[j])
        }
        let inv = 1 / tau
        var zs = 0.0, zt = 0.0, cross = 0.0
        for j in 0..<b where j != i {
            let es = expf((sRow[j] - ms) * inv), et = expf((tRow[j] - mt) * inv)
            zs += Double(es)
            zt += Double(et)
            cross += Double(et) * Double(tRow[j] - sRow[j])
            sRow[j] = es
            tRow[j] = et
        }
        let kl = cross / (zt * Double(tau)) - Double(mt - ms) / Double(tau) - log(zt) + log(zs)
        if withGradient {
            let scale = Double(tau) / Double(b)
            let (a, c) = (Float(scale / zs), Float(scale / zt))
            for j in 0..<b { sRow[j] = j == i ? 0 : a * sRow[j] - c * tRow[j] }
        }
        return max(0, kl)  // KL >= 0; clamps rounding below zero
    }
}

/// Reusable buffers for `GramKLLoss.evaluate` (the `B x B` Gram matrices and packed operands).
public final class GramKLWorkspace: @unchecked Sendable {
    let s = FloatBuffer(), t = FloatBuffer()
    private var packs: [Gemm.PackedMatrix?] = [nil, nil, nil]

    public init() {}

    /// Packed matrix slot `i` of shape `k x n`, reused while the shape stays the same.
    func packed(_ i: Int, rows k: Int, cols n: Int) -> Gemm.PackedMatrix {
        if let p = packs[i], p.rows == k, p.cols == n { return p }
        let p = DenseOps.packedMatrix(rows: k, cols: n)
        packs[i] = p
        return p
    }
}

extension GramKLLoss {
    /// Array convenience: the loss and `∂L/∂Y` of a batch of `count` student rows and teacher rows.
    public func evaluate(student: [Float], teacher: [Float], count: Int) -> (loss: Double, gradient: [Float]) {
        precondition(count > 0 && student.count % count == 0 && teacher.count % count == 0, "rows do not divide")
        let ds = student.count / count, dt = teacher.count / count
        var g = [Float](repeating: 0, count: student.count)
        let ws = GramKLWorkspace()
        let loss = student.withUnsafeBufferPointer { y in
            teacher.withUnsafeBufferPointer { z in
                g.withUnsafeMutableBufferPointer { gp in
                    evaluate(student: y.baseAddress!, studentDim: ds, teacher: z.baseAddress!, teacherDim: dt,
                             count: count, gradient: gp.baseAddress!, workspace: ws)
                }
            }
        }
        return (loss, g)
    }
}
