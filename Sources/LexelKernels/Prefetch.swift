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

extension Kernels {
    /// Reads a 32-bit flag with acquire ordering (values written before the flag's `storeRelease` are visible).
    @inlinable @inline(__always) public static func loadAcquire(_ p: UnsafePointer<UInt32>) -> UInt32 { lexel_load_acquire_u32(p) }
    /// Sets a 32-bit flag with release ordering.
    @inlinable @inline(__always) public static func storeRelease(_ p: UnsafeMutablePointer<UInt32>, _ v: UInt32) { lexel_store_release_u32(p, v) }
}
