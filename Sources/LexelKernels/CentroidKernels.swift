// Nearest centroid among many small ones (product-quantiser parts of 1 to a few values): the centroids are stored
// transposed, so that one SIMD lane scores one centroid and a point is compared with 16 centroids at a time.

extension Kernels {
    /// The nearest of `k` centroids (`k` a multiple of 16) of dimension `d` to the point `x`, by squared L2
    /// distance: its index and distance. The centroids are transposed: value `j` of centroid `c` is
    /// `transposed[j * k + c]`. Ties go to the lower index. The distance sums `(x[j] - c[j])^2` in order of `j`.
    @inlinable
    public static func nearestCentroid(_ x: UnsafePointer<Float>, _ d: Int, transposed: UnsafePointer<Float>, _ k: Int) -> (index: Int, distance: Float) {
        var best = SIMD16<Float>(repeating: .infinity), bestIndex = SIMD16<Int32>(repeating: 0)
        let lanes = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let x0 = SIMD16<Float>(repeating: x[0]), x1 = SIMD16<Float>(repeating: d > 1 ? x[1] : 0)
        var block = 0
        while block < k {
            var acc: SIMD16<Float>
            if d == 2 {  // fastText's default part width, unrolled
                let d0 = x0 - UnsafeRawPointer(transposed + block).loadUnaligned(as: SIMD16<Float>.self)
                let d1 = x1 - UnsafeRawPointer(transposed + k + block).loadUnaligned(as: SIMD16<Float>.self)
                acc = d0 * d0 + d1 * d1
            } else {
                acc = SIMD16<Float>()
                for j in 0..<d {
                    let c = UnsafeRawPointer(transposed + j * k + block).loadUnaligned(as: SIMD16<Float>.self)
                    let diff = SIMD16<Float>(repeating: x[j]) - c
                    acc = acc + diff * diff
                }
            }
            let closer = acc .< best  // per lane: strictly closer keeps the earlier centroid on ties
            best.replace(with: acc, where: closer)
            bestIndex.replace(with: lanes &+ Int32(block), where: closer)
            block += 16
        }
        // horizontal minima by halves (a lane-by-lane scalar loop costs as much as the scoring)
        let distance = minimum(best)
        let index = minimum(bestIndex.replacing(with: .max, where: best .!= SIMD16<Float>(repeating: distance)))
        return (index == .max ? 0 : Int(index), distance)
    }

    /// The smallest lane, by halves. Two concrete overloads (Float, Int32): one generic over the scalar was not
    /// specialised and made `lexel quantize` 4x slower (measured: 25.7 s against 6.6 s).
    @inlinable @inline(__always)
    static func minimum(_ v: SIMD16<Float>) -> Float {
        let a = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .< v.lowHalf)
        let b = a.lowHalf.replacing(with: a.highHalf, where: a.highHalf .< a.lowHalf)
        let c = b.lowHalf.replacing(with: b.highHalf, where: b.highHalf .< b.lowHalf)
        return c.x < c.y ? c.x : c.y
    }

    /// The smallest lane, by halves.
    @inlinable @inline(__always)
    static func minimum(_ v: SIMD16<Int32>) -> Int32 {
        let a = v.lowHalf.replacing(with: v.highHalf, where: v.highHalf .< v.lowHalf)
        let b = a.lowHalf.replacing(with: a.highHalf, where: a.highHalf .< a.lowHalf)
        let c = b.lowHalf.replacing(with: b.highHalf, where: b.highHalf .< b.lowHalf)
        return c.x < c.y ? c.x : c.y
    }
}
