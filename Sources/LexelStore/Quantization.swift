import LexelKernels

/// Row encodings of the `.lxv` format: f32 as is, f16 (IEEE binary16), int8 with one f32 scale per row
/// (value = code x scale, scale = max |x| / 127: symmetric, so zero stays exactly zero).
public enum RowCodec {
    /// Encodes `dim` floats into `out` (dtype.size x dim bytes); returns the int8 scale (1 for other types).
    public static func encode(_ x: UnsafePointer<Float>, _ dim: Int, _ dtype: VectorFileFormat.DType,
                       into out: UnsafeMutableRawPointer) -> Float {
        switch dtype {
        case .f32:
            out.copyMemory(from: x, byteCount: dim * 4)
            return 1
        case .f16:
            let o = out.bindMemory(to: Float16.self, capacity: dim)
            for i in 0..<dim { o[i] = Float16(x[i]) }
            return 1
        case .int8:
            var m: Float = 0
            for i in 0..<dim { m = max(m, abs(x[i])) }
            let scale = m > 0 ? m / 127 : 1
            let o = out.bindMemory(to: Int8.self, capacity: dim)
            for i in 0..<dim { o[i] = Int8(max(-127, min(127, (x[i] / scale).rounded()))) }
            return scale
        }
    }

    /// Decodes one row into floats.
    @inlinable
    public static func decode(_ p: UnsafeRawPointer, _ dim: Int, _ dtype: VectorFileFormat.DType, scale: Float,
                       into out: UnsafeMutablePointer<Float>) {
        switch dtype {
        case .f32:
            out.update(from: p.assumingMemoryBound(to: Float.self), count: dim)
        case .f16:
            let h = p.assumingMemoryBound(to: Float16.self)
            for i in 0..<dim { out[i] = Float(h[i]) }
        case .int8:
            let c = p.assumingMemoryBound(to: Int8.self)
            for i in 0..<dim { out[i] = Float(c[i]) * scale }
        }
    }
}

/// The per-row scales of int8 rows, stored as f32 or (when every scale is a normal binary16 number) as f16.
struct RowScales: @unchecked Sendable {
    let base: UnsafeRawPointer?
    let half: Bool

    static let none = RowScales(base: nil, half: false)

    /// 1 when the rows have no scales (f32 and f16 files).
    @inline(__always) subscript(r: Int) -> Float {
        guard let base else { return 1 }
        return half ? Float(base.loadUnaligned(fromByteOffset: 2 * r, as: Float16.self))
                    : base.loadUnaligned(fromByteOffset: 4 * r, as: Float.self)
    }

    /// Whether every scale survives a round trip through f16 within its precision (normal, finite).
    static func fitHalf(_ s: [Float]) -> Bool {
        s.allSatisfy { $0 >= Float(Float16.leastNormalMagnitude) && $0 <= Float(Float16.greatestFiniteMagnitude) }
    }

    static func encode(_ s: [Float], half: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.count * (half ? 2 : 4))
        for v in s {
            if half { out.appendLE(Float16(v).bitPattern) } else { out.appendLE(v.bitPattern) }
        }
        return out
    }
}
