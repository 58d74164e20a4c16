import ArgumentParser
import LexelKit

/// `lexel ngrams`: the most frequent WordPiece n-grams of a corpus, the feature vocabulary of the lexical embedder.
struct CountNgrams: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ngrams",
        abstract: "Count the most frequent token n-grams of a corpus (the lexical embedder's feature vocabulary).",
        discussion: """
            Each document is split into bert-base-uncased WordPiece tokens; every run
            of minn..maxn consecutive tokens is an n-gram, named by Luxical's 64-bit
            FNV-1a hash of its token ids. The --top most frequent n-grams are written
            to OUTPUT, largest count first, as tab-separated text:
              # lexel-ngrams v1 minn=1 maxn=5 documents=N total=T tokenizer=NAME
              HASH(16 hex digits)  COUNT  DOCUMENT-FREQUENCY  TOKENS
            Input: one document per line (plain text), or JSON Lines with --field
            (default `text` for *.jsonl inputs); zstd is detected; `-` = stdin.
            Invalid UTF-8 is an error naming the line and byte offset. A corpus
            with no n-grams at all (empty, or blank lines only) is an error, and
            nothing is written: an empty feature vocabulary is of no use.

            Memory is bounded whatever the corpus size. Counts are kept for
            capacity = top x --capacity-factor n-grams (Space-Saving), and a
            fixed-size sketch (up to 256 MB) remembers the counts of evicted
            n-grams, so that the rare ones fighting for the last places keep
            their counts. Counts and document frequencies are then estimates that
            can only be too high; the summary says how many listed n-grams are
            certainly in the true top, and the largest possible error. Measured on
            183k paragraphs (79.5M n-grams), the top 100k at the default factor 3
            matched the exact top 100k at 99.8%, in 7 s on 2 threads.
            Memory: about 100 bytes per capacity entry, plus the sketch, plus
            up to ~100 MB per thread (top 2M: about 1.2 GB in all).

            Examples:
              lexel ngrams paragraphs.jsonl.zst --output ngrams.tsv
              lexel ngrams corpus.txt --top 100000 --maxn 3 --output ngrams.tsv
              zstdcat docs.jsonl.zst | lexel ngrams - --field body --output ngrams.tsv
            """)
    @Argument(help: "Corpus: one document per line, or JSON Lines (see --field); plain or .zst; `-` = standard input.")
    var input: String
    @OptionGroup var documents: DocumentOptions
    @Option(parsing: .unconditional, help: "Number of n-grams to keep (the feature vocabulary size).") var top = 2_000_000
    @Option(parsing: .unconditional, help: "Shortest n-gram, in tokens.") var minn = 1
    @Option(parsing: .unconditional, help: "Longest n-gram, in tokens (n-gram hashes depend on it: use the embedder's value).") var maxn = 5
    @Option(parsing: .unconditional, help: "Track top x this many n-grams while counting: more is more exact, and takes more memory.")
    var capacityFactor = 3.0
    @OptionGroup var threads: ThreadsOption
    @Option(help: "WordPiece vocabulary (vocab.txt, one token per line).") var vocab = DefaultFiles.vocabularyPath
    @Option(help: "Output table (written atomically).") var output: String
    @Flag(help: "No progress line.") var quiet = false

    func validate() throws {
        guard top >= 1 else { throw ValidationError("--top must be at least 1 (got \(top))") }
        guard minn >= 1, maxn >= minn, maxn <= 16 else {
            throw ValidationError("--minn/--maxn: need 1 <= minn <= maxn <= 16 (got \(minn) and \(maxn))")
        }
        guard capacityFactor >= 1, capacityFactor <= 1000 else {
            throw ValidationError("--capacity-factor must be between 1 and 1000 (got \(capacityFactor))")
        }
    }

    func run() throws {
        try reportingErrors {
            let reader = try documents.input(input).reader()
            try OutputPath.checkWritable(output)
            let vocabPath = DefaultFiles.vocabulary(vocab)
            let tokenizer = try WordPieceVocabulary.tokenizer(vocabPath)
            var o = NgramCountingOptions()
            (o.top, o.minN, o.maxN, o.capacityFactor, o.threads) = (top, minn, maxn, capacityFactor, threads.threads)
            o.tokenizerName = WordPieceVocabulary.name(vocabPath)
            var display = ProgressDisplay("Counted", unit: "docs", enabled: !quiet)
            let result = try countNgrams(in: reader, tokenizer: tokenizer, options: o) { s in
                display.update(done: s.documents, seconds: s.seconds, fraction: s.fileSize.map { Double(s.bytesRead) / Double(max(1, $0)) })
            }
            guard result.table.count > 0 else {
                let name = input == "-" ? "standard input" : input
                throw LexelError(file: name, result.table.documents == 0 ? "no documents: nothing to count; no table written"
                                 : "no n-grams of \(minn)...\(maxn) tokens in its \(result.table.documents) document\(result.table.documents == 1 ? "" : "s"); no table written")
            }
            try result.table.write(path: output)
            let t = result.table
            let rate = Double(t.documents) / max(result.seconds, 1e-9)
            display.finish(done: Int(t.documents), seconds: result.seconds)
            writeStderr("""
                \(t.documents) documents, \(t.total) n-gram occurrences, \(formatFixed(result.seconds, 1)) s \
                (\(Int(rate)) docs/s, \(threads.threads) threads); capacity \(result.capacity)
                wrote \(t.count) n-grams to \(output): \(result.guaranteed) certainly in the true top \(t.count); \
                largest error \(result.maxError), untracked n-grams occur at most \(result.floor) times\n
                """)
        }
    }
}
