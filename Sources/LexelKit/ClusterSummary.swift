#if canImport(Glibc)
import Glibc
#endif
import LexelCluster
import LexelCore
import LexelIO

/// What each cluster of documents is about: its size, its most characteristic words and word pairs (TF-IDF of the
/// cluster's documents against all: the share of its documents holding a term times log(N / documents holding
/// it), terms held by at least two of its documents), and the documents nearest its centroid. Terms are counted
/// on up to 200,000 documents (an even spread), by 64-bit hash; a second pass spells the chosen ones.
public enum ClusterSummary {
    public struct Cluster: Sendable {
        public var cluster: Int
        public var size: Int
        public var terms: [String]
        public var nearest: [(index: Int, distance: Float, text: String)]

        /// A short name: up to `terms` top terms, leaving out a word already inside a chosen pair and a pair whose
        /// words are chosen.
        public func name(terms count: Int = 3) -> String {
            var chosen: [String] = []
            for t in terms where chosen.count < count {
                let words = Set(t.split(separator: " ").map(String.init))
                let overlaps = chosen.contains { c in
                    let cw = Set(c.split(separator: " ").map(String.init))
                    return words.isSubset(of: cw) || cw.isSubset(of: words)
                }
                if !overlaps { chosen.append(t) }
            }
            return chosen.isEmpty ? "cluster \(cluster)" : chosen.joined(separator: ", ")
        }
    }

    static let maxDocuments = 200_000

    /// Reads `docs` twice: counts terms, writes `assignmentsPath` (JSON Lines `{id, cluster, distance}`), then
    /// spells the top terms and copies the nearest documents' texts (first 300 bytes).
    public static func build(_ docs: DocumentInput, result r: KMeansResult, terms topTerms: Int, documents topDocs: Int,
                             assignmentsPath: String) throws -> [Cluster] {
        let n = r.assignments.count, k = r.centroids.rows
        let every = max(1, (n + maxDocuments - 1) / maxDocuments)
        var perCluster = [[UInt64: Int32]](repeating: [:], count: k)
        var df: [UInt64: Int32] = [:]
        var counted = [Int](repeating: 0, count: k), total = 0
        let out = try AtomicFileWriter(path: assignmentsPath)
        var buffer = ""
        let reader = try docs.reader()
        var seen = Set<UInt64>()
        try reader.forEachDocument { text, line, i in
            guard i < n else { throw LexelError(file: reader.displayName, "the documents changed while being read (more than \(n))") }
            let c = Int(r.assignments[i])
            buffer += "{\"id\": \(id(line, index: i, json: docs.field != nil)), \"cluster\": \(c), \"distance\": \(r.distances[i])}\n"
            if buffer.utf8.count > 1 << 16 { try out.write(buffer); buffer = "" }
            guard i % every == 0 else { return }
            seen.removeAll(keepingCapacity: true)
            forEachTerm(text) { h, _ in seen.insert(h) }
            for h in seen { perCluster[c][h, default: 0] += 1; df[h, default: 0] += 1 }
            counted[c] += 1
            total += 1
        }
        try out.write(buffer)
        try out.commit()

        // The top terms of each cluster, by hash: share of the cluster's documents holding the term times the log of
        // how much likelier it is there than anywhere (its contribution to the KL divergence of the cluster's terms
        // from the corpus's); terms in more than a fifth of all documents, and function words, left out.
        var chosen = [[UInt64]](repeating: [], count: k), spell: [UInt64: String] = [:]
        for c in 0..<k where counted[c] > 0 {
            var scored: [(Double, UInt64)] = []
            for (h, m) in perCluster[c] where m >= 2 {
                let all = Double(df[h]!), inCluster = Double(m) / Double(counted[c])
                guard all <= 0.2 * Double(total) else { continue }
                let lift = inCluster / (all / Double(total))
                if lift > 1 { scored.append((inCluster * log(lift), h)) }
            }
            scored.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
            chosen[c] = scored.prefix(topTerms).map(\.1)
            for h in chosen[c] { spell[h] = "" }
        }
        // The nearest documents of each cluster (ties: the earlier document first).
        var top = [TopK](repeating: TopK(k: topDocs), count: k)
        for i in 0..<n { top[Int(r.assignments[i])].offer(i, -r.distances[i]) }
        let nearest = top.map { $0.items.map(\.0) }
        var wanted: [Int: String] = [:]
        for list in nearest { for i in list { wanted[i] = "" } }
        try docs.reader().forEach { text, i in
            if wanted[i] != nil { wanted[i] = snippet(text) }
            if i % every == 0 { forEachTerm(text) { h, term in if spell[h] == "" { spell[h] = term() } } }
        }
        return (0..<k).map { c in
            Cluster(cluster: c, size: r.sizes[c], terms: chosen[c].map { spell[$0] ?? "" },
                    nearest: nearest[c].map { ($0, r.distances[$0], wanted[$0] ?? "") })
        }
    }

    /// The document's JSON `id` member as written (a string or a number), or its index.
    static func id(_ line: UnsafeBufferPointer<UInt8>, index: Int, json: Bool) -> String {
        guard json, let v = try? JSONValue.parse(line, file: ""), let member = v["id"] else { return String(index) }
        switch member {
        case .string(let s): return jsonString(s)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        default: return String(index)
        }
    }

    /// The first 300 bytes of a text (after its leading `__label__` tokens), cut at a character boundary.
    static func snippet(_ whole: UnsafeBufferPointer<UInt8>) -> String {
        let text = UnsafeBufferPointer(rebasing: whole[labelsEnd(whole)...])
        var end = min(text.count, 300)
        while end < text.count && end > 0 && text[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: UnsafeBufferPointer(rebasing: text[0..<end]), as: UTF8.self) + (end < text.count ? "…" : "")
    }

    /// Where the text starts after its leading `__label__X` tokens (and the blanks after them).
    static func labelsEnd(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        let label = Array("__label__".utf8)
        var i = 0
        while true {
            while i < text.count && (text[i] == 0x20 || text[i] == 0x09) { i += 1 }
            guard text.count - i >= label.count, label.indices.allSatisfy({ text[i + $0] == label[$0] }) else { return i }
            while i < text.count && text[i] != 0x20 && text[i] != 0x09 { i += 1 }
        }
    }

    /// English function words, never a cluster's name.
    static let stopWords = """
        a about above after again against all also am an and any are as at be because been before being below between \
        both but by can could did do does doing down during each few for from further had has have having he her here \
        hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of \
        off on once only or other our ours ourselves out over own same she should so some such than that the their \
        theirs them themselves then there these they this those through to too under until up very was we were what \
        when where which while who whom why will with would you your yours yourself yourselves thou thee thy thine \
        shall may might must upon unto ye hath doth
        """

    static let stopHashes = Set(stopWords.split(separator: " ").map { hashTerm(Array($0.utf8)) })

    /// The hash `forEachTerm` gives a one-word term spelled (lower case) by `word`.
    static func hashTerm(_ word: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in word { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }

    /// Calls `body(hash, spelling)` for each word (letters and digits, ASCII folded to lower case, 2+ bytes, not
    /// all digits, not a function word) and each pair of adjacent such words; `spelling()` builds the term's text only when asked. Leading
    /// `__label__X` tokens (fastText labels) are not words of the text.
    static func forEachTerm(_ text: UnsafeBufferPointer<UInt8>, _ body: (UInt64, () -> String) -> Void) {
        var prev: Range<Int>? = nil, i = labelsEnd(text)
        let n = text.count
        func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b | 0x20 : b }
        func isWord(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b >= 0x80 }
        func hash(_ r: Range<Int>, _ h0: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
            var h = h0
            for j in r { h = (h ^ UInt64(lower(text[j]))) &* 0x100_0000_01b3 }
            return h
        }
        func spelled(_ r: Range<Int>) -> String { String(decoding: r.map { lower(text[$0]) }, as: UTF8.self) }
        while i < n {
            guard isWord(text[i]) else { i += 1; continue }
            let start = i
            var digits = true
            while i < n && isWord(text[i]) { digits = digits && text[i] >= 48 && text[i] <= 57; i += 1 }
            let word = start..<i
            guard word.count >= 2 && !digits else { prev = nil; continue }
            let h = hash(word)
            if stopHashes.contains(h) { prev = nil; continue }  // function words: no term, and no pair across them
            body(h) { spelled(word) }
            if let p = prev {
                let pair = hash(word, (hash(p) ^ 0x20) &* 0x100_0000_01b3)
                body(pair) { spelled(p) + " " + spelled(word) }
            }
            prev = word
        }
    }
}
