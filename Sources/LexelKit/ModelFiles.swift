import LexelContainer
import LexelCore
import LexelIO
import LexelLexical
import LexelStore
import LexelVectors

/// Opening any model file by what it is, with errors that name what the file is and what the command wanted.
public enum ModelFiles {
    /// The kinds of model and vector files Lexel opens, told apart by their content (magic numbers and the
    /// container's meta), never by their names.
    public enum Kind: Equatable, Sendable {
        /// A `.lxv` vector file.
        case vectorFile
        /// A `.lxm` lexical-dense model.
        case lexicalModel
        /// A Luxical `.npz` model (or another ZIP).
        case luxicalModel
        /// A Lexel or fastText word-vector model (`.bin`).
        case wordModel
        /// Text vectors (`.vec`, GloVe) or word2vec binary vectors.
        case plainVectors
        /// Anything else, as sniffed.
        case other(FileKind)

        public var description: String {
            switch self {
            case .vectorFile: "a Lexel vector file (.lxv)"
            case .lexicalModel: "a Lexel lexical model (.lxm)"
            case .luxicalModel: "a ZIP archive (a Luxical .npz model?)"
            case .wordModel: "a word-vector model (.bin)"
            case .plainVectors: "text or word2vec vectors"
            case .other(let k): k.description
            }
        }
    }

    /// What the file at `path` is (reads its first bytes, and a container's meta).
    public static func kind(of path: String) throws -> Kind {
        switch try FileKind.of(path: path) {
        case .container:
            let meta = try ContainerFile(path: path).meta
            return meta["kind"] == "lexical-model" ? .lexicalModel : .vectorFile
        case .zip: return .luxicalModel
        case .lexelWordModel, .fastTextModel: return .wordModel
        case .other: return .plainVectors
        case let k: return .other(k)
        }
    }

    static func wrongKind(_ path: String, _ kind: Kind, _ command: String, wanted: String, hint: String = "") -> LexelError {
        LexelError(file: path, "this is \(kind.description); `lexel \(command)` needs \(wanted)\(hint)")
    }

    /// Word vectors in memory, for `nn`, `analogies`, `print-word-vectors`, `eval words`, `convert`: a Lexel or
    /// fastText `.bin`, word2vec `.bin`, or `.vec`/GloVe text.
    public static func wordVectors(_ path: String, for command: String) throws -> WordVectors {
        let kind = try kind(of: path)
        switch kind {
        case .wordModel, .plainVectors: return try WordVectors.load(path: path)
        case .vectorFile:
            throw wrongKind(path, kind, command, wanted: "word vectors (.bin or .vec)",
                            hint: ": query it with `lexel query`, or export it with `lexel convert`")
        case .lexicalModel, .luxicalModel:
            throw wrongKind(path, kind, command, wanted: "word vectors (.bin or .vec)",
                            hint: ": embed documents with it with `lexel embed --model`")
        case .other:
            throw wrongKind(path, kind, command, wanted: "word vectors (.bin or .vec)")
        }
    }

    /// A `.lxv` vector file, for `query`, `index`, `info`.
    public static func vectorFile(_ path: String, for command: String) throws -> VectorFile {
        let kind = try kind(of: path)
        guard kind == .vectorFile else {
            let hint = kind == .wordModel || kind == .plainVectors ? ": make one with `lexel convert \(path) OUT.lxv`"
                : kind == .lexicalModel || kind == .luxicalModel ? ": use it with `lexel embed --model`" : ""
            throw wrongKind(path, kind, command, wanted: "a Lexel vector file (.lxv)", hint: hint)
        }
        return try VectorFile(path: path)
    }

    /// A lexical-dense model (`.lxm` or Luxical `.npz`), the shipped one when `path` is nil, its dense layers as
    /// `layers` says (`LayerChoice`). With `verify`, every checksum of an `.lxm` is checked first, W0 included.
    public static func lexicalModel(_ path: String?, for command: String, verify: Bool = false,
                                    layers: LayerChoice = .auto) throws -> LexicalModel {
        let path = try path ?? DefaultFiles.model()
        // LexicalModel.load names what any other kind of file is (by its magic) and what was expected.
        if verify, (try? FileKind.of(path: path)) == .container {
            try ContainerFile(path: path, kinds: LexicalModel.sectionKinds).verify()
        }
        return try LexicalModel.load(path: path, layers: layers)
    }

    /// A fastText-compatible classifier, for `predict`, `predict-prob`, `test`.
    public static func classifier(_ path: String, for command: String) throws -> Classifier {
        guard try FileKind.of(path: path) == .fastTextModel else {
            throw wrongKind(path, try kind(of: path), command, wanted: "a fastText classifier (.bin from `fasttext supervised`)")
        }
        return try FastTextClassifierFile.read(path: path)
    }

    /// A classifier of any kind: a fastText model (.bin, .ftz) or a lexical model with a classifier head (.lxm).
    public static func lineClassifier(_ path: String, for command: String) throws -> any LineClassifier {
        if try FileKind.of(path: path) == .container, try kind(of: path) == .lexicalModel { return try EmbeddingClassifier.load(path: path) }
        return try classifier(path, for: command)
    }

    /// The container's section kinds for `kind` (for listings such as `lexel info`).
    public static func sectionKinds(_ kind: Kind) -> [SectionKind] {
        kind == .lexicalModel ? LexicalModel.sectionKinds : VectorFileFormat.sectionKinds
    }
}
