import LexelContainer
import LexelCore

/// The optional `fold-index` section: case-insensitive lookups. Same layout as `key-index`, over the lower-cased
/// keys (Swift's `lowercased()`: Unicode default case mapping), one entry per lower-cased form, pointing to the
/// most frequent (lowest) row that has it. `Paris` then finds `paris`, `NASA` finds `nasa`, before any OOV vector.
enum FoldIndex {
    static func build(count: Int, key: (Int) -> String) -> [UInt8] {
        var seen = Set<String>()
        var pairs: [(UInt32, UInt32)] = []
        for r in 0..<count {
            var folded = key(r).lowercased()
            guard seen.insert(folded).inserted else { continue }
            let h = folded.withUTF8 { KeyIndex.hash32(UnsafeRawBufferPointer($0), seed: KeyIndex.seed) }
            pairs.append((h, UInt32(r)))
        }
        return KeyIndex.build(pairs: pairs)
    }
}

extension VectorFile {
    /// Whether the file was written with a case-folded index (`lexel convert --fold-case`).
    public var hasFoldIndex: Bool { sections.contains { $0.kind == SectionKind.foldIndex.rawValue } }

    /// The most frequent row whose key equals `word` ignoring case, when the file has a fold index; else nil.
    public func row(ignoringCase word: String) throws -> Int? {
        guard let e = sections.first(where: { $0.kind == SectionKind.foldIndex.rawValue }) else { return nil }
        guard e.encoding == 0,
              let view = KeyIndexView(file.base + Int(e.offset), length: Int(e.length), fileRows: count, complete: false) else {
            throw LexelError(file: path, offset: Int64(e.offset), "section fold-index: tables do not fit the section (corrupt)")
        }
        let folded = word.lowercased()
        var found: Int? = nil
        var utf8 = folded
        utf8.withUTF8 { bytes in
            view.candidates(UnsafeRawBufferPointer(bytes)) { r in
                guard (try? self.key(r))?.lowercased() == folded else { return false }
                found = r
                return true
            }
        }
        return found
    }
}
