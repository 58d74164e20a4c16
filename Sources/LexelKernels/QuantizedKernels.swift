// Dot products of an f32 query with rows stored as f16 or int8 (the `.lxv` dtypes), decoding in registers:
// a scan over quantised rows then reads 2x or 4x fewer bytes than over f32 rows.

extension Kernels {
    /// Dot product of `n` floats with `n` IEEE binary16 values.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, f16 b: UnsafePointer<Float16>, _ n: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            let h0 = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float16>.self)
            let h1 = UnsafeRawPointer(b + i + 8).loadUnaligned(as: SIMD8<Float16>.self)
            s0 = s0.addingProduct(load8(a, i), SIMD8<Float>(h0))
            s1 = s1.addingProduct(load8(a, i + 8), SIMD8<Float>(h1))
            i += 16
        }
        if i + 8 <= n {
            s0 = s0.addingProduct(load8(a, i), SIMD8<Float>(UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float16>.self)))
            i += 8
        }
        s0 += s1
        let s4 = s0.lowHalf + s0.highHalf
        let s2 = s4.lowHalf + s4.highHalf
        var s = s2.x + s2.y
        while i < n {
            s += a[i] * Float(b[i])
            i += 1
        }
        return s
    }

    /// Dot product of `n` floats with `n` int8 codes (multiply by the row's scale afterwards).
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, int8 b: UnsafePointer<Int8>, _ n: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var i = 0
        while i + 16 <= n {
            let c = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Int8>.self)
            s0 = s0.addingProduct(load8(a, i), SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: c.lowHalf)))
            s1 = s1.addingProduct(load8(a, i + 8), SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: c.highHalf)))
            i += 16
        }
        s0 += s1
        let s4 = s0.lowHalf + s0.highHalf
        let s2 = s4.lowHalf + s4.highHalf
        var s = s2.x + s2.y
        while i < n {
            s += a[i] * Float(b[i])
            i += 1
        }
        return s
    }

    /// Sum of squares of `n` IEEE binary16 values (their squared L2 norm).
    @inlinable
    public static func sumOfSquares(f16 b: UnsafePointer<Float16>, _ n: Int) -> Float {
        var s0 = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let x = SIMD8<Float>(UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float16>.self))
            s0 = s0.addingProduct(x, x)
            i += 8
        }
        let s4 = s0.lowHalf + s0.highHalf
        let s2 = s4.lowHalf + s4.highHalf
        var s = s2.x + s2.y
        while i < n {
            s += Float(b[i]) * Float(b[i])
            i += 1
        }
        return s
    }

    /// Sum of squares of `n` int8 codes (multiply by the squared scale afterwards).
    @inlinable
    public static func sumOfSquares(int8 b: UnsafePointer<Int8>, _ n: Int) -> Float {
        var s0 = SIMD8<Int32>()
        var i = 0
        while i + 8 <= n {
            let x = SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Int8>.self))
            s0 &+= x &* x
            i += 8
        }
        var s = Int(s0.wrappedSum())
        while i < n {
            s += Int(b[i]) * Int(b[i])
            i += 1
        }
        return Float(s)
    }

    /// `y += alpha * x` for `n` IEEE binary16 values of `x`.
    @inlinable
    public static func axpy(_ alpha: Float, f16 x: UnsafePointer<Float16>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let a8 = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= n {
            let h = SIMD8<Float>(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float16>.self))
            store8(y, i, load8(UnsafePointer(y), i).addingProduct(a8, h))
            i += 8
        }
        while i < n {
            y[i] += alpha * Float(x[i])
            i += 1
        }
    }

    /// `y += alpha * x` for `n` int8 codes of `x` (fold the row's scale into `alpha`).
    @inlinable
    public static func axpy(_ alpha: Float, int8 x: UnsafePointer<Int8>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let a8 = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= n {
            let c = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Int8>.self)))
            store8(y, i, load8(UnsafePointer(y), i).addingProduct(a8, c))
            i += 8
        }
        while i < n {
            y[i] += alpha * Float(x[i])
            i += 1
        }
    }
}
