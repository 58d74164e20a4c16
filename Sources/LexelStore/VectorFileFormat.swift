/// Constants of the `.lxv` format (docs/format.md).
public enum VectorFileFormat {
    public static let magic: [UInt8] = Array("LEXELVEC".utf8)
    public static let version: UInt32 = 1
    public static let headerSize = 64
    public static let entrySize = 64
    public static let maxSections = 64
    public static let keysPerBlock = 256

    /// Section kinds.
    public enum Kind: UInt32, CaseIterable, Sendable {
        case meta = 1, keys, keyIndex, vectors, scales, norms, subwordBuckets, subwordVectors, subwordScales, foldIndex,
            oovIndex, hnsw, tokenizerVocab, ngramHashes, ngramIDF, networkInput, networkInputScales, networkLayers

        public var name: String {
            switch self {
            case .meta: "meta"
            case .keys: "keys"
            case .keyIndex: "key-index"
            case .vectors: "vectors"
            case .scales: "scales"
            case .norms: "norms"
            case .subwordBuckets: "subword-buckets"
            case .subwordVectors: "subword-vectors"
            case .subwordScales: "subword-scales"
            case .foldIndex: "fold-index"
            case .oovIndex: "oov-index"
            case .hnsw: "hnsw"
            case .tokenizerVocab: "tokenizer-vocab"
            case .ngramHashes: "ngram-hashes"
            case .ngramIDF: "ngram-idf"
            case .networkInput: "network-input"
            case .networkInputScales: "network-input-scales"
            case .networkLayers: "network-layers"
            }
        }
    }

    /// How vector values are stored.
    public enum DType: String, CaseIterable, Sendable {
        case f32, f16, int8

        /// Bytes per value.
        public var size: Int {
            switch self {
            case .f32: 4
            case .f16: 2
            case .int8: 1
            }
        }
    }
}

/// One entry of the section table.
public struct SectionEntry: Sendable, Equatable {
    public var kind: UInt32
    public var encoding: UInt32  // 0 raw, 1 zstd
    public var offset: UInt64
    public var length: UInt64
    public var decodedLength: UInt64
    public var checksum: UInt64

    public var name: String { VectorFileFormat.Kind(rawValue: kind)?.name ?? "kind \(kind)" }
}
