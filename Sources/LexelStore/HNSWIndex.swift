import Synchronization
import LexelContainer
import LexelCore
import LexelKernels

/// The `hnsw` section (docs/format.md), all little-endian:
///
///     u32 m, u32 m0, u32 maxLevel, u32 entry, u64 count, u64 upperCount
///     u8  levels[count], zero-padded to a multiple of 8 bytes
///     u32 level0[count * m0]              unused slots hold 0xFFFFFFFF
///     u32 upperNodes[upperCount]          ascending: the rows with level >= 1
///     u32 (padding to 8 bytes when upperCount is odd)
///     u64 upperOffsets[upperCount]        index into upperLinks of the node's level-1 links
///     u32 upperLinks[...]                 per upper node: level 1..level, `m` slots each
enum HNSWSection {
    static let empty = UInt32.max

    static func encode(_ g: HNSWBuilder) -> [UInt8] {
        var out: [UInt8] = []
        for v in [UInt32(g.m), UInt32(g.m0), UInt32(g.maxLevel), g.entry] { out.appendLE(v) }
        let nodes = g.upper.keys.sorted()
        out.appendLE(UInt64(g.rowCount))
        out.appendLE(UInt64(nodes.count))
        out += g.levels
        out += [UInt8](repeating: 0, count: (8 - g.levels.count % 8) % 8)
        for r in 0..<g.rowCount {
            let n = Int(g.level0Count[r])
            for i in 0..<g.m0 { out.appendLE(i < n ? g.level0[r * g.m0 + i] : empty) }
        }
        for n in nodes { out.appendLE(UInt32(n)) }
        if nodes.count % 2 == 1 { out.appendLE(UInt32(0)) }
        var offset: UInt64 = 0
        for n in nodes {
            out.appendLE(offset)
            offset += UInt64(g.upper[n]!.count * g.m)
        }
        for n in nodes {
            for links in g.upper[n]! {
                for i in 0..<g.m { out.appendLE(i < links.count ? links[i] : empty) }
            }
        }
        return out
    }
}

/// An HNSW graph mapped from a file's `hnsw` section. Every id read from the file is checked, so a corrupt
/// graph gives worse results, never a crash.
struct HNSWView: ProximityGraph, @unchecked Sendable {
    let rowCount: Int
    let m: Int, m0: Int, maxLevel: Int, entry: UInt32
    let levels: UnsafePointer<UInt8>
    let level0: UnsafePointer<UInt32>
    let upperNodes: UnsafeBufferPointer<UInt32>
    /// Read unaligned: a damaged `m0` can leave them at any 4-byte boundary.
    let upperOffsets: UnsafeRawPointer
    let upperLinks: UnsafeBufferPointer<UInt32>

    /// Parses the section; nil when its tables do not fit `length` bytes or do not match `fileRows`.
    init?(_ base: UnsafeRawPointer, length: Int, fileRows: Int) {
        guard length >= 32 else { return nil }
        func u32(_ o: Int) -> Int { Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt32.self))) }
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: base.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        (m, m0, maxLevel) = (u32(0), u32(4), u32(8))
        entry = UInt32(u32(12))
        let count = u64(16), upper = u64(24)
        guard count == UInt64(fileRows), upper <= count, m >= 1, m <= 256, m0 >= 1, m0 <= 512, maxLevel <= 64,
              Int(entry) < fileRows else { return nil }
        rowCount = fileRows
        let n = Int(count), u = Int(upper)
        var o = 32
        levels = (base + o).assumingMemoryBound(to: UInt8.self)
        o += (n + 7) / 8 * 8
        guard o + n * m0 * 4 <= length else { return nil }
        level0 = (base + o).assumingMemoryBound(to: UInt32.self)
        o += n * m0 * 4
        guard o + u * 4 + (u % 2) * 4 + u * 8 <= length else { return nil }
        upperNodes = UnsafeBufferPointer(start: (base + o).assumingMemoryBound(to: UInt32.self), count: u)
        o += u * 4 + (u % 2) * 4
        upperOffsets = base + o
        o += u * 8
        upperLinks = UnsafeBufferPointer(start: (base + o).assumingMemoryBound(to: UInt32.self), count: (length - o) / 4)
    }

    func forEachNeighbour(of node: UInt32, level: Int, _ body: (UInt32) -> Void) {
        if level == 0 {
            let base = level0 + Int(node) * m0
            for i in 0..<m0 {
                let n = base[i]
                if n == HNSWSection.empty { break }
                if Int(n) < rowCount { body(n) }
            }
            return
        }
        guard level <= Int(levels[Int(node)]) else { return }
        var lo = 0, hi = upperNodes.count  // binary search for the node's upper links
        while lo < hi {
            let mid = (lo + hi) / 2
            if upperNodes[mid] < node { lo = mid + 1 } else { hi = mid }
        }
        guard lo < upperNodes.count, upperNodes[lo] == node else { return }
        let offset = UInt64(littleEndian: upperOffsets.loadUnaligned(fromByteOffset: 8 * lo, as: UInt64.self))
        guard offset <= UInt64(upperLinks.count) else { return }  // compared before converting: no overflow
        let start = Int(offset) + (level - 1) * m
        guard start + m <= upperLinks.count else { return }
        for i in start..<(start + m) {
            let n = upperLinks[i]
            if n == HNSWSection.empty { break }
            if Int(n) < rowCount { body(n) }
        }
    }
}

extension VectorFile {
    /// Builds an HNSW graph over every row and adds it to the file at `output` (by default the file itself,
    /// replaced atomically), replacing any graph it had. `progress` receives the rows inserted so far.
    public func addHNSW(parameters: HNSWParameters = HNSWParameters(), output: String? = nil,
                        progress: (Int) -> Void = { _ in }) throws {
        let g = HNSWBuilder(file: self, parameters: parameters)
        g.build(progress: progress)
        try VectorFileWriter.write(self, adding: .hnsw, HNSWSection.encode(g), to: output ?? path)
    }

    /// The file's HNSW graph, when `lexel index` has added one.
    var hnsw: HNSWView? {
        get throws {
            guard let e = sections.first(where: { $0.kind == SectionKind.hnsw.rawValue }) else { return nil }
            guard e.encoding == 0, let v = HNSWView(file.base + Int(e.offset), length: Int(e.length), fileRows: count) else {
                throw LexelError(file: path, offset: Int64(e.offset), "section hnsw: tables do not fit the section (corrupt)")
            }
            return v
        }
    }

    /// Whether the file has an HNSW graph for approximate searches.
    public var hasHNSW: Bool { sections.contains { $0.kind == SectionKind.hnsw.rawValue } }

    /// Approximate top-`k` by cosine through the HNSW graph: a greedy descent of the upper levels, then a beam of
    /// width `max(ef, k)` on level 0. Larger `ef` is slower and recalls more. Rows in `excluding` are left out.
    public func approximateMostSimilar(to query: [Float], k: Int, ef: Int = 64,
                                       excluding: Set<Int> = []) throws -> [Match] {
        guard let g = try hnsw else {
            throw LexelError(file: path, "no HNSW index in this file: add one with `lexel index \(path)`")
        }
        precondition(query.count == dim, "query has \(query.count) values; the file has \(dim) dimensions")
        var q = query
        return try q.withUnsafeMutableBufferPointer { qb -> [Match] in
            let qp = UnsafePointer(qb.baseAddress!)
            Kernels.normalize(qb.baseAddress!, dim)
            let sim: (UnsafePointer<Float>, UInt32) -> Float = { self.cosine($0, row: Int($1)) }
            var best = (sim(qp, g.entry), g.entry)
            if g.maxLevel > 0 {
                for l in stride(from: g.maxLevel, through: 1, by: -1) { best = g.greedy(qp, from: best, level: l, similarity: sim) }
            }
            var visited = takeVisitedSet(rows: count)
            defer { giveBackVisitedSet(visited) }
            let found = g.searchLayer(qp, entries: [best], ef: max(ef, k + excluding.count), level: 0,
                                      visited: &visited, similarity: sim)
            return try found.filter { !excluding.contains(Int($0.1)) }.prefix(k)
                .map { Match(row: Int($0.1), key: try key(Int($0.1)), score: $0.0) }
        }
    }

    /// Approximate nearest neighbours of any word; the word itself is left out.
    public func approximateMostSimilar(toWord word: String, k: Int, ef: Int = 64) throws -> [Match] {
        try approximateMostSimilar(to: try vector(for: word), k: k, ef: ef, excluding: Set([row(of: word)].compactMap { $0 }))
    }
}

/// Visited sets kept between searches (clearing one is O(1), allocating one is O(rows)).
private let visitedPool = Mutex<[VisitedSet]>([])

private func takeVisitedSet(rows: Int) -> VisitedSet {
    visitedPool.withLock { pool in
        if let i = pool.firstIndex(where: { $0.count == rows }) { return pool.remove(at: i) }
        return nil
    } ?? VisitedSet(count: rows)
}

private func giveBackVisitedSet(_ v: VisitedSet) {
    visitedPool.withLock { pool in
        if pool.count < 16 { pool.append(v) }
    }
}
