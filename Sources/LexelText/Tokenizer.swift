import LexelCore
/// The end-of-line token fastText inserts for every newline.
public let endOfLineToken = "</s>"

/// Calls `body(token, offsetInLine)` for every whitespace-separated token of `line`.
@inlinable
public func forEachToken(in line: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void)
    rethrows
{
    guard let base = line.baseAddress else { return }
    let n = line.count
    var i = 0
    while i < n {
        while i < n && isSeparator(base[i]) { i += 1 }
        let s = i
        while i < n && !isSeparator(base[i]) { i += 1 }
        if i > s { try body(UnsafeBufferPointer(start: base + s, count: i - s), s) }
    }
}
