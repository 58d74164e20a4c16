import LexelKit

/// One-line progress displays on standard error (rate and ETA), redrawn in place at most twice a second.
struct ProgressDisplay {
    let label: String
    let unit: String
    let enabled: Bool
    var last = -1.0

    init(_ label: String, unit: String, enabled: Bool) { (self.label, self.unit, self.enabled) = (label, unit, enabled) }

    /// Redraws (when half a second has passed, or `force`).
    mutating func update(done: Int, seconds: Double, fraction: Double?, force: Bool = false) {
        guard enabled, force || seconds - last >= 0.5 else { return }
        last = seconds
        writeStderr(ProgressDisplay.line(label, done: done, unit: unit, seconds: seconds, fraction: fraction))
    }

    /// Ends the display with a newline.
    func finish(done: Int, seconds: Double) {
        guard enabled else { return }
        writeStderr(ProgressDisplay.line(label, done: done, unit: unit, seconds: seconds, fraction: 1) + "\n")
    }

    /// `\rLABEL N UNIT  R UNIT/s  [#####.....] P%  ETA 0h 00m 12s`
    static func line(_ label: String, done: Int, unit: String, seconds: Double, fraction: Double?) -> String {
        var s = "\r\(label) \(done) \(unit)  \(Int(Double(done) / max(seconds, 1e-9))) \(unit)/s"
        if let f = fraction.map({ min(1, max(0, $0)) }), f > 0 {
            s += "  " + bar(f) + "  ETA \(formatDuration(seconds * (1 - f) / f))"
        }
        return s + "   "
    }

    /// `[########............] 40.0%`
    static func bar(_ f: Double) -> String {
        let filled = Int(f * 20)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "] \(formatFixed(f * 100, 1))%"
    }
}
