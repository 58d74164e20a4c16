import LexelCore
import LexelText
import LexelKernels

/// The rows of a classifier's matrices, dense or product-quantised as in fastText's `.ftz` files: what the
/// classifier needs of them is to add a row to a vector and to take a row's dot product.
public enum ClassifierRows: @unchecked Sendable {
    case dense(RowMatrix)
    case quantized(QuantizedRows)

    public var rows: Int {
        switch self {
        case .dense(let d): d.rows
        case .quantized(let q): q.rows
        }
    }

    /// Starts loading row i (dense rows: every cache line; quantised rows: the codes).
    @inline(__always)
    func prefetch(row i: Int) {
        switch self {
        case .dense(let d):
            var p = UnsafeRawPointer(d.row(i))
            let end = p + d.cols * 4
            while p < end { Kernels.prefetchRead(p); p += 64 }
        case .quantized(let q): q.codes.withUnsafeBufferPointer { Kernels.prefetchRead($0.baseAddress! + i * q.pq.subquantizers) }
        }
    }

    /// `x += row i`.
    @inline(__always)
    func add(row i: Int, into x: UnsafeMutablePointer<Float>) {
        switch self {
        case .dense(let d): Kernels.add(d.row(i), x, d.cols)
        case .quantized(let q): q.add(row: i, into: x)
        }
    }

    /// `x . row i`, as computed (possibly not finite).
    @inline(__always)
    func rawDot(_ x: UnsafePointer<Float>, row i: Int) -> Float {
        switch self {
        case .dense(let d): Kernels.dot(x, d.row(i), d.cols)
        case .quantized(let q): q.dot(x, row: i)
        }
    }

    /// A score kept finite: NaN as 0, infinities as the largest floats.
    @inline(__always)
    static func finite(_ s: Float) -> Float {
        if s.isFinite { return s }
        return s.isNaN ? 0 : (s > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude)
    }

    /// `x . row i`, kept finite: a model with finite but huge values can overflow to infinity or NaN, which would
    /// make every probability NaN (or trap the sigmoid table); NaN counts as 0, infinities as the largest floats.
    @inline(__always)
    func dot(_ x: UnsafePointer<Float>, row i: Int) -> Float { ClassifierRows.finite(rawDot(x, row: i)) }
}

/// fastText's product quantiser: `dim` values split into `subquantizers` parts of `dsub` values (the last of
/// `lastDsub`), each coded by one of 256 centroids.
public struct ProductQuantizer: Sendable {
    public let dim: Int, subquantizers: Int, dsub: Int, lastDsub: Int
    let centroids: [Float]

    /// The offset in `centroids` of centroid `i` of part `m` (the last part's centroids are packed at its width).
    @inline(__always) func offset(_ m: Int, _ i: UInt8) -> Int {
        m == subquantizers - 1 ? m * 256 * dsub + Int(i) * lastDsub : (m * 256 + Int(i)) * dsub
    }

    static func read(_ r: inout ByteReader, path: String) throws -> ProductQuantizer {
        let at = r.offset
        let dim = Int(try r.read(Int32.self, "quantiser dim")), nsubq = Int(try r.read(Int32.self, "quantiser parts"))
        let dsub = Int(try r.read(Int32.self, "quantiser part width")), last = Int(try r.read(Int32.self, "quantiser last width"))
        guard dim >= 1, dim <= 100_000, nsubq >= 1, dsub >= 1, last >= 1, last <= dsub, (nsubq - 1) * dsub + last == dim else {
            throw LexelError(file: path, offset: Int64(at), "product quantiser: implausible shape (dim \(dim), \(nsubq) parts of \(dsub), last \(last))")
        }
        let bytes = try r.bytes(dim * 256 * 4, "quantiser centroids")
        let c = (0..<(dim * 256)).map { bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        guard c.allSatisfy(\.isFinite) else { throw LexelError(file: path, offset: Int64(at), "product quantiser: non-finite centroid") }
        return ProductQuantizer(dim: dim, subquantizers: nsubq, dsub: dsub, lastDsub: last, centroids: c)
    }
}

/// A product-quantised matrix (fastText's `QuantMatrix`): per row one centroid code per part, and with `qnorm`
/// a quantised norm that scales the row.
public struct QuantizedRows: Sendable {
    public let rows: Int, cols: Int
    let codes: [UInt8]
    let pq: ProductQuantizer
    let normCodes: [UInt8]?
    let normPQ: ProductQuantizer?

    @inline(__always) func norm(_ i: Int) -> Float {
        guard let normCodes, let normPQ else { return 1 }
        return normPQ.centroids[normPQ.offset(0, normCodes[i])]
    }

    func add(row i: Int, into x: UnsafeMutablePointer<Float>) {
        let alpha = norm(i)
        let base = i * pq.subquantizers
        pq.centroids.withUnsafeBufferPointer { c in
            for m in 0..<pq.subquantizers {
                let o = pq.offset(m, codes[base + m]), d = m == pq.subquantizers - 1 ? pq.lastDsub : pq.dsub
                for n in 0..<d { x[m * pq.dsub + n] += alpha * c[o + n] }
            }
        }
    }

    func dot(_ x: UnsafePointer<Float>, row i: Int) -> Float {
        var res: Float = 0
        let base = i * pq.subquantizers
        pq.centroids.withUnsafeBufferPointer { c in
            for m in 0..<pq.subquantizers {
                let o = pq.offset(m, codes[base + m]), d = m == pq.subquantizers - 1 ? pq.lastDsub : pq.dsub
                for n in 0..<d { res += x[m * pq.dsub + n] * c[o + n] }
            }
        }
        return res * norm(i)
    }

    /// Reads a `QuantMatrix`: qnorm flag, rows, cols, code size, codes, quantiser, then norm codes and their
    /// quantiser when qnorm is set. Every size is checked against the file and the codes' count against the rows.
    static func read(_ r: inout ByteReader, _ f: MappedFile, path: String, what: String, cols: Int) throws -> QuantizedRows {
        let at = r.offset
        let qnorm = try r.read(UInt8.self, "\(what) qnorm flag") != 0
        let m = try r.read(Int64.self, "\(what) rows"), n = try r.read(Int64.self, "\(what) columns")
        let codeSize = Int(try r.read(Int32.self, "\(what) code size"))
        guard n == Int64(cols), m >= 0, m <= Int64(f.size), codeSize >= 0, codeSize <= f.size - r.offset else {
            throw LexelError(file: path, offset: Int64(at), "\(what): implausible quantised shape \(m) x \(n), \(codeSize) code bytes")
        }
        let codes = Array(try r.bytes(codeSize, "\(what) codes"))
        let pq = try ProductQuantizer.read(&r, path: path)
        guard pq.dim == cols, codeSize == Int(m) * pq.subquantizers else {
            throw LexelError(file: path, offset: Int64(at), "\(what): \(codeSize) code bytes for \(m) rows of \(pq.subquantizers) parts")
        }
        var normCodes: [UInt8]? = nil, normPQ: ProductQuantizer? = nil
        if qnorm {
            normCodes = Array(try r.bytes(Int(m), "\(what) norm codes"))
            let npq = try ProductQuantizer.read(&r, path: path)
            guard npq.dim == 1 else { throw LexelError(file: path, offset: Int64(r.offset), "\(what): norm quantiser of dim \(npq.dim)") }
            normPQ = npq
        }
        return QuantizedRows(rows: Int(m), cols: cols, codes: codes, pq: pq, normCodes: normCodes, normPQ: normPQ)
    }
}
