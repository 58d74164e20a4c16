#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelCore

/// Checks the vector readers share: finite values, words quoted for messages, and where warnings go.
public enum ReaderChecks {
    /// The index of the first NaN or infinity among `count` floats, or nil. Scans 16 lanes at a time by the
    /// exponent bits (all ones only for NaN and infinity), at memory speed.
    static func firstNonFinite(_ p: UnsafePointer<Float>, _ count: Int) -> Int? {
        let bits = UnsafeRawPointer(p)
        let exponent: UInt32 = 0x7F80_0000
        var i = 0
        while i < count {
            let end = min(count, i + 4096)
            var acc = SIMD16<UInt32>(repeating: 0)
            var j = i
            while j + 16 <= end {
                acc = pointwiseMax(acc, bits.loadUnaligned(fromByteOffset: 4 * j, as: SIMD16<UInt32>.self) & exponent)
                j += 16
            }
            var tail: UInt32 = 0
            while j < end { tail = max(tail, p[j].bitPattern & exponent); j += 1 }
            if any(acc .== exponent) || tail == exponent {
                for k in i..<end where !p[k].isFinite { return k }
            }
            i = end
        }
        return nil
    }

    /// `word` in double quotes, control characters escaped and cut to `limit` characters, for messages.
    static func quoted(_ word: String, limit: Int = 40) -> String {
        let cut = word.count > limit ? String(word.prefix(limit)) + "..." : word
        var s = "'"
        for u in cut.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F || (0x80..<0xA0).contains(u.value) {
                s += "\\u{\(String(u.value, radix: 16))}"
            } else {
                s.unicodeScalars.append(u)
            }
        }
        return s + "'"
    }

    /// Writes a warning line to standard error: the default for readers' `warn` callbacks, which front ends
    /// that render messages themselves replace.
    @Sendable public static func standardError(_ message: String) {
        let line = "warning: " + message + "\n"
        var s = line
        s.withUTF8 { b in
            var off = 0
            while off < b.count {
                let n = write(2, b.baseAddress! + off, b.count - off)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                off += n
            }
        }
    }
}

extension WordVectors {
    /// Names matrix row `r` for messages: the word it belongs to, or the n-gram bucket that owns it.
    func describeRow(_ r: Int) -> String {
        if r < vocabulary.count { return "row \(r) (word \(ReaderChecks.quoted(vocabulary.word(r))))" }
        let k = r - vocabulary.count
        let bucket = k < usedBuckets.count ? Int(usedBuckets[k]) : k
        return "row \(r) (n-gram bucket \(bucket))"
    }

    /// Throws when a matrix value is NaN or infinite, naming the file, the byte offset (the matrix starting at
    /// `matrixOffset` in the file, when it is stored there as is), the row and what it belongs to.
    func checkFinite(file: String, matrixOffset: Int?) throws {
        guard let i = ReaderChecks.firstNonFinite(rows, rowCount * dim) else { return }
        throw LexelError(file: file, offset: matrixOffset.map { Int64($0 + 4 * i) },
                         "\(describeRow(i / dim)), value \(i % dim + 1) of \(dim) is \(rows[i]): vectors must be finite "
                         + "numbers (a training run that diverged writes NaN: lower the learning rate)")
    }
}
