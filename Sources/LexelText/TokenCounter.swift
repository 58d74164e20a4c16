#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Counts distinct tokens (byte strings) in an open-addressing table keyed by fastText's hash: no allocation per
/// token, the bytes of each distinct token stored once, in order of first appearance.
public struct TokenCounter {
    var slots: [Int32]  // index + 1 into the token arrays; 0: empty
    var hashes: [UInt32] = []
    public private(set) var counts: [Int64] = []
    var bytes: [UInt8] = []
    var starts: [Int] = [0]

    public init() { slots = [Int32](repeating: 0, count: 1 << 16) }

    public var count: Int { counts.count }

    /// The bytes of token `i`.
    public func token(_ i: Int) -> [UInt8] { Array(bytes[starts[i]..<starts[i + 1]]) }

    /// Adds one occurrence of `t`.
    public mutating func add(_ t: UnsafeBufferPointer<UInt8>) {
        let h = fastTextHash(t)
        let mask = slots.count - 1
        var at = Int(h) & mask
        while true {
            let s = slots[at]
            if s == 0 { break }
            let i = Int(s) - 1
            if hashes[i] == h && starts[i + 1] - starts[i] == t.count
                && (t.count == 0 || bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + starts[i], t.baseAddress!, t.count) == 0 }) {
                counts[i] += 1
                return
            }
            at = (at + 1) & mask
        }
        slots[at] = Int32(counts.count + 1)
        hashes.append(h)
        counts.append(1)
        bytes.append(contentsOf: t)
        starts.append(bytes.count)
        if counts.count * 2 > slots.count { grow() }
    }

    mutating func grow() {
        var bigger = [Int32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for i in 0..<counts.count {
            var at = Int(hashes[i]) & mask
            while bigger[at] != 0 { at = (at + 1) & mask }
            bigger[at] = Int32(i + 1)
        }
        slots = bigger
    }
}
