import LexelKernels
import LexelStore
import LexelText

/// The first layer's weights, W0, as `count` rows of `dim` values (one row per n-gram feature) in f32, f16 or
/// int8 with one f32 scale per row. The rows either belong to this value or are mapped in place from a model
/// file (then `owner` keeps the mapping alive). Embedding adds one contiguous row per nonzero feature.
public struct InputRows: @unchecked Sendable {
    public let count: Int
    public let dim: Int
    public let dtype: VectorFileFormat.DType
    let base: UnsafeRawPointer
    let scales: UnsafePointer<Float>?
    let owner: AnyObject

    /// Rows over `base` (and `scales` for int8), kept valid by `owner`.
    public init(count: Int, dim: Int, dtype: VectorFileFormat.DType, base: UnsafeRawPointer,
                scales: UnsafePointer<Float>?, owner: AnyObject) {
        precondition(dtype != .int8 || scales != nil, "int8 rows need scales")
        (self.count, self.dim, self.dtype, self.base, self.scales, self.owner) = (count, dim, dtype, base, scales, owner)
    }

    /// Rows encoded from row-major f32 values (`count x dim`) into `dtype`.
    public init(_ values: UnsafePointer<Float>, count: Int, dim: Int, dtype: VectorFileFormat.DType = .f32) {
        let storage = Storage(bytes: count * dim * dtype.size, scales: dtype == .int8 ? count : 0)
        for r in 0..<count {
            let s = RowCodec.encode(values + r * dim, dim, dtype, into: storage.bytes + r * dim * dtype.size)
            if dtype == .int8 { storage.scales[r] = s }
        }
        self.init(count: count, dim: dim, dtype: dtype, base: storage.bytes,
                  scales: dtype == .int8 ? UnsafePointer(storage.scales) : nil, owner: storage)
    }

    /// `h += weight * row r`.
    @inline(__always)
    public func accumulate(row r: Int, weight: Float, into h: UnsafeMutablePointer<Float>) {
        let p = base + r * dim * dtype.size
        switch dtype {
        case .f32: Kernels.axpy(weight, p.assumingMemoryBound(to: Float.self), h, dim)
        case .f16: Kernels.axpy(weight, f16: p.assumingMemoryBound(to: Float16.self), h, dim)
        case .int8: Kernels.axpy(weight * scales![r], int8: p.assumingMemoryBound(to: Int8.self), h, dim)
        }
    }

    /// Decoded row `r`.
    public func row(_ r: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: dim) { b, n in
            RowCodec.decode(base + r * dim * dtype.size, dim, dtype, scale: scales?[r] ?? 1, into: b.baseAddress!)
            n = dim
        }
    }

    /// The stored bytes of the rows and (int8) of the scales.
    public var storedBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count * dim * dtype.size) }
    public var storedScales: UnsafeBufferPointer<Float>? { scales.map { UnsafeBufferPointer(start: $0, count: count) } }

    /// Heap memory owned by rows that are not mapped from a file.
    final class Storage {
        let bytes: UnsafeMutableRawPointer
        let scales: UnsafeMutablePointer<Float>
        init(bytes n: Int, scales s: Int) {
            bytes = .allocate(byteCount: max(n, 1), alignment: 64)
            scales = .allocate(capacity: max(s, 1))
        }
        deinit {
            bytes.deallocate()
            scales.deallocate()
        }
    }
}
