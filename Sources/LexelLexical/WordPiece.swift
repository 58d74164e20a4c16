import LexelText

/// A byte trie over a WordPiece vocabulary. Greedy longest-match-first WordPiece is one walk per piece: from a
/// word's current position, follow bytes as far as the trie goes and take the last token passed. Continuation
/// pieces (`##x`) are looked up by starting the walk at the node of `##`.
struct WordPieceTrie: Sendable {
    /// Open-addressing table: key `node << 8 | byte` (+1, 0 = empty), value the child node.
    private let keys: [UInt64]
    private let children: [UInt32]
    private let mask: Int
    /// Token id ending at each node, or -1.
    let terminal: [Int32]
    /// The root's children by byte (most lookups start there).
    private let rootChildren: [UInt32]
    let continuationNode: UInt32?

    init(tokens: [String], continuationPrefix: String = "##") {
        var edges: [UInt64: UInt32] = [:]
        var terminal: [Int32] = [-1]
        for (id, t) in tokens.enumerated() {
            var node: UInt32 = 0
            for b in t.utf8 {
                let key = UInt64(node) << 8 | UInt64(b)
                if let c = edges[key] {
                    node = c
                } else {
                    let c = UInt32(terminal.count)
                    terminal.append(-1)
                    edges[key] = c
                    node = c
                }
            }
            if terminal[Int(node)] < 0 { terminal[Int(node)] = Int32(id) }  // first id wins on duplicates
        }
        var slots = 16
        while slots < edges.count * 2 { slots <<= 1 }
        var keys = [UInt64](repeating: 0, count: slots), children = [UInt32](repeating: 0, count: slots)
        for (k, c) in edges {
            var i = WordPieceTrie.slot(k, slots - 1)
            while keys[i] != 0 { i = (i + 1) & (slots - 1) }
            keys[i] = k + 1
            children[i] = c
        }
        var root = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 { root[b] = edges[UInt64(b)] ?? 0 }
        self.keys = keys
        self.children = children
        mask = slots - 1
        self.terminal = terminal
        rootChildren = root
        var node: UInt32? = 0
        for b in continuationPrefix.utf8 { node = node.flatMap { edges[UInt64($0) << 8 | UInt64(b)] } }
        continuationNode = node
    }

    @inline(__always) static func slot(_ k: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    /// The child of `node` along byte `b`, or nil.
    @inline(__always) func child(_ node: UInt32, _ b: UInt8) -> UInt32? {
        if node == 0 {
            let c = rootChildren[Int(b)]
            return c == 0 ? nil : c
        }
        let k = UInt64(node) << 8 | UInt64(b)
        var i = WordPieceTrie.slot(k, mask)
        while true {
            let stored = keys[i]
            if stored == 0 { return nil }
            if stored == k + 1 { return children[i] }
            i = (i + 1) & mask
        }
    }

    /// Appends the WordPiece ids of one normalised word (its UTF-8 bytes, `chars` characters) to `out`: the
    /// longest vocabulary prefix, then the longest `##` continuation, and so on; the whole word is `unknown`
    /// when some position matches nothing or the word has more than `maxChars` characters.
    func encode(_ word: UnsafeBufferPointer<UInt8>, chars: Int, maxChars: Int, unknown: Int32, into out: inout [Int32]) {
        guard !word.isEmpty else { return }
        guard chars <= maxChars else { out.append(unknown); return }
        let mark = out.count
        var start = 0
        while start < word.count {
            var node: UInt32 = start == 0 ? 0 : (continuationNode ?? UInt32.max)
            var best: Int32 = -1, bestEnd = start
            var i = start
            if node != UInt32.max {
                while i < word.count, let c = child(node, word[i]) {
                    node = c
                    i += 1
                    let t = terminal[Int(c)]
                    if t >= 0 { best = t; bestEnd = i }
                }
            }
            guard best >= 0 else {
                out.removeSubrange(mark...)
                out.append(unknown)
                return
            }
            out.append(best)
            start = bestEnd
        }
    }
}
