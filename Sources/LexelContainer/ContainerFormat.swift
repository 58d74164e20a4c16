/// Constants of the checksummed section container shared by `.lxv` vector files and `.lxm` lexical models
/// (docs/format.md): a 64-byte header, a table of 64-byte section entries, 64-byte aligned sections.
public enum ContainerFormat {
    public static let magic: [UInt8] = Array("LEXELVEC".utf8)
    public static let version: UInt32 = 1
    public static let headerSize = 64
    public static let entrySize = 64
    public static let maxSections = 64

    /// Whether `bytes` (a file's first bytes) start with the container's magic.
    public static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 8 && zip(bytes.prefix(8), magic).allSatisfy { $0 == $1 }
    }
}

/// A kind of section: its number in the section table and its name in messages. The container itself knows
/// only `meta`; each model kind declares the kinds of its own sections (as static members, in its module).
public struct SectionKind: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public let name: String

    public init(_ rawValue: UInt32, _ name: String) { (self.rawValue, self.name) = (rawValue, name) }

    public var description: String { name }

    /// The `key=value` metadata section every container has (zstd-compressed, always checksummed).
    public static let meta = SectionKind(1, "meta")
}

/// One entry of the section table.
public struct SectionEntry: Sendable, Equatable {
    public var kind: UInt32
    public var encoding: UInt32  // 0 raw, 1 zstd
    public var offset: UInt64
    public var length: UInt64
    public var decodedLength: UInt64
    public var checksum: UInt64

    public init(kind: UInt32, encoding: UInt32, offset: UInt64, length: UInt64, decodedLength: UInt64, checksum: UInt64) {
        (self.kind, self.encoding, self.offset, self.length) = (kind, encoding, offset, length)
        (self.decodedLength, self.checksum) = (decodedLength, checksum)
    }
}
