// SIMD kernels over raw Float pointers. Every hot loop of Lexel that touches vector rows calls these.
// Rows need not be aligned or padded: 16-wide blocks, then an 8- and a 4-wide step, then a scalar tail.

@inline(__always) @usableFromInline
func load8(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) @usableFromInline
func load4(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD4<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Float>.self)
}

@inline(__always) @usableFromInline
func store8(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ v: SIMD8<Float>) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
}

@inline(__always) @usableFromInline
func store4(_ p: UnsafeMutablePointer<Float>, _ i: Int, _ v: SIMD4<Float>) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD4<Float>.self)
}

/// Namespace for the vector kernels.
public enum Kernels {
    /// Dot product of two `n`-float vectors.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            s0 = s0.addingProduct(load8(a, i), load8(b, i))
            s1 = s1.addingProduct(load8(a, i + 8), load8(b, i + 8))
            i += 16
        }
        if i + 8 <= n {
            s0 = s0.addingProduct(load8(a, i), load8(b, i))
            i += 8
        }
        s0 += s1
        var s4 = s0.lowHalf + s0.highHalf
        if i + 4 <= n {
            s4 = s4.addingProduct(load4(a, i), load4(b, i))
            i += 4
        }
        let s2 = s4.lowHalf + s4.highHalf
        var s = s2.x + s2.y
        while i < n {
            s += a[i] * b[i]
            i += 1
        }
        return s
    }

    /// Four dot products against one vector in a single pass: the four rows' loads are independent, so their
    /// cache misses overlap instead of queueing (output rows of word2vec are random reads in a large matrix).
    @inlinable @inline(__always)
    public static func dot4(
        _ h: UnsafePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
        _ d: UnsafePointer<Float>, _ n: Int
    ) -> SIMD4<Float> {
        var sa = SIMD8<Float>(), sb = SIMD8<Float>(), sc = SIMD8<Float>(), sd = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let x = load8(h, i)
            sa = sa.addingProduct(x, load8(a, i))
            sb = sb.addingProduct(x, load8(b, i))
            sc = sc.addingProduct(x, load8(c, i))
            sd = sd.addingProduct(x, load8(d, i))
            i += 8
        }
        @inline(__always) func sum(_ v: SIMD8<Float>) -> Float {
            let q = v.lowHalf + v.highHalf
            let p = q.lowHalf + q.highHalf
            return p.x + p.y
        }
        var r = SIMD4<Float>(sum(sa), sum(sb), sum(sc), sum(sd))
        while i < n {
            r = r.addingProduct(SIMD4(a[i], b[i], c[i], d[i]), SIMD4(repeating: h[i]))
            i += 1
        }
        return r
    }

    /// `y += alpha * x`.
    @inlinable
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let a8 = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= n {
            store8(y, i, load8(UnsafePointer(y), i).addingProduct(a8, load8(x, i)))
            i += 8
        }
        if i + 4 <= n {
            store4(y, i, load4(UnsafePointer(y), i).addingProduct(a8.lowHalf, load4(x, i)))
            i += 4
        }
        while i < n {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// The logistic-loss update of one output row, fused into one pass over it:
    /// `grad += g * row` (with the row's old value), then `row += g * hidden`.
    @inlinable
    public static func fusedUpdate(
        _ g: Float, row: UnsafeMutablePointer<Float>, hidden: UnsafePointer<Float>,
        grad: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        let g8 = SIMD8<Float>(repeating: g)
        var i = 0
        while i + 8 <= n {
            let r = load8(UnsafePointer(row), i)
            store8(grad, i, load8(UnsafePointer(grad), i).addingProduct(g8, r))
            store8(row, i, r.addingProduct(g8, load8(hidden, i)))
            i += 8
        }
        if i + 4 <= n {
            let r = load4(UnsafePointer(row), i)
            store4(grad, i, load4(UnsafePointer(grad), i).addingProduct(g8.lowHalf, r))
            store4(row, i, r.addingProduct(g8.lowHalf, load4(hidden, i)))
            i += 4
        }
        while i < n {
            let r = row[i]
            grad[i] += g * r
            row[i] = r + g * hidden[i]
            i += 1
        }
    }

    /// `y *= alpha`.
    @inlinable
    public static func scale(_ alpha: Float, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let a8 = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= n {
            store8(y, i, load8(UnsafePointer(y), i) * a8)
            i += 8
        }
        while i < n {
            y[i] *= alpha
            i += 1
        }
    }

    /// `y += x`.
    @inlinable
    public static func add(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            store8(y, i, load8(UnsafePointer(y), i) + load8(x, i))
            i += 8
        }
        while i < n {
            y[i] += x[i]
            i += 1
        }
    }

    /// `y = sum of the rows `base + r * n` for r in `rows``, four rows per pass so that their cache misses overlap.
    @inlinable
    public static func sumRows(_ rows: UnsafeBufferPointer<Int32>, of base: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        zero(y, n)
        var k = 0
        while k + 4 <= rows.count {
            let a = base + Int(rows[k]) * n, b = base + Int(rows[k + 1]) * n
            let c = base + Int(rows[k + 2]) * n, d = base + Int(rows[k + 3]) * n
            var i = 0
            while i + 8 <= n {
                store8(y, i, load8(UnsafePointer(y), i) + ((load8(a, i) + load8(b, i)) + (load8(c, i) + load8(d, i))))
                i += 8
            }
            while i < n {
                y[i] += (a[i] + b[i]) + (c[i] + d[i])
                i += 1
            }
            k += 4
        }
        while k < rows.count {
            add(base + Int(rows[k]) * n, y, n)
            k += 1
        }
    }

    /// `y = a + b`.
    @inlinable
    public static func sum(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 8 <= n {
            store8(y, i, load8(a, i) + load8(b, i))
            i += 8
        }
        while i < n {
            y[i] = a[i] + b[i]
            i += 1
        }
    }

    /// Sets `n` floats to zero.
    @inlinable
    public static func zero(_ y: UnsafeMutablePointer<Float>, _ n: Int) {
        y.update(repeating: 0, count: n)
    }

    /// Euclidean norm.
    @inlinable
    public static func norm(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        dot(x, x, n).squareRoot()
    }

    /// Scales `x` to unit length in place; a zero vector stays zero. Returns the original norm.
    @inlinable @discardableResult
    public static func normalize(_ x: UnsafeMutablePointer<Float>, _ n: Int) -> Float {
        let nrm = norm(UnsafePointer(x), n)
        if nrm > 0 { scale(1 / nrm, x, n) }
        return nrm
    }
}
