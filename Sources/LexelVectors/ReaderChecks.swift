#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore
import LexelKernels

/// What the vector readers share: where warnings go, and the finiteness check of whole matrices.
public enum ReaderChecks {
    /// Writes a warning line to standard error: the default for readers' `warn` callbacks, which front ends
    /// that render messages themselves replace.
    @Sendable public static func standardError(_ message: String) { writeStderr("warning: " + message + "\n") }
}

extension WordVectors {
    /// Names matrix row `r` for messages: the word it belongs to, or the n-gram bucket that owns it.
    func describeRow(_ r: Int) -> String {
        if r < vocabulary.count { return "row \(r) (word \(quoted(vocabulary.word(r), limit: 40)))" }
        let k = r - vocabulary.count
        let bucket = k < usedBuckets.count ? Int(usedBuckets[k]) : k
        return "row \(r) (n-gram bucket \(bucket))"
    }

    /// Throws when a matrix value is NaN or infinite, naming the file, the byte offset (the matrix starting at
    /// `matrixOffset` in the file, when it is stored there as is), the row and what it belongs to.
    func checkFinite(file: String, matrixOffset: Int?) throws {
        guard let i = Kernels.firstNonFinite(rows, rowCount * dim) else { return }
        throw LexelError(file: file, offset: matrixOffset.map { Int64($0 + 4 * i) },
                         "\(describeRow(i / dim)), value \(i % dim + 1) of \(dim) is \(rows[i]): vectors must be finite "
                         + "numbers (a training run that diverged writes NaN: lower the learning rate)")
    }
}
