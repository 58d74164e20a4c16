import LexelCore
import LexelKernels
import LexelText

/// fastText's `quantize` on a classifier with dense matrices: keep the input rows of largest norm (`-cutoff`,
/// pruning the dictionary to match), then product-quantise the input matrix (and with `-qout` the output
/// matrix), optionally storing each row's norm apart (`-qnorm`). Retraining the pruned rows between the two steps
/// is the caller's (it needs the training engine).
public enum ClassifierCompression {
    /// The dense matrices of `c`, or an error saying the model is quantised already.
    public static func denseMatrices(_ c: Classifier, path: String) throws -> (input: RowMatrix, output: RowMatrix) {
        guard case .dense(let input) = c.input, case .dense(let output) = c.output else {
            throw LexelError(file: path, "the model is quantised already: quantise the dense model it came from (.bin)")
        }
        // the reader does not scan the input matrix (predictions touch few rows); k-means needs every row finite
        if let bad = Kernels.firstNonFinite(input.base, input.rows * input.cols) {
            throw LexelError(file: path, "input matrix: row \(bad / input.cols) holds a non-finite value")
        }
        return (input, output)
    }

    /// The `cutoff` input rows of largest L2 norm, the row of `</s>` first (fastText's `selectEmbeddings`); ties in
    /// norm keep the lower row first.
    public static func largestRows(_ m: RowMatrix, cutoff: Int, first: Int?) -> [Int] {
        let norms = (0..<m.rows).map { Kernels.dot(m.row($0), m.row($0), m.cols) }
        let order = (0..<m.rows).sorted { a, b in
            if a == first || b == first { return a == first && b != first }
            return norms[a] != norms[b] ? norms[a] > norms[b] : a < b
        }
        return Array(order.prefix(cutoff))
    }

    /// The classifier keeping `cutoff` input rows (words and hash buckets of largest norm): its pruned dictionary
    /// and a copy of the kept rows.
    public static func prune(_ c: Classifier, input: RowMatrix, cutoff: Int) throws -> (dictionary: SupervisedDictionary, input: Matrix) {
        let eos = c.dictionary.id(of: SupervisedDictionary.endOfSentence).map(Int.init)
        let (dictionary, rows) = try c.dictionary.pruned(keeping: largestRows(input, cutoff: cutoff, first: eos))
        let kept = Matrix(rows: rows.count, cols: input.cols)
        for (i, r) in rows.enumerated() { kept.row(i).update(from: input.row(r), count: input.cols) }
        return (dictionary, kept)
    }

    /// The classifier with its input matrix (and with `quantizeOutput` its output matrix, in parts of 2 values)
    /// product-quantised in parts of `dsub` values; `normsApart` codes each row's direction and its norm
    /// separately (fastText's qnorm). The quantisers' random draws come from `seed`.
    public static func quantize(dictionary: SupervisedDictionary, input: RowMatrix, output: RowMatrix, dsub: Int,
                                normsApart: Bool, quantizeOutput: Bool, seed: UInt64, threads: Int) throws -> Classifier {
        let qin = try QuantizedRows.quantize(input, dsub: dsub, normsApart: normsApart, seed: seed, threads: threads, what: "input matrix")
        let out: ClassifierRows = quantizeOutput
            ? .quantized(try QuantizedRows.quantize(output, dsub: 2, normsApart: normsApart, seed: seed &+ 1, threads: threads, what: "output matrix (-qout)"))
            : .dense(output)
        return try Classifier(dictionary: dictionary, input: .quantized(qin), output: out)
    }
}

extension QuantizedRows {
    /// fastText's `QuantMatrix` of dense rows: with `normsApart`, rows are divided by their norms (zero rows stay)
    /// and the norms get a one-value quantiser of their own.
    static func quantize(_ m: RowMatrix, dsub: Int, normsApart: Bool, seed: UInt64, threads: Int, what: String) throws -> QuantizedRows {
        var data = m.base, copy: Matrix? = nil
        var normCodes: [UInt8]? = nil, normPQ: ProductQuantizer? = nil
        if normsApart {
            let c = Matrix(rows: m.rows, cols: m.cols)
            var norms = [Float](repeating: 0, count: m.rows)
            for i in 0..<m.rows {
                let n = Kernels.dot(m.row(i), m.row(i), m.cols).squareRoot()
                norms[i] = n
                for j in 0..<m.cols { c.row(i)[j] = n != 0 ? m.row(i)[j] / n : m.row(i)[j] }
            }
            let npq = try norms.withUnsafeBufferPointer {
                try ProductQuantizer.train($0.baseAddress!, rows: m.rows, dim: 1, dsub: 1, seed: seed &+ 0x6E6F_726D, threads: 1, what: "\(what) norms")
            }
            normCodes = norms.withUnsafeBufferPointer { npq.encode($0.baseAddress!, rows: m.rows, threads: threads) }
            (normPQ, copy, data) = (npq, c, UnsafePointer(c.pointer))
        }
        let pq = try ProductQuantizer.train(data, rows: m.rows, dim: m.cols, dsub: dsub, seed: seed, threads: threads, what: what)
        let codes = pq.encode(data, rows: m.rows, threads: threads)
        withExtendedLifetime(copy) {}
        return QuantizedRows(rows: m.rows, cols: m.cols, codes: codes, pq: pq, normCodes: normCodes, normPQ: normPQ)
    }
}
