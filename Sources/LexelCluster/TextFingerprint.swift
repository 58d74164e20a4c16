/// Exact-duplicate detection, which real pipelines run before semantic deduplication: a 128-bit hash of the text
/// after normalisation (ASCII letters folded to lower case, runs of whitespace made one space, leading and
/// trailing whitespace dropped), so that documents differing only in case or spacing count as the same.
public struct TextFingerprint: Hashable, Sendable {
    public let high: UInt64, low: UInt64

    /// The fingerprint of `text` (UTF-8 bytes).
    public init(_ text: UnsafeBufferPointer<UInt8>) {
        // Two FNV-1a-style streams with different primes and offsets, finished with a SplitMix64 mix each.
        var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x6c62_272e_07bb_0142
        var pendingSpace = false, started = false
        @inline(__always) func feed(_ byte: UInt8) {
            a = (a ^ UInt64(byte)) &* 0x100_0000_01b3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_0233 ^ (b >> 29)
        }
        for var c in text {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C {
                pendingSpace = started
                continue
            }
            if pendingSpace { feed(0x20); pendingSpace = false }
            if c >= 65 && c <= 90 { c |= 0x20 }
            feed(c)
            started = true
        }
        func mix(_ x: UInt64) -> UInt64 {
            var z = x &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        (high, low) = (mix(a), mix(b ^ a))
    }

    /// For each document, whether an earlier one has the same fingerprint (the first of each group stays).
    public static func laterCopies(_ prints: [TextFingerprint]) -> [Bool] {
        var seen = Set<TextFingerprint>(minimumCapacity: prints.count)
        return prints.map { !seen.insert($0).inserted }
    }
}
