/// Warmup-stable-decay learning-rate schedule, as Luxical's `wsd_lr_schedule`: with `total` steps numbered
/// 1...total, `warmup = ⌊total · warmupFraction⌋` and `decay = ⌊total · decayFraction⌋`, the factor is
/// `step / warmup` while `step < warmup` (linear from 0), `(total − step) / decay` once `step > total − decay`
/// (linear down to 0 at the last step), and 1 in between.
public struct WarmupStableDecay: Sendable, Equatable {
    public let totalSteps: Int
    public let warmupSteps: Int
    public let decaySteps: Int

    public init(totalSteps: Int, warmupFraction: Double = 0.05, decayFraction: Double = 0.1) {
        let total = max(0, totalSteps)
        self.totalSteps = total
        warmupSteps = Int(Double(total) * max(0, warmupFraction))
        decaySteps = Int(Double(total) * max(0, decayFraction))
    }

    /// The learning-rate multiplier of step `step` (1-based).
    public func factor(step: Int) -> Double {
        if step < warmupSteps { return Double(step) / Double(warmupSteps) }
        if step > totalSteps - decaySteps { return Double(max(0, totalSteps - step)) / Double(decaySteps) }
        return 1
    }
}
