import ArgumentParser
import LexelKit

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert word vectors to a Lexel vector file (.lxv) or export them; convert lexical models to .lxm.",
        discussion: """
            Inputs (told apart by their content): a Lexel model (.bin), a fastText model (.bin, fastText 0.9),
            word2vec binary, word2vec/fastText text vectors (.vec), GloVe text (no header line), a Lexel vector
            file (.lxv, whose checksums are verified first).
            OUT ending in .vec or .txt writes word2vec text, .bin word2vec binary, .npy a float32 matrix plus
            OUT.keys.txt (--max-words and --normalize apply; --dtype and --fold-case need a .lxv output);
            anything else writes a .lxv file (docs/format.md).
            Lexical models: OUT ending in .lxm converts a Luxical .npz (or a Lexel .lxm) to a Lexel lexical
            model, W0 stored as --dtype and the dense layers as --layer-dtype; it then loads instantly (mapped).
            OUT is written atomically; a symbolic link's target is replaced, a device or FIFO written through.
            Examples:
              lexel convert luxical-model.npz model.lxm --dtype f16
              lexel convert static.lxm tuned.lxm --dtype int8 --sketch-short-weight 0.4
              lexel convert model.bin model.lxv --dtype int8
              lexel convert vectors.vec vectors.lxv --normalize --max-words 100000
              lexel convert vectors.lxv top10k.vec --max-words 10000
            """)
    @Argument(help: "Input vectors or lexical model.") var input: String
    @Argument(help: "Output file.") var output: String
    @Option(help: "Value type of stored vectors (.lxv) or of W0 (.lxm): f32, f16 or int8 (int8 keeps one scale per row).")
    var dtype: RowType?
    @Flag(help: "Unit-length vectors (a .lxv keeps the norms).") var normalize = false
    @Option(parsing: .unconditional, help: "Keep only the N most frequent words.") var maxWords: Int?
    @Flag(help: "Add a case-folded index (8 bytes a word): lookups then ignore case before using OOV vectors.")
    var foldCase = false
    @Option(help: "Lexical models (.lxm output): value type of the dense layers, f32 or f16.") var layerDtype: RowType?
    @Option(name: .customLong("sketch-short-weight"), parsing: .unconditional, help: "Static models with a feature sketch: what a text of n tokens adds to the sketch's share, A exp(-n / L) (`lexel distill-static --sketch-short-weight`).") var sketchShortWeight: Float?
    @Option(name: .customLong("sketch-short-length"), parsing: .unconditional, help: "L, in tokens, of --sketch-short-weight.") var sketchShortLength: Float?

    func validate() throws {
        if let m = maxWords, m <= 0 { throw ValidationError("--max-words must be positive (got \(m))") }
        if layerDtype == .int8 { throw ValidationError("--layer-dtype: expected f32 or f16 (got 'int8')") }
    }

    func run() throws {
        try reportingErrors {
            var c = Conversion()
            (c.normalize, c.maxWords, c.foldCase) = (normalize, maxWords, foldCase)
            (c.dtype, c.dtypeGiven) = (dtype ?? .f32, dtype != nil)
            (c.layerType, c.layerTypeGiven) = (layerDtype ?? .f32, layerDtype != nil)
            (c.sketchShortWeight, c.sketchShortLength) = (sketchShortWeight, sketchShortLength)
            try c.run(input: input, output: output)
        }
    }
}

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Add an HNSW graph to a .lxv file for fast approximate nearest-neighbour queries.",
        discussion: """
            The graph is stored in the file (replacing any earlier one); the file is rewritten atomically, and each
            section copied is checked against its checksum first.
            Then query it with `lexel query FILE --most-similar 10 --ann`.
            Larger -M and --ef-construction build slower and recall more (defaults: 16 and 200).
              lexel index vectors.lxv
              lexel index vectors.lxv -M 32 --ef-construction 400 --output vectors-ann.lxv
            """)
    @Argument(help: "A .lxv file.") var file: String
    @Option(name: .customShort("M"), parsing: .unconditional, help: "Links per node (level 0 keeps twice as many).") var m = 16
    @Option(parsing: .unconditional, help: "Beam width while building.") var efConstruction = 200
    @Option(help: "Write the indexed file here (a .lxv) instead of replacing FILE.") var output: String?
    @Option(parsing: .unconditional, help: "0 silent, 1 summary, 2 progress line.") var verbose = 2

    func validate() throws {
        guard (2...128).contains(m) else { throw ValidationError("-M must be in 2...128 (got \(m))") }
        guard (1...10_000).contains(efConstruction) else { throw ValidationError("--ef-construction must be in 1...10000 (got \(efConstruction))") }
        if let output, Conversion.output(for: output) != .vectorFile || !output.hasSuffix(".lxv") {
            throw ValidationError("--output must end in .lxv (got \(output)): the indexed file is a Lexel vector file")
        }
    }

    func run() throws {
        try reportingErrors {
            let f = try ModelFiles.vectorFile(file, for: "index")
            try OutputPath.checkWritable(output ?? file)
            var p = HNSWParameters()
            (p.m, p.efConstruction) = (m, efConstruction)
            let start = monotonicSeconds()
            var display = ProgressDisplay("Indexing", unit: "rows", enabled: verbose >= 2)
            try f.addHNSW(parameters: p, output: output) { done in
                display.update(done: done, seconds: monotonicSeconds() - start, fraction: Double(done) / Double(max(1, f.count)))
            }
            display.finish(done: f.count, seconds: monotonicSeconds() - start)
            if verbose >= 1 {
                writeStderr("HNSW graph over \(f.count) rows (M \(m), ef \(efConstruction)) in \(formatDuration(monotonicSeconds() - start)): \(output ?? file)\n")
            }
        }
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a .lxv file's metadata and sections (sizes, encodings), without reading vector data.",
        discussion: """
            Example:
              lexel info vectors.lxv
            """)
    @Argument(help: "A .lxv file.") var file: String

    func run() throws {
        try reportingErrors {
            let f = try ModelFiles.vectorFile(file, for: "info")
            out("\(file): \(f.count) x \(f.dim) \(f.dtype.rawValue)\(f.normalized ? ", unit rows" : "")"
                + (f.hasSubwords ? ", subword rows" : "") + (f.hasHNSW ? ", HNSW graph" : ""))
            for (k, v) in f.meta.sorted(by: { $0.key < $1.key }) { out("  \(k) = \(v)") }
            let total = Double(f.file.size)
            out("  section           bytes  bytes/row  share  encoding")
            for e in f.sections {
                let name = String(f.container.name(of: e).prefix(16)).rightPadded(16)
                let pct = formatFixed(100 * Double(e.length) / total, 1)
                out("  \(name) \(String(e.length).leftPadded(11))  \(formatFixed(Double(e.length) / Double(f.count), 1).leftPadded(9))  \(pct.leftPadded(4))%  \(e.encoding == 1 ? "zstd" : "raw")")
            }
            out("  total            \(String(f.file.size).leftPadded(11))  \(formatFixed(total / Double(f.count), 1).leftPadded(9))")
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
    func rightPadded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
