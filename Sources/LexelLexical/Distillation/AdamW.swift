#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore

/// AdamW hyper-parameters (PyTorch's `torch.optim.AdamW` update, decoupled weight decay).
public struct AdamWOptions: Sendable, Equatable {
    public var beta1: Float = 0.9
    /// Luxical uses one beta for both moments (0.9), not PyTorch's default 0.999.
    public var beta2: Float = 0.9
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0

    public init(beta1: Float = 0.9, beta2: Float = 0.9, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        (self.beta1, self.beta2, self.epsilon, self.weightDecay) = (beta1, beta2, epsilon, weightDecay)
    }
}

/// One AdamW step, as PyTorch computes it. With step count `t` (1 for the first update), gradient `g`:
///
///     m ← β₁ m + (1 − β₁) g
///     v ← β₂ v + (1 − β₂) g²
///     w ← w (1 − lr · λ) − lr / (1 − β₁ᵗ) · m / (sqrt(v) / sqrt(1 − β₂ᵗ) + ε)
///
/// Lazy (sparse) rows — W₀, where a batch touches a few thousand of up to millions of rows: only the rows that
/// occur in the batch are updated, with the global step count `t` in the bias corrections. A row absent from
/// a batch keeps its weights AND its moments unchanged that step (no decay of `m` and `v`, no weight decay, no
/// momentum-only move), exactly `torch.optim.SparseAdam`'s semantics, plus AdamW's decoupled weight decay applied
/// to the touched rows only. Dense AdamW (Luxical's choice, O(V) per step) also moves untouched rows by their
/// decaying momentum; `DistillOptions.lazyW0 = false` gives that exactly.
public struct AdamW: Sendable {
    public var options: AdamWOptions

    public init(_ options: AdamWOptions) { self.options = options }

    /// The bias-corrected step factors for step `t`: `lr / (1 − β₁ᵗ)` and `1 / sqrt(1 − β₂ᵗ)`.
    func corrections(lr: Float, step t: Int) -> (stepSize: Float, invRoot2: Float) {
        let c1 = 1 - pow(Double(options.beta1), Double(t))
        let c2 = 1 - pow(Double(options.beta2), Double(t))
        return (Float(Double(lr) / c1), Float(1 / c2.squareRoot()))
    }

    /// Updates `n` contiguous weights with their gradient and moments.
    @inline(__always)
    func update(_ w: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                _ v: UnsafeMutablePointer<Float>, _ n: Int, lr: Float, stepSize: Float, invRoot2: Float) {
        let b1 = options.beta1, b2 = options.beta2
        let decay = 1 - lr * options.weightDecay
        let (b1v, a1v, b2v, a2v) = (SIMD8(repeating: b1), SIMD8(repeating: 1 - b1), SIMD8(repeating: b2),
                                    SIMD8(repeating: 1 - b2))
        let (dv, sv, rv, ev) = (SIMD8(repeating: decay), SIMD8(repeating: stepSize), SIMD8(repeating: invRoot2),
                                SIMD8<Float>(repeating: options.epsilon))
        var i = 0
        while i + 8 <= n {
            let gi = load8(g, i)
            let mi = b1v * load8(UnsafePointer(m), i) + a1v * gi
            let vi = b2v * load8(UnsafePointer(v), i) + a2v * gi * gi
            store8(m, i, mi)
            store8(v, i, vi)
            let denom = vi.squareRoot() * rv + ev
            store8(w, i, load8(UnsafePointer(w), i) * dv - sv * mi / denom)
            i += 8
        }
        while i < n {
            let gi = g[i]
            m[i] = b1 * m[i] + (1 - b1) * gi
            v[i] = b2 * v[i] + (1 - b2) * gi * gi
            w[i] = w[i] * decay - stepSize * m[i] / (v[i].squareRoot() * invRoot2 + options.epsilon)
            i += 1
        }
    }

    /// A dense step over `n` weights, split over the threads.
    public func step(weights w: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
                     m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, count n: Int, lr: Float,
                     step t: Int, threads: Int) {
        let (stepSize, invRoot2) = corrections(lr: lr, step: t)
        let (uw, ug, um, uv, me) = (Unchecked(w), Unchecked(g), Unchecked(m), Unchecked(v), self)
        DenseOps.parallel(n, threads: threads, align: 16) { r in
            let o = r.lowerBound
            me.update(uw.value + o, ug.value + o, um.value + o, uv.value + o, r.count, lr: lr, stepSize: stepSize,
                      invRoot2: invRoot2)
        }
    }

    /// A lazy step on the rows `rows` (ascending, distinct) of a `width`-wide matrix: gradient row `k` belongs to
    /// row `rows[k]`. Other rows and their moments are left as they are.
    public func step(rows: [Int32], width: Int, weights w: UnsafeMutablePointer<Float>, gradient g: UnsafePointer<Float>,
                     m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, lr: Float, step t: Int,
                     threads: Int) {
        let (stepSize, invRoot2) = corrections(lr: lr, step: t)
        let (uw, ug, um, uv, me) = (Unchecked(w), Unchecked(g), Unchecked(m), Unchecked(v), self)
        rows.withUnsafeBufferPointer { rp in
            let ur = Unchecked(rp)
            DenseOps.parallel(rp.count, threads: threads) { range in
                for k in range {
                    let o = Int(ur.value[k]) * width
                    me.update(uw.value + o, ug.value + k * width, um.value + o, uv.value + o, width, lr: lr,
                              stepSize: stepSize, invRoot2: invRoot2)
                }
            }
        }
    }

    /// A dense step over all `rowCount` rows of a `width`-wide matrix whose gradient is zero outside `rows`
    /// (full AdamW on W₀: untouched rows still decay their moments and move by them).
    public func step(allRows rowCount: Int, touched rows: [Int32], width: Int, weights w: UnsafeMutablePointer<Float>,
                     gradient g: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
                     lr: Float, step t: Int, threads: Int) {
        let (stepSize, invRoot2) = corrections(lr: lr, step: t)
        let (uw, ug, um, uv, me) = (Unchecked(w), Unchecked(g), Unchecked(m), Unchecked(v), self)
        let zero = Unchecked(FloatBuffer.allocate(width))
        defer { UnsafeMutableRawPointer(zero.value).deallocate() }
        rows.withUnsafeBufferPointer { rp in
            let ur = Unchecked(rp)
            DenseOps.parallel(rowCount, threads: threads) { range in
                // the first touched row at or after the range start, by binary search
                var lo = 0, hi = ur.value.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if Int(ur.value[mid]) < range.lowerBound { lo = mid + 1 } else { hi = mid }
                }
                var k = lo
                for r in range {
                    var grad = UnsafePointer(zero.value)
                    if k < ur.value.count && Int(ur.value[k]) == r {
                        grad = ug.value + k * width
                        k += 1
                    }
                    let o = r * width
                    me.update(uw.value + o, grad, um.value + o, uv.value + o, width, lr: lr, stepSize: stepSize,
                              invRoot2: invRoot2)
                }
            }
        }
    }
}

@inline(__always) private func load8(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) private func store8(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ v: SIMD8<Float>) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
}
