import ArgumentParser
import LexelKit

struct Query: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Query a .lxv vector file: vectors, neighbours, analogies, similarities (queries on stdin).",
        discussion: """
            Each stdin line is one query (at most 1 MiB, valid UTF-8). Any word gets a vector: words not in the
            file get an OOV vector (docs/oov.md), so no query fails for an unknown word. Searches are exact and
            use every core. Without a mode flag, prints each word's vector.
              echo 'king kernnel'       | lexel query v.lxv --most-similar 10     (neighbours of each word)
              echo 'man king woman'     | lexel query v.lxv --analogy 5          (king - man + woman)
              echo 'man king woman'     | lexel query v.lxv --analogy 5 --cosmul (3CosMul instead of 3CosAdd)
              echo 'cat dog car'        | lexel query v.lxv --doesnt-match
              echo 'cat dog'            | lexel query v.lxv --similarity
              echo 'cat dog'            | lexel query v.lxv --closer-than        (words closer to cat than dog is)
              lexel query v.lxv --verify                                          (check every checksum)
            """)
    @Argument(help: "A .lxv file.") var file: String
    @Option(parsing: .unconditional, help: "Print the N nearest neighbours of each word.") var mostSimilar: Int?
    @Option(parsing: .unconditional, help: "Lines 'a b c': print the N best answers to a : b :: c : ? (b - a + c).") var analogy: Int?
    @Flag(help: "With --analogy: score by 3CosMul (Levy and Goldberg) instead of 3CosAdd.") var cosmul = false
    @Flag(help: "Print the word of each line that fits least with the others.") var doesntMatch = false
    @Flag(help: "Lines 'a b': print their cosine similarity.") var similarity = false
    @Flag(help: "Lines 'a b': print every word more similar to a than b is.") var closerThan = false
    @Flag(help: "With --most-similar: search the file's HNSW graph (add one with `lexel index`).") var ann = false
    @Option(parsing: .unconditional, help: "With --ann: beam width; larger is slower and recalls more.") var ef = 64
    @Option(parsing: .unconditional, help: "Search only the N most frequent words (the first N rows).") var restrict: Int?
    @OptionGroup var threads: ThreadsOption
    @Flag(help: "Check every section's checksum, then exit.") var verify = false

    func validate() throws {
        let modes = [mostSimilar != nil, analogy != nil, doesntMatch, similarity, closerThan, verify].filter { $0 }
        guard modes.count <= 1 else {
            throw ValidationError("choose one of --most-similar, --analogy, --doesnt-match, --similarity, --closer-than, --verify")
        }
        for (name, v) in [("--most-similar", mostSimilar), ("--analogy", analogy), ("--restrict", restrict)] {
            if let v, v <= 0 { throw ValidationError("\(name) must be positive (got \(v))") }
        }
        if ann && mostSimilar == nil { throw ValidationError("--ann goes with --most-similar") }
        if ef <= 0 { throw ValidationError("--ef must be positive (got \(ef))") }
        if cosmul && analogy == nil { throw ValidationError("--cosmul goes with --analogy") }
    }

    func run() throws {
        try reportingErrors {
            let f = try ModelFiles.vectorFile(file, for: "query")
            if verify {
                try f.verify()
                out("\(file): \(f.sections.count) sections, \(f.count) x \(f.dim) \(f.dtype.rawValue): all checksums match")
                return
            }
            let options = SearchOptions(restrict: restrict, threads: threads.threads)
            func show(_ ms: [Match]) { for m in ms { out("\(m.key) \(m.score)") } }
            func need(_ words: [String], _ n: Int, _ what: String) throws {
                guard words.count == n else {
                    throw LexelError("\(what): expected \(n) words on the line, got \(words.count): \(quoted(words.joined(separator: " ")))")
                }
            }
            try QueryLines.forEachWords { words, _ in
                if let k = mostSimilar {
                    for w in words {
                        out("Query word? \(w)" + (f.row(of: w) == nil ? " (not in the file: OOV vector)" : ""))
                        show(ann ? try f.approximateMostSimilar(toWord: w, k: k, ef: ef)
                                 : try f.mostSimilar(toWord: w, k: k, options: options))
                    }
                } else if let k = analogy {
                    try need(words, 3, "--analogy")
                    let (pos, neg) = ([words[1], words[2]], [words[0]])
                    show(cosmul ? try f.mostSimilarCosMul(positive: pos, negative: neg, k: k, options: options)
                                : try f.mostSimilar(positive: pos, negative: neg, k: k, options: options))
                } else if doesntMatch {
                    out(try f.doesntMatch(words))
                } else if similarity {
                    try need(words, 2, "--similarity")
                    out("\(try f.similarity(words[0], words[1]))")
                } else if closerThan {
                    try need(words, 2, "--closer-than")
                    show(try f.closerThan(words[0], words[1], options: options))
                } else {
                    for w in words { out(w + " " + (try f.vector(for: w)).map { "\($0)" }.joined(separator: " ")) }
                }
            }
        }
    }
}
