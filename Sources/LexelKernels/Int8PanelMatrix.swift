import CKernels

/// Rows (centroids) as 8-bit codes packed for `CKernels/I8Panels.c`: each row scaled by its largest magnitude to
/// -127...127. `argmax` finds, for points coded the same way, the row with the largest product plus bias, from
/// exact integer sums (VNNI where the CPU has it; an exact but slow plain path elsewhere).
public final class Int8PanelMatrix: @unchecked Sendable {
    public let count: Int
    public let dim: Int
    /// Groups of 4 values per row (the codes are zero-padded to `4 * quads`).
    public let quads: Int
    let panels: Int
    let packed: UnsafeMutablePointer<Int8>
    let colsum: UnsafeMutablePointer<Int32>
    let scale: UnsafeMutablePointer<Float>
    let bias: UnsafeMutablePointer<Float>

    public static let width = Int(LEXEL_I8_ASSIGN_PANEL)

    /// Whether the fast (VNNI) path runs on this CPU.
    public static var fast: Bool { lexel_i8_has_vnni() != 0 }

    /// Codes `count` rows of `dim` floats; `bias` (nil: zeros) is added to each row's product.
    public init(_ rows: UnsafePointer<Float>, count: Int, dim: Int, bias b: [Float]? = nil) {
        precondition(count > 0 && dim > 0)
        (self.count, self.dim) = (count, dim)
        quads = (dim + 3) / 4
        panels = (count + Self.width - 1) / Self.width
        let padded = panels * Self.width
        packed = UnsafeMutableRawPointer.allocate(byteCount: padded * quads * 4, alignment: 64).bindMemory(to: Int8.self, capacity: padded * quads * 4)
        packed.initialize(repeating: 0, count: padded * quads * 4)
        colsum = .allocate(capacity: padded)
        colsum.initialize(repeating: 0, count: padded)
        scale = .allocate(capacity: padded)
        scale.initialize(repeating: 0, count: padded)
        bias = .allocate(capacity: padded)
        bias.initialize(repeating: -.infinity, count: padded)
        for j in 0..<count {
            let row = rows + j * dim
            var m: Float = 0
            for p in 0..<dim { m = max(m, abs(row[p])) }
            let s: Float = m > 0 ? m / 127 : 1
            scale[j] = s
            bias[j] = b?[j] ?? 0
            let (t, l) = (j / Self.width, j % Self.width)
            var sum: Int32 = 0
            for p in 0..<dim {
                let code = Int8(max(-127, min(127, (row[p] / s).rounded(.toNearestOrEven))))
                packed[((t * quads + p / 4) * Self.width + l) * 4 + p % 4] = code
                sum += Int32(code)
            }
            colsum[j] = sum
        }
    }

    deinit {
        UnsafeMutableRawPointer(packed).deallocate()
        colsum.deallocate()
        scale.deallocate()
        bias.deallocate()
    }

    /// Codes `m` float rows (stride `stride`) as unsigned bytes (signed code + 128, `4 * quads` per row) into
    /// `codes`, and each row's `1 / scale` into `inverse`.
    public func code(_ x: UnsafePointer<Float>, count m: Int, stride: Int, into codes: UnsafeMutablePointer<UInt8>,
                     inverse: UnsafeMutablePointer<Float>) {
        lexel_i8_code_rows(x, m, stride, dim, quads, codes, inverse)
    }

    /// The best row for each of `m` coded points. `plain` forces the exact plain path (tests).
    public func argmax(_ codes: UnsafePointer<UInt8>, count m: Int, inverse: UnsafePointer<Float>,
                       best: UnsafeMutablePointer<Int32>, plain: Bool = false) {
        guard m > 0 else { return }
        if plain {
            lexel_i8_argmax_plain(codes, m, quads * 4, packed, quads, count, colsum, scale, bias, inverse, best)
        } else {
            lexel_i8_argmax(codes, m, quads * 4, packed, quads, count, colsum, scale, bias, inverse, best)
        }
    }
}
