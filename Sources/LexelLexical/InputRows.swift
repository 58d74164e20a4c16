import LexelKernels

/// The first layer's weights, W0, as `count` rows of `dim` values (one row per n-gram feature) in f32, f16 or
/// int8 with one f32 scale per row. The rows either belong to this value or are mapped in place from a model
/// file (then `owner` keeps the mapping alive). Embedding adds one contiguous row per nonzero feature.
public struct InputRows: @unchecked Sendable {
    public let count: Int
    public let dim: Int
    public let dtype: RowType
    let base: UnsafeRawPointer
    let scales: UnsafePointer<Float>?
    let owner: AnyObject

    /// Rows over `base` (and `scales` for int8), kept valid by `owner`.
    public init(count: Int, dim: Int, dtype: RowType, base: UnsafeRawPointer,
                scales: UnsafePointer<Float>?, owner: AnyObject) {
        precondition(dtype != .int8 || scales != nil, "int8 rows need scales")
        (self.count, self.dim, self.dtype, self.base, self.scales, self.owner) = (count, dim, dtype, base, scales, owner)
    }

    /// Rows encoded from row-major f32 values (`count x dim`) into `dtype`.
    public init(_ values: UnsafePointer<Float>, count: Int, dim: Int, dtype: RowType = .f32) {
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

    /// `h += Σ x.values[k] * row x.indices[k]` over one sparse input (indices at or beyond `count` are
    /// skipped), prefetching the rows a few nonzeros ahead so that their cache misses overlap: rows drawn at
    /// random from hundreds of MB miss every cache, and one row at a time leaves the core waiting on each.
    @inline(__always)
    public func accumulate(_ x: SparseVector, into h: UnsafeMutablePointer<Float>) {
        x.indices.withUnsafeBufferPointer { idx in
            x.values.withUnsafeBufferPointer { val in
                let n = idx.count, rowBytes = dim * dtype.size, ahead = InputRows.prefetchRows
                for k in 0..<min(ahead, n) where Int(idx[k]) < count { prefetch(row: Int(idx[k]), rowBytes) }
                for k in 0..<n {
                    if k + ahead < n, Int(idx[k + ahead]) < count { prefetch(row: Int(idx[k + ahead]), rowBytes) }
                    let r = Int(idx[k])
                    if r < count { accumulate(row: r, weight: val[k], into: h) }
                }
            }
        }
    }

    /// Rows prefetched ahead of the one being added.
    static let prefetchRows = 8

    /// Starts loading row `r` (every cache line of it, and its int8 scale) without waiting.
    @inline(__always)
    func prefetch(row r: Int, _ rowBytes: Int) {
        let p = base + r * rowBytes
        var o = 0
        while o < rowBytes {
            Kernels.prefetchRead(p + o)
            o += 64
        }
        Kernels.prefetchRead(p + (rowBytes - 1))
        if let s = scales { Kernels.prefetchRead(s + r) }
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

    /// Memory owned by rows that are not mapped from a file: an anonymous mapping that asks for transparent
    /// huge pages, so that rows drawn at random from hundreds of MB do not also miss the TLB on every row.
    final class Storage {
        let bytes: UnsafeMutableRawPointer
        let scales: UnsafeMutablePointer<Float>
        let byteCount: Int
        init(bytes n: Int, scales s: Int) {
            byteCount = max(n, 1)
            bytes = UnsafeMutableRawPointer(hugePageAllocate(UInt8.self, byteCount))
            scales = .allocate(capacity: max(s, 1))
        }
        deinit {
            hugePageFree(bytes.assumingMemoryBound(to: UInt8.self), byteCount)
            scales.deallocate()
        }
    }
}
