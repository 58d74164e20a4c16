/// How the values of a stored row are encoded.
public enum RowType: String, CaseIterable, Sendable {
    case f32, f16, int8

    /// Bytes per value.
    public var size: Int {
        switch self {
        case .f32: 4
        case .f16: 2
        case .int8: 1
        }
    }
}

/// Row encodings of stored vectors (`.lxv` rows, lexical-model weights): f32 as is, f16 (IEEE binary16), int8 with one f32 scale per row
/// (value = code x scale, scale = max |x| / 127: symmetric, so zero stays exactly zero).
public enum RowCodec {
    /// Encodes `dim` floats into `out` (dtype.size x dim bytes); returns the int8 scale (1 for other types).
    public static func encode(_ x: UnsafePointer<Float>, _ dim: Int, _ dtype: RowType,
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
    public static func decode(_ p: UnsafeRawPointer, _ dim: Int, _ dtype: RowType, scale: Float,
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
