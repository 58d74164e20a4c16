import LexelClassifier
import LexelContainer
import LexelCore
import LexelIO
import LexelKernels
import LexelLexical

extension SectionKind {
    /// The label names of an embedding head, one a line.
    public static let headLabels = SectionKind(19, "head-labels")
    /// An embedding head's parameters (f32, little-endian; `EmbeddingHead.parameters` order).
    public static let headWeights = SectionKind(20, "head-weights")
}

/// A classifier on document embeddings: a lexical model (which embeds) and a head (which classifies), in one
/// `.lxm` file: the lexical model's sections, its meta extended with `head=linear|mlp` and `head-hidden`, and
/// the head's labels and weights. `lexel embed` reads the same file as a plain lexical model.
public final class EmbeddingClassifier: LineClassifier, @unchecked Sendable {
    public let model: LexicalModel
    public let head: EmbeddingHead
    public let labelPrefix: [UInt8]
    let labelIndex: [[UInt8]: Int32]

    public init(model: LexicalModel, head: EmbeddingHead, labelPrefix: String = "__label__") {
        (self.model, self.head, self.labelPrefix) = (model, head, Array(labelPrefix.utf8))
        labelIndex = Dictionary(head.labels.enumerated().map { (Array($0.element.utf8), Int32($0.offset)) }, uniquingKeysWith: { a, _ in a })
    }

    public var labelNames: [String] { head.labels }

    final class Workspace {
        let embedding: LexicalModel.Workspace
        let vector: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
        var text: [UInt8] = []
        init(_ c: EmbeddingClassifier) {
            embedding = LexicalModel.Workspace(model: c.model, batch: 1)
            vector = .allocate(capacity: c.model.outputDim)
            scratch = .allocate(capacity: c.head.scratchCount)
        }
        deinit { vector.deallocate(); scratch.deallocate() }
    }

    public func makeWorkspace() -> AnyObject { Workspace(self) }

    /// Predictions for a line's text; tokens with the label prefix are not text (as in fastText's `predict`).
    public func predict(_ text: UnsafeBufferPointer<UInt8>, k: Int, threshold: Float, workspace: AnyObject) -> [Prediction] {
        let w = workspace as! Workspace
        var gold: [Int32] = []
        _ = splitLabels(text, text: &w.text, gold: &gold)
        return embedAndPredict(w, k: k, threshold: threshold)
    }

    public func evaluate(_ line: UnsafeBufferPointer<UInt8>, k: Int, threshold: Float, workspace: AnyObject) -> (gold: [Int32], predictions: [Prediction])? {
        let w = workspace as! Workspace
        var gold: [Int32] = []
        guard splitLabels(line, text: &w.text, gold: &gold), !gold.isEmpty else { return nil }
        return (gold, embedAndPredict(w, k: k, threshold: threshold))
    }

    func embedAndPredict(_ w: Workspace, k: Int, threshold: Float) -> [Prediction] {
        w.text.withUnsafeBufferPointer { t in model.embed(count: 1, w.embedding, into: w.vector) { _ in t } }
        return head.predict(w.vector, k: k, threshold: threshold, scratch: w.scratch)
    }

    /// Splits a labelled line into its known labels and its text (the other tokens, joined by spaces); false when
    /// the line holds no token at all.
    func splitLabels(_ line: UnsafeBufferPointer<UInt8>, text: inout [UInt8], gold: inout [Int32]) -> Bool {
        text.removeAll(keepingCapacity: true)
        return Self.split(line, labelPrefix: labelPrefix, appendingTextTo: &text) { t in
            if let i = labelIndex[Array(t)] { gold.append(i) }
        }
    }

    /// The one rule for labelled lines, in training and in use: tokens starting with `labelPrefix` are labels
    /// (handed to `label`), the others are text, appended to `text` joined by single spaces. False when the line
    /// holds no token at all.
    static func split(_ line: UnsafeBufferPointer<UInt8>, labelPrefix: [UInt8], appendingTextTo text: inout [UInt8],
                      label: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        let start = text.count
        var any = false
        forEachToken(in: line) { t, _ in
            any = true
            if t.starts(with: labelPrefix) {
                label(t)
            } else {
                if text.count > start { text.append(0x20) }
                text.append(contentsOf: t)
            }
        }
        return any
    }

    /// Opens a file written by `write`.
    public static func load(path: String) throws -> EmbeddingClassifier {
        let file = try ContainerFile(path: path, kinds: LexicalModel.sectionKinds + [.headLabels, .headWeights])
        guard let kindName = file.meta["head"], let kind = EmbeddingHead.Kind(rawValue: kindName) else {
            throw LexelError(file: path, "a lexical model without a classifier head (train one with `lexel supervised --features lexical`)")
        }
        let hidden = Int(file.meta["head-hidden"] ?? "0") ?? -1
        let labels = String(decoding: try file.decoded(.headLabels), as: UTF8.self).split(separator: "\n").map(String.init)
        let model = try LexicalModel.load(path: path)
        let raw = try file.raw(.headWeights, expect: nil, verify: true)
        let parameters = (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
        guard raw.count % 4 == 0, parameters.allSatisfy(\.isFinite),
              let head = EmbeddingHead(kind: kind, inputDim: model.outputDim, hidden: hidden, labels: labels, parameters: parameters) else {
            throw LexelError(file: path, offset: Int64(file.entry(.headWeights)?.offset ?? 0),
                             "head weights: \(raw.count) bytes do not make a \(kindName) head of \(labels.count) labels on \(model.outputDim) values")
        }
        return EmbeddingClassifier(model: model, head: head)
    }

    /// Writes the lexical model file at `modelPath` (its sections copied as they are) with `head` added, to `path`.
    public static func write(head: EmbeddingHead, modelPath: String, to path: String) throws {
        let source = try ContainerFile(path: modelPath, kinds: LexicalModel.sectionKinds)
        var meta = source.meta
        meta["head"] = head.kind.rawValue
        meta["head-hidden"] = "\(head.hidden)"
        let others = source.sections.filter { $0.kind != SectionKind.meta.rawValue }
        let w = try SectionWriter(path: path, sectionCount: others.count + 3)
        try w.section(.meta, compressing: Array(meta.sorted { $0.key < $1.key }.map { "\($0)=\($1.replacingNewlines)\n" }.joined().utf8))
        for e in others {
            try source.verify(e)  // a copy must not re-checksum corruption
            try w.copy(e, from: source.bytes(of: e))
        }
        try w.section(.headLabels, compressing: Array(head.labels.joined(separator: "\n").utf8))
        try head.parameters.withUnsafeBytes { try w.section(.headWeights, raw: $0) }
        try w.commit()
    }
}
