extension Kernels {
    /// The index of the first NaN or infinity among `count` floats, or nil. Scans 16 lanes at a time by the
    /// exponent bits (all ones only for NaN and infinity), at memory speed.
    @inlinable
    public static func firstNonFinite(_ p: UnsafePointer<Float>, _ count: Int) -> Int? {
        let bits = UnsafeRawPointer(p)
        let exponent: UInt32 = 0x7F80_0000
        var i = 0
        while i < count {
            let end = min(count, i + 4096)
            var acc = SIMD16<UInt32>(repeating: 0)
            var j = i
            while j + 16 <= end {
                acc = pointwiseMax(acc, bits.loadUnaligned(fromByteOffset: 4 * j, as: SIMD16<UInt32>.self) & exponent)
                j += 16
            }
            var tail: UInt32 = 0
            while j < end { tail = max(tail, p[j].bitPattern & exponent); j += 1 }
            if any(acc .== exponent) || tail == exponent {
                for k in i..<end where !p[k].isFinite { return k }
            }
            i = end
        }
        return nil
    }
}
