/// An error about user input: names the file, the byte offset when known, and what was wrong.
public struct LexelError: Error, CustomStringConvertible, Equatable {
    public let file: String?
    public let offset: Int64?
    public let message: String

    public init(file: String? = nil, offset: Int64? = nil, _ message: String) {
        self.file = file
        self.offset = offset
        self.message = message
    }

    public var description: String {
        var s = ""
        if let file { s += "\(file): " }
        if let offset { s += "at byte offset \(offset): " }
        return s + message
    }
}
