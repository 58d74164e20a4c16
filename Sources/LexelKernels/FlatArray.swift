/// A fixed-size array in one allocation that hot loops index through a raw pointer, with no uniqueness or
/// bounds checks (see ENGINEERING.md: Swift arrays stored in classes are slow to mutate in hot loops).
public final class FlatArray<Element>: @unchecked Sendable {
    public let count: Int
    public let base: UnsafeMutablePointer<Element>

    public init(_ array: [Element]) {
        count = array.count
        base = .allocate(capacity: max(1, count))
        array.withUnsafeBufferPointer { if count > 0 { base.initialize(from: $0.baseAddress!, count: count) } }
    }

    public init(repeating value: Element, count: Int) {
        self.count = count
        base = .allocate(capacity: max(1, count))
        base.initialize(repeating: value, count: count)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    @inlinable public subscript(i: Int) -> Element {
        get { base[i] }
        set { base[i] = newValue }
    }

    /// A copy as a Swift array.
    public var array: [Element] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
