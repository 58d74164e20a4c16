import FuzzSupport
import LexelKit

/// NumPy `.npy` arrays (versions 1-3): `Numpy.parse` on the input in memory, `Numpy.open(path:)` on it as a
/// mapped file, and `Numpy.readMatrix(path:)`; every array that parses is read whole as floats and (for integer
/// types) as integers, and its shape, element count and matrix shape are checked against the bytes.
let file = FuzzFile(ext: "npy")

@main enum Main {
    static func main() { runLibFuzzer(fuzz) }
}

/// Checks that the array lies inside `bytes` and reads all of it.
func check(_ a: NumpyArray, in bytes: UnsafeRawBufferPointer) throws {
    let start = bytes.baseAddress!.distance(to: a.data)
    precondition(start >= 10 && start <= bytes.count)
    precondition(a.shape.allSatisfy { $0 >= 0 })
    let n = a.count
    precondition(n >= 0 && n * a.dtype.size <= bytes.count - start, "array of \(n) x \(a.dtype.size) bytes runs past the input")
    let (rows, cols) = a.matrixShape
    precondition(rows >= 0 && cols >= 0 && (a.shape.isEmpty || rows * cols == n))
    let floats = a.floats()
    precondition(floats.count == n)
    if n > 0 { _ = a.float(0); _ = a.float(n - 1) }
    switch a.dtype {
    case .f16, .f32, .f64: break
    default:
        let ints = try a.integers()
        precondition(ints.count == n)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    expectOnlyLexelErrors { try check(try Numpy.parse(bytes, file: "input", baseOffset: 64), in: bytes) }
    file.write(bytes)
    expectOnlyLexelErrors {
        let (mapped, a) = try Numpy.open(path: file.path)
        try withExtendedLifetime(mapped) { try check(a, in: UnsafeRawBufferPointer(start: mapped.base, count: mapped.size)) }
    }
    expectOnlyLexelErrors {
        let m = try Numpy.readMatrix(path: file.path)
        precondition(m.rows >= 0 && m.cols >= 0 && m.values.count == m.rows * m.cols)
    }
    return 0
}
