#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The logistic function and log, either exact or by table lookup (as fastText does: 512 entries on [-8, 8]).
/// Training uses tables; gradient checks use the exact form. Both conform so that loss code is generic.
public protocol Activation: Sendable {
    /// 1 / (1 + e^-x)
    func sigmoid(_ x: Float) -> Float
    /// ln(x) for x in (0, 1]; used for loss reporting.
    func log(_ x: Float) -> Float
}

/// Exact sigmoid and log.
public struct ExactActivation: Activation {
    public init() {}
    @inlinable public func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
    @inlinable public func log(_ x: Float) -> Float { logf(x + 1e-5) }
}

/// Table-driven sigmoid and log. Tables are immutable after init and shared by all threads.
public struct TableActivation: Activation, @unchecked Sendable {
    public static let sigmoidSize = 512
    public static let maxSigmoid: Float = 8
    public static let logSize = 512
    @usableFromInline let sigmoidTable: UnsafeMutablePointer<Float>
    @usableFromInline let logTable: UnsafeMutablePointer<Float>

    /// Builds both tables. They live for the process (a few KB).
    public init() {
        sigmoidTable = .allocate(capacity: Self.sigmoidSize + 1)
        for i in 0...Self.sigmoidSize {
            let x = Float(i * 2) * Self.maxSigmoid / Float(Self.sigmoidSize) - Self.maxSigmoid
            sigmoidTable[i] = 1 / (1 + expf(-x))
        }
        logTable = .allocate(capacity: Self.logSize + 1)
        for i in 0...Self.logSize {
            let x = (Float(i) + 1e-5) / Float(Self.logSize)
            logTable[i] = logf(x)
        }
    }

    @inlinable
    public func sigmoid(_ x: Float) -> Float {
        if x < -Self.maxSigmoid { return 0 }
        if x > Self.maxSigmoid { return 1 }
        let i = Int((x + Self.maxSigmoid) * (Float(Self.sigmoidSize) / Self.maxSigmoid / 2))
        return sigmoidTable[i]
    }

    @inlinable
    public func log(_ x: Float) -> Float {
        if x > 1 { return 0 }
        let i = Int(x * Float(Self.logSize))
        return logTable[max(0, i)]
    }
}
