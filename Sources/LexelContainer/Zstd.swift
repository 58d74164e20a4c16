import CZstd
import LexelCore

/// One-shot zstd compression of in-memory buffers (keys, metadata, index structures).
public enum Zstd {
    public static func compress(_ input: UnsafeRawBufferPointer, level: Int32 = 9) throws -> [UInt8] {
        let bound = ZSTD_compressBound(input.count)
        var out = [UInt8](repeating: 0, count: bound)
        let n = out.withUnsafeMutableBytes { ZSTD_compress($0.baseAddress, bound, input.baseAddress, input.count, level) }
        if ZSTD_isError(n) != 0 { throw LexelError("zstd compression failed: \(String(cString: ZSTD_getErrorName(n)))") }
        out.removeLast(bound - n)
        return out
    }

    /// Decompresses a frame whose decompressed size is known (stored in the section table).
    public static func decompress(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
        let n = ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count)
        return ZSTD_isError(n) == 0 && n == out.count
    }
}

/// Decompressed size declared in a zstd frame header, or -1 when unknown or invalid.
public func CZstdFrameSize(_ frame: UnsafeRawBufferPointer) -> Int {
    let s = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
    return s > UInt64(Int.max) ? -1 : Int(s)
}
