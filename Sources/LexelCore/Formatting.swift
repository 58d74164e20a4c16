/// `v` rounded to `digits` decimals, always printed with that many (no Foundation `String(format:)` needed).
public func formatFixed(_ v: Double, _ digits: Int) -> String {
    guard v.isFinite else { return "\(v)" }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let s = "\((v * p).rounded() / p)"
    guard let dot = s.firstIndex(of: "."), !s.contains("e") else { return s }
    let d = s.distance(from: dot, to: s.endIndex) - 1
    return d < digits ? s + String(repeating: "0", count: digits - d) : s
}

/// Seconds as `1h 02m 03s`.
public func formatDuration(_ s: Double) -> String {
    guard s.isFinite && s >= 0 else { return "--" }
    let t = Int(s.rounded())
    func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(t / 3600)h \(two((t / 60) % 60))m \(two(t % 60))s"
}
