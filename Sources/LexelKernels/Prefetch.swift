import CKernels

extension Kernels {
    /// Starts loading the `n` floats at `p` into cache (for writing) without waiting for them, so that a later
    /// dot product over a row drawn at random does not stall on main memory.
    @inlinable @inline(__always)
    public static func prefetch(_ p: UnsafePointer<Float>, _ n: Int) {
        var i = 0
        while i < n {
            lexel_prefetch_write(p + i)
            i += 16
        }
        lexel_prefetch_write(p + (n - 1))  // the last line, when the row does not start on a line boundary
    }
}

extension Kernels {
    /// Starts loading the cache line holding `p`, which will be read.
    @inlinable @inline(__always)
    public static func prefetchRead(_ p: UnsafeRawPointer) { lexel_prefetch_read(p) }

    /// Starts loading the cache line holding `p`, which will be written.
    @inlinable @inline(__always)
    public static func prefetchWrite(_ p: UnsafeRawPointer) { lexel_prefetch_write(p) }
}
