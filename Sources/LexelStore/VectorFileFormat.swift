import LexelContainer
import LexelKernels

/// Constants of the `.lxv` vector file (docs/format.md), a container whose meta has no `kind`.
public enum VectorFileFormat {
    public static let keysPerBlock = 256
    /// How vector values are stored.
    public typealias DType = RowType

    /// The section kinds of a vector file, for naming them in messages and listings.
    public static let sectionKinds: [SectionKind] = [.meta, .keys, .keyIndex, .vectors, .scales, .norms, .subwordBuckets, .subwordVectors, .subwordScales, .foldIndex, .oovIndex, .hnsw]
}

extension SectionKind {
    public static let keys = SectionKind(2, "keys")
    public static let keyIndex = SectionKind(3, "key-index")
    public static let vectors = SectionKind(4, "vectors")
    public static let scales = SectionKind(5, "scales")
    public static let norms = SectionKind(6, "norms")
    public static let subwordBuckets = SectionKind(7, "subword-buckets")
    public static let subwordVectors = SectionKind(8, "subword-vectors")
    public static let subwordScales = SectionKind(9, "subword-scales")
    public static let foldIndex = SectionKind(10, "fold-index")
    public static let oovIndex = SectionKind(11, "oov-index")
    public static let hnsw = SectionKind(12, "hnsw")
}
