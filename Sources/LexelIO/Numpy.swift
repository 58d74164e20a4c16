import LexelCore
/// NumPy `.npy` arrays (format versions 1-3, little-endian, C order): reading in place from mapped bytes (also
/// inside an uncompressed `.npz`), converting to `Float`, and writing row by row.
public enum NumpyDType: String, Sendable, CaseIterable {
    case f16 = "f2", f32 = "f4", f64 = "f8", i8 = "i1", u8 = "u1", i16 = "i2", u16 = "u2", i32 = "i4", u32 = "u4",
        i64 = "i8", u64 = "u8", bool = "b1"

    /// Bytes per element.
    public var size: Int { Int(rawValue.dropFirst())! }

    /// The `descr` string NumPy writes for this type.
    public var descr: String { (size == 1 ? "|" : "<") + rawValue }
}

/// A view of one `.npy` array in memory (a mapped file or a stored `.npz` member). `data` stays valid while the
/// bytes it was parsed from do.
public struct NumpyArray: @unchecked Sendable {
    public let dtype: NumpyDType
    public let shape: [Int]
    public let data: UnsafeRawPointer
    /// Where `data` starts in the file, for error messages.
    public let dataOffset: Int64

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Rows and columns of a 2-D array (a 1-D array is one column).
    public var matrixShape: (rows: Int, cols: Int) { (shape.first ?? 1, shape.count >= 2 ? shape[1...].reduce(1, *) : 1) }

    /// Element `i` as a Float (integers converted exactly where they fit).
    @inline(__always) public func float(_ i: Int) -> Float {
        switch dtype {
        case .f16: Float(Float16(bitPattern: data.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
        case .f32: data.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
        case .f64: Float(data.loadUnaligned(fromByteOffset: 8 * i, as: Double.self))
        case .i8: Float(data.loadUnaligned(fromByteOffset: i, as: Int8.self))
        case .u8, .bool: Float(data.loadUnaligned(fromByteOffset: i, as: UInt8.self))
        case .i16: Float(data.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self))
        case .u16: Float(data.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
        case .i32: Float(data.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
        case .u32: Float(data.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
        case .i64: Float(data.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))
        case .u64: Float(data.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
        }
    }

    /// All elements as Floats, in C order.
    public func floats() -> [Float] {
        if dtype == .f32 { return [Float](UnsafeBufferPointer(start: data.assumingMemoryBound(to: Float.self), count: count)) }
        return (0..<count).map(float)
    }

    /// All elements of an integer array as Int64 (u64 values above Int64.max keep their bit pattern).
    public func integers() throws -> [Int64] {
        switch dtype {
        case .i64, .u64: return (0..<count).map { data.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self) }
        case .i32: return (0..<count).map { Int64(data.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case .u32: return (0..<count).map { Int64(data.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
        case .i16: return (0..<count).map { Int64(data.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
        case .u16: return (0..<count).map { Int64(data.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)) }
        case .i8: return (0..<count).map { Int64(data.loadUnaligned(fromByteOffset: $0, as: Int8.self)) }
        case .u8, .bool: return (0..<count).map { Int64(data.loadUnaligned(fromByteOffset: $0, as: UInt8.self)) }
        case .f16, .f32, .f64: throw LexelError("array of \(dtype.descr) is not an integer array")
        }
    }
}

public enum Numpy {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

    /// Parses an `.npy` array from `bytes`; `file` and `baseOffset` (where `bytes` start in the file) name
    /// the place of an error.
    public static func parse(_ bytes: UnsafeRawBufferPointer, file: String, baseOffset: Int64 = 0) throws -> NumpyArray {
        func bad(_ at: Int, _ why: String) -> LexelError { LexelError(file: file, offset: baseOffset + Int64(at), "npy: \(why)") }
        guard bytes.count >= 10, let base = bytes.baseAddress, Array(bytes[0..<6]) == magic else {
            throw bad(0, "not a NumPy array (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerLength: Int, headerStart: Int
        switch major {
        case 1: (headerLength, headerStart) = (Int(base.loadUnaligned(fromByteOffset: 8, as: UInt16.self).littleEndian), 10)
        case 2, 3:
            guard bytes.count >= 12 else { throw bad(8, "truncated header") }
            (headerLength, headerStart) = (Int(base.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian), 12)
        default: throw bad(6, "unsupported format version \(major)")
        }
        guard headerStart + headerLength <= bytes.count, headerLength < 1 << 20 else { throw bad(8, "header of \(headerLength) bytes runs past the end of the file (truncated)") }
        let header = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[headerStart..<(headerStart + headerLength)]), as: UTF8.self)
        guard let descr = value(of: "descr", in: header), descr.count >= 3 else { throw bad(headerStart, "header has no 'descr'") }
        let quoted = descr.trimmingQuotes
        guard quoted.first != ">" || quoted.hasSuffix("1"), let dtype = NumpyDType(rawValue: String(quoted.dropFirst())) else {
            throw bad(headerStart, "unsupported dtype \(descr) (little-endian numbers and bool only)")
        }
        guard value(of: "fortran_order", in: header)?.hasPrefix("False") == true else { throw bad(headerStart, "Fortran-order arrays are not supported") }
        guard let shapeText = value(of: "shape", in: header), shapeText.hasPrefix("(") else { throw bad(headerStart, "header has no 'shape'") }
        let inner = shapeText.dropFirst().prefix { $0 != ")" }
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let t = part.trimmingCharacters(in: " ")
            if t.isEmpty { continue }
            guard let d = Int(t), d >= 0, d < 1 << 40 else { throw bad(headerStart, "bad shape \(shapeText)") }
            shape.append(d)
        }
        let dataStart = headerStart + headerLength
        // The product of the non-zero dimensions must fit, so that every partial product of the shape (`count`,
        // `matrixShape`) does too, even in an empty array such as (0, 2^39, 2^39).
        var (product, overflow) = (dtype.size, false)
        for d in shape where !overflow { (product, overflow) = product.multipliedReportingOverflow(by: max(d, 1)) }
        guard !overflow else { throw bad(headerStart, "shape \(shape) is too large") }
        let total = shape.contains(0) ? 0 : product
        guard total <= bytes.count - dataStart else {
            throw bad(dataStart, "shape \(shape) of \(dtype.descr) needs \(total) bytes, \(bytes.count - dataStart) present (truncated)")
        }
        return NumpyArray(dtype: dtype, shape: shape, data: base + dataStart, dataOffset: baseOffset + Int64(dataStart))
    }

    /// The text after `'key':` in a header dict, up to the end of the header.
    static func value(of key: String, in header: String) -> Substring? {
        let needle = Array("'\(key)':".utf8), bytes = Array(header.utf8)
        guard bytes.count >= needle.count else { return nil }
        for i in 0...(bytes.count - needle.count) where bytes[i..<(i + needle.count)].elementsEqual(needle) {
            let rest = header.utf8.index(header.utf8.startIndex, offsetBy: i + needle.count)
            return header[rest...].drop { $0 == " " }
        }
        return nil
    }

    /// Maps an `.npy` file and returns it with its array view (valid while the file is alive).
    public static func open(path: String) throws -> (file: MappedFile, array: NumpyArray) {
        let file = try MappedFile(path: path)
        let a = try parse(UnsafeRawBufferPointer(start: file.base, count: file.size), file: path)
        return (file, a)
    }

    /// Reads a 2-D (or 1-D, as one column) numeric `.npy` file as row-major Floats.
    public static func readMatrix(path: String) throws -> (rows: Int, cols: Int, values: [Float]) {
        let (file, a) = try open(path: path)
        guard a.shape.count <= 2 else { throw LexelError(file: path, "npy: expected a matrix, found shape \(a.shape)") }
        let values = withExtendedLifetime(file) { a.floats() }
        return (a.matrixShape.rows, a.matrixShape.cols, values)
    }
}

/// Writes a 2-D `.npy` array row by row (the row count is patched into the header at the end), atomically; or a
/// 1-D one (`vector`: one element per row).
public final class NumpyWriter {
    public let dtype: NumpyDType
    public let cols: Int
    public let vector: Bool
    public private(set) var rows = 0
    let writer: AtomicFileWriter
    static let headerBytes = 128

    public init(path: String, dtype: NumpyDType, cols: Int, vector: Bool = false) throws {
        precondition(!vector || cols == 1)
        (self.dtype, self.cols, self.vector) = (dtype, cols, vector)
        writer = try AtomicFileWriter(path: path, seekable: true)
        try Self.header(dtype, rows: 0, cols: cols, vector: vector).withUnsafeBytes { try writer.write($0) }
    }

    static func header(_ dtype: NumpyDType, rows: Int, cols: Int, vector: Bool = false) -> [UInt8] {
        let shape = vector ? "(\(rows),)" : "(\(rows), \(cols))"
        var dict = "{'descr': '\(dtype.descr)', 'fortran_order': False, 'shape': \(shape), }"
        while 10 + dict.utf8.count + 1 < headerBytes { dict += " " }
        dict += "\n"
        return Numpy.magic + [1, 0, UInt8(dict.utf8.count & 0xFF), UInt8(dict.utf8.count >> 8)] + Array(dict.utf8)
    }

    /// Appends `count` rows of `cols` elements of this writer's dtype.
    public func append(rows count: Int, _ bytes: UnsafeRawPointer) throws {
        try writer.write(UnsafeRawBufferPointer(start: bytes, count: count * cols * dtype.size))
        rows += count
    }

    /// Patches the row count in and renames the file into place.
    public func commit() throws {
        let h = Self.header(dtype, rows: rows, cols: cols, vector: vector)
        try h.withUnsafeBytes { try writer.patch(at: 0, $0) }
        try writer.commit()
    }
}

extension Substring {
    var trimmingQuotes: Substring {
        var s = self.prefix { $0 != "," && $0 != "}" }
        while let f = s.first, f == "'" || f == "\"" || f == " " { s = s.dropFirst() }
        while let l = s.last, l == "'" || l == "\"" || l == " " { s = s.dropLast() }
        return s
    }

    func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return s
    }
}
