#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A row-major `rows x cols` Float matrix in one 64-byte aligned allocation, owned by this object.
/// Hot loops take `pointer` (or a `SharedRows` view) instead of going through Swift arrays.
public final class Matrix: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    public let pointer: UnsafeMutablePointer<Float>
    /// Bytes mapped with `mmap` (zero pages the kernel provides on first touch), or 0 for a heap allocation.
    let mappedBytes: Int

    /// A zero-filled matrix whose pages cost nothing until touched (anonymous memory), for large matrices of which
    /// training uses a part (hash buckets of word n-grams).
    public init(rows: Int, cols: Int, lazilyZeroed: Bool) {
        precondition(rows >= 0 && cols > 0, "matrix shape must be non-negative rows and positive cols")
        self.rows = rows
        self.cols = cols
        let count = max(1, rows * cols)
        if lazilyZeroed {
            let bytes = count * MemoryLayout<Float>.stride
            guard let p = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), p != MAP_FAILED else {
                fatalError("cannot map \(bytes) bytes of anonymous memory")
            }
            // huge pages where the kernel allows them: rows drawn at random then miss the TLB far less
            if bytes >= 1 << 22 { _ = madvise(p, bytes, Int32(MADV_HUGEPAGE)) }
            pointer = p.bindMemory(to: Float.self, capacity: count)
            mappedBytes = bytes
        } else {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            pointer = raw.bindMemory(to: Float.self, capacity: count)
            pointer.initialize(repeating: 0, count: count)
            mappedBytes = 0
        }
    }

    /// Allocates a zero-filled matrix.
    public convenience init(rows: Int, cols: Int) { self.init(rows: rows, cols: cols, lazilyZeroed: false) }

    deinit {
        if mappedBytes > 0 { munmap(UnsafeMutableRawPointer(pointer), mappedBytes) } else { UnsafeMutableRawPointer(pointer).deallocate() }
    }

    /// A new matrix holding the same values.
    public func copy() -> Matrix {
        let m = Matrix(rows: rows, cols: cols)
        m.pointer.update(from: pointer, count: rows * cols)
        return m
    }

    /// Pointer to row `r`.
    @inlinable public func row(_ r: Int) -> UnsafeMutablePointer<Float> { pointer + r * cols }

    /// Fills every entry with a uniform value in `[-bound, bound]`, deterministically for a given seed.
    public func fillUniform(bound: Float, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let n = rows * cols
        for i in 0..<n { pointer[i] = (rng.nextUnitFloat() * 2 - 1) * bound }
    }

    /// A sendable view of the rows for worker threads (hogwild: unsynchronised writes are intended).
    public var shared: SharedRows { SharedRows(base: pointer, rows: rows, cols: cols) }
}

/// A sendable raw view of a matrix's rows, handed to worker threads.
public struct SharedRows: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Float>
    public let rows: Int
    public let cols: Int

    public init(base: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        self.base = base
        self.rows = rows
        self.cols = cols
    }

    @inlinable public func row(_ r: Int) -> UnsafeMutablePointer<Float> { base + r * cols }
}
