import Foundation
import ArgumentParser
import LexelLexical
import LexelStore
import LexelCore
import LexelIO
import LexelText
import LexelTraining
import LexelVectors

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert word vectors to a Lexel vector file (.lxv) or export them as text.",
        discussion: """
            Inputs: a Lexel model (.bin), a fastText model (.bin, fastText 0.9), word2vec binary (.bin),
            word2vec/fastText text vectors (.vec), GloVe text (no header line), a Lexel vector file (.lxv).
            OUT ending in .vec or .txt writes word2vec text, .bin word2vec binary, .npy a float32 matrix plus
            OUT.keys.txt; anything else writes a .lxv file (docs/format.md).
            Lexical models: OUT ending in .lxm converts a Luxical .npz (or a Lexel .lxm) to a Lexel lexical
            model, W0 stored as --dtype and the dense layers as --layer-dtype; it then loads instantly (mapped).
            Examples:
              lexel convert luxical-model.npz model.lxm --dtype f16
              lexel convert model.bin model.lxv --dtype int8
              lexel convert vectors.vec vectors.lxv --normalize --max-words 100000
            """)
    @Argument(help: "Input vectors.") var input: String
    @Argument(help: "Output file.") var output: String
    @Option(help: "Value type of stored vectors: f32, f16 or int8 (int8 keeps one f32 scale per row).") var dtype = "f32"
    @Flag(help: "Store unit-length vectors (norms are kept).") var normalize = false
    @Option(help: "Keep only the N most frequent words.") var maxWords: Int?
    @Flag(help: "Add a case-folded index (8 bytes a word): lookups then ignore case before using OOV vectors.")
    var foldCase = false
    @Option(help: "Lexical models (.lxm output): value type of the dense layers, f32 or f16.") var layerDtype = "f32"

    func run() throws {
        try reportingErrors {
            guard let dt = VectorFileFormat.DType(rawValue: dtype) else { throw LexelError("--dtype: expected f32, f16 or int8 (got '\(dtype)')") }
            if output.hasSuffix(".lxm") {
                guard let lt = VectorFileFormat.DType(rawValue: layerDtype), lt != .int8 else {
                    throw LexelError("--layer-dtype: expected f32 or f16 (got '\(layerDtype)')")
                }
                try LexicalModel.load(path: input).write(path: output, dtype: dt, layerType: lt)
                return
            }
            if let m = maxWords, m <= 0 { throw LexelError("--max-words must be positive (got \(m))") }
            let toVectorFile = !([".vec", ".txt", ".bin", ".npy"].contains { output.hasSuffix($0) })
            if toVectorFile && !VectorFile.isVectorFile(path: input) && !WordVectors.isModelFile(path: input) {
                // word2vec / GloVe / .vec input: parsed row by row while the .lxv is written (bounded memory)
                var o = VectorFileOptions()
                (o.dtype, o.normalize, o.maxWords, o.foldCase) = (dt, normalize, maxWords, foldCase)
                let rows = try VectorFileRows(path: input, format: input.hasSuffix(".bin") ? .word2vecBinary : .text)
                try VectorFileWriter.write(rows: rows, to: output, options: o, source: input)
                return
            }
            let v = VectorFile.isVectorFile(path: input) ? try VectorFile(path: input).wordVectors()
                                                         : try WordVectors.load(path: input)
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
            o.foldCase = foldCase
            try VectorFileWriter.write(v, to: output, options: o, source: input)
        }
    }
}

struct Index: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Add an HNSW graph to a .lxv file for fast approximate nearest-neighbour queries.",
        discussion: """
            The graph is stored in the file (replacing any earlier one); the file is rewritten atomically.
            Then query it with `lexel query FILE --most-similar 10 --ann`.
            Larger -M and --ef-construction build slower and recall more (defaults: 16 and 200).
              lexel index vectors.lxv
              lexel index vectors.lxv -M 32 --ef-construction 400 --output vectors-ann.lxv
            """)
    @Argument(help: "A .lxv file.") var file: String
    @Option(name: .customShort("M"), help: "Links per node (level 0 keeps twice as many).") var m = 16
    @Option(help: "Beam width while building.") var efConstruction = 200
    @Option(help: "Write the indexed file here instead of replacing FILE.") var output: String?
    @Option(help: "0 silent, 2 progress line.") var verbose = 2

    func validate() throws {
        guard (2...128).contains(m) else { throw ValidationError("-M must be in 2...128 (got \(m))") }
        guard (1...10_000).contains(efConstruction) else { throw ValidationError("--ef-construction must be in 1...10000 (got \(efConstruction))") }
    }

    func run() throws {
        try reportingErrors {
            let f = try VectorFile(path: file)
            var p = HNSWParameters()
            p.m = m
            p.efConstruction = efConstruction
            let start = monotonicSeconds()
            var last = 0.0
            try f.addHNSW(parameters: p, output: output) { done in
                let now = monotonicSeconds()
                guard verbose >= 2, now - last > 0.5 || done == f.count else { return }
                last = now
                let frac = Double(done) / Double(f.count), el = now - start
                writeStderr("\rIndexing: \(formatFixed(frac * 100, 1))%  \(Int(Double(done) / max(el, 1e-9))) rows/sec  "
                            + "ETA: \(formatDuration(frac > 0 ? el * (1 - frac) / frac : .infinity)) ")
            }
            if verbose >= 2 { writeStderr("\n") }
            if verbose >= 1 {
                writeStderr("HNSW graph over \(f.count) rows (M \(m), ef \(efConstruction)) in \(formatDuration(monotonicSeconds() - start)): \(output ?? file)\n")
            }
        }
    }
}

struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print a .lxv file's metadata and sections (sizes, encodings), without reading vector data.")
    @Argument(help: "A .lxv file.") var file: String

    func run() throws {
        try reportingErrors {
            let f = try VectorFile(path: file)
            print("\(file): \(f.count) x \(f.dim) \(f.dtype.rawValue)\(f.normalized ? ", unit rows" : "")"
                  + (f.hasSubwords ? ", subword rows" : "") + (f.hasHNSW ? ", HNSW graph" : ""))
            for (k, v) in f.meta.sorted(by: { $0.key < $1.key }) { print("  \(k) = \(v)") }
            let total = Double(f.file.size)
            print("  section           bytes  bytes/row  share  encoding")
            for e in f.sections {
                let name = f.container.name(of: e).padding(toLength: 16, withPad: " ", startingAt: 0)
                let pct = formatFixed(100 * Double(e.length) / total, 1)
                print("  \(name) \(String(e.length).leftPadded(11))  \(formatFixed(Double(e.length) / Double(f.count), 1).leftPadded(9))  \(pct.leftPadded(4))%  \(e.encoding == 1 ? "zstd" : "raw")")
            }
            print("  total            \(String(f.file.size).leftPadded(11))  \(formatFixed(total / Double(f.count), 1).leftPadded(9))")
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
