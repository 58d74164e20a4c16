import LexelContainer

/// The sections of a lexical model file (`.lxm`: a container whose meta says `kind=lexical-dense`).
extension SectionKind {
    public static let tokenizerVocab = SectionKind(13, "tokenizer-vocab")
    public static let ngramHashes = SectionKind(14, "ngram-hashes")
    public static let ngramIDF = SectionKind(15, "ngram-idf")
    public static let networkInput = SectionKind(16, "network-input")
    public static let networkInputScales = SectionKind(17, "network-input-scales")
    public static let networkLayers = SectionKind(18, "network-layers")
    /// Static models with a feature sketch: one f32 IDF per feature (`FeatureSketch`). 19 and 20 are a classifier
    /// head's (`lexel supervised --features lexical`).
    public static let sketchIDF = SectionKind(21, "sketch-idf")
}

extension LexicalModel {
    /// The section kinds of a lexical model file, for naming them in messages and listings.
    public static let sectionKinds: [SectionKind] = [.meta, .tokenizerVocab, .ngramHashes, .ngramIDF, .networkInput, .networkInputScales, .networkLayers, .sketchIDF]
}
