import ArgumentParser
import LexelStore
import LexelText
import LexelVectors

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert word vectors to a Lexel vector file (.lxv) or export them as text.",
        discussion: """
            Inputs: a Lexel model (.bin), a fastText model (.bin, fastText 0.9), word2vec binary (.bin),
            word2vec/fastText text vectors (.vec), GloVe text (no header line).
            OUT ending in .vec or .txt writes word2vec text, .bin word2vec binary, .npy a float32 matrix plus
            OUT.keys.txt; anything else writes a .lxv file (docs/format.md).
            Examples:
              lexel convert model.bin model.lxv --dtype int8
              lexel convert vectors.vec vectors.lxv --normalize --max-words 100000
            """)
    @Argument(help: "Input vectors.") var input: String
    @Argument(help: "Output file.") var output: String
    @Option(help: "Value type of stored vectors: f32, f16 or int8 (int8 keeps one f32 scale per row).") var dtype = "f32"
    @Flag(help: "Store unit-length vectors (norms are kept).") var normalize = false
    @Option(help: "Keep only the N most frequent words.") var maxWords: Int?

    func run() throws {
        try reportingErrors {
            guard let dt = VectorFileFormat.DType(rawValue: dtype) else { throw LexelError("--dtype: expected f32, f16 or int8 (got '\(dtype)')") }
            if let m = maxWords, m <= 0 { throw LexelError("--max-words must be positive (got \(m))") }
            let v = try WordVectors.load(path: input)
            if output.hasSuffix(".vec") || output.hasSuffix(".txt") {
                try TextVectors.write(v, path: output)
                return
            }
            if output.hasSuffix(".bin") {
                try Word2VecBinary.write(v, path: output)
                return
            }
            if output.hasSuffix(".npy") {
                try Word2VecBinary.writeNpy(v, path: output)
                return
            }
            var o = VectorFileOptions()
            o.dtype = dt
            o.normalize = normalize
            o.maxWords = maxWords
            try VectorFileWriter.write(v, to: output, options: o, source: input)
        }
    }
}
