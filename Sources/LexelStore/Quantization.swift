import LexelContainer

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
