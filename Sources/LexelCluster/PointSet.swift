import LexelCore
import LexelKernels

/// The points to cluster: `count` rows of `dim` values, read in blocks as Float32. Rows live in memory, in a
/// mapped `.npy` (float32 read in place; float16 and int8 decoded block by block), or anywhere a caller can copy
/// them from. With `streaming`, the pages of a mapped file are dropped after each block, so that a pass over a
/// file larger than memory keeps the resident set flat.
public final class PointSet: @unchecked Sendable {
    /// How stored values become floats.
    public enum Storage: @unchecked Sendable {
        /// Float32 rows, `stride` floats apart.
        case f32(UnsafePointer<Float>, stride: Int)
        /// Float16 rows, packed.
        case f16(UnsafeRawPointer)
        /// int8 codes `round(x * 127)` as Lexel writes them (decoded as `code / 127`).
        case i8(UnsafeRawPointer)
    }

    public let count: Int
    public let dim: Int
    let storage: Storage
    /// Scales each row to unit length as it is read (spherical k-means on rows that are not unit vectors).
    public private(set) var normalizes = false
    /// Drops a mapped file's pages behind each block.
    public var streaming = false
    /// What keeps the rows alive (a mapped file, an owner of the memory).
    let owner: AnyObject?
    let mapped: MappedFile?
    /// Where row 0 starts in `mapped`, for releasing pages.
    let mappedOffset: Int

    /// Rows in memory or in a mapping that `owner` keeps alive; `mapped` (optional) lets streaming release pages.
    public init(count: Int, dim: Int, storage: Storage, owner: AnyObject?, mapped: MappedFile? = nil, offset: Int = 0) {
        precondition(count >= 0 && dim > 0)
        (self.count, self.dim, self.storage, self.owner, self.mapped, self.mappedOffset) =
            (count, dim, storage, owner, mapped, offset)
    }

    /// Float32 rows of a matrix owned by the caller (kept alive by this set).
    public convenience init(_ matrix: Matrix) {
        self.init(count: matrix.rows, dim: matrix.cols, storage: .f32(UnsafePointer(matrix.pointer), stride: matrix.cols),
                  owner: matrix)
    }

    /// Whether rows are read in place (no copy per block).
    var inPlace: Bool {
        if case .f32 = storage { return !normalizes }
        return false
    }

    /// Bytes of one stored row.
    var rowBytes: Int {
        switch storage {
        case .f32(_, let stride): stride * 4
        case .f16: dim * 2
        case .i8: dim
        }
    }

    /// Reads rows as unit vectors from now on.
    public func normalizeRows() { normalizes = true }

    /// Rows `range` as float32, contiguous with stride `dim` unless read in place (then the stride is returned),
    /// decoded into `scratch` (room for `range.count * dim` floats) where needed.
    @inline(__always)
    public func rows(_ range: Range<Int>, scratch: UnsafeMutablePointer<Float>) -> (UnsafePointer<Float>, stride: Int) {
        switch storage {
        case .f32(let base, let stride):
            if !normalizes { return (base + range.lowerBound * stride, stride) }
            for (r, i) in range.enumerated() { (scratch + r * dim).update(from: base + i * stride, count: dim) }
        case .f16(let base):
            for (r, i) in range.enumerated() {
                let src = base + i * dim * 2, dst = scratch + r * dim
                for j in 0..<dim { dst[j] = Float(Float16(bitPattern: src.loadUnaligned(fromByteOffset: 2 * j, as: UInt16.self))) }
            }
        case .i8(let base):
            for (r, i) in range.enumerated() {
                let src = (base + i * dim).assumingMemoryBound(to: Int8.self), dst = scratch + r * dim
                for j in 0..<dim { dst[j] = Float(src[j]) * (1 / 127) }
            }
        }
        if normalizes {
            for r in 0..<range.count {
                _ = Kernels.normalize(scratch + r * dim, dim)
            }
        }
        return (UnsafePointer(scratch), dim)
    }

    /// Called after a block ending at row `end` has been read by every thread: drops the pages behind it.
    func finished(upTo end: Int) {
        if streaming, let mapped { mapped.release(upTo: mappedOffset + end * rowBytes) }
    }

    /// Rows per block of a pass: about 16 MB of rows as floats, a multiple of 64.
    var blockRows: Int { max(64, (16 << 20) / (dim * 4) / 64 * 64) }

    /// Runs `body(thread, rows, pointer, stride)` over all rows, block by block (each block split between
    /// `threads` threads), releasing pages behind each block when streaming. Rows that are decoded go through one
    /// block-sized buffer per thread, allocated for the call.
    public func forEachBlock(threads: Int,
                             _ body: @escaping @Sendable (_ thread: Int, _ rows: Range<Int>, UnsafePointer<Float>, _ stride: Int) -> Void) {
        let block = blockRows, floats = inPlace ? 1 : block * dim
        let scratch = ThreadSlots(max(1, threads)) { UnsafeMutablePointer<Float>.allocate(capacity: floats) }
        defer { for p in scratch.all { p.deallocate() } }
        var start = 0
        while start < count {
            let end = min(count, start + block)
            let s = start
            parallelFor(end - start, threads: threads, align: 16) { t, r in
                let range = (s + r.lowerBound)..<(s + r.upperBound)
                let buf = scratch.with(t) { $0 }
                let (p, stride) = self.rows(range, scratch: buf)
                body(t, range, p, stride)
            }
            finished(upTo: end)
            start = end
        }
    }
}
