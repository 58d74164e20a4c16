#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LexelKernels

/// Settings of an HNSW graph.
public struct HNSWParameters: Sendable {
    /// Links per node on the upper levels; level 0 keeps `2 * m`.
    public var m = 16
    /// Beam width while inserting: larger builds slower and finds better links.
    public var efConstruction = 200
    public var seed: UInt64 = 42
    public init() {}
}

/// Builds an HNSW graph (Malkov and Yashunin 2016) over every row of a vector file, by cosine similarity,
/// inserting rows in file order (most frequent first). Deterministic for a given file and parameters.
final class HNSWBuilder: ProximityGraph {
    let dim: Int
    let rowCount: Int
    let m: Int, m0: Int, ef: Int
    /// Unit vectors of all rows, f32.
    let unit: Matrix
    var levels: [UInt8]
    /// Level-0 links: `m0` slots per node, `level0Count[node]` of them used.
    var level0: [UInt32]
    var level0Count: [UInt8]
    /// Links on levels 1... for the nodes that reach them: `upper[node][level - 1]`.
    var upper: [Int: [[UInt32]]] = [:]
    var entry: UInt32 = 0
    var maxLevel = 0
    var visited: VisitedSet

    init(file: VectorFile, parameters p: HNSWParameters) {
        dim = file.dim
        rowCount = file.count
        m = max(2, p.m)
        m0 = 2 * m
        ef = max(p.efConstruction, m)
        unit = Matrix(rows: rowCount, cols: dim)
        for r in 0..<rowCount {
            file.vector(row: r, into: unit.row(r))
            Kernels.normalize(unit.row(r), dim)
        }
        var rng = SplitMix64(seed: p.seed)
        let scale = 1 / log(Double(m))
        levels = (0..<rowCount).map { _ in
            let u = max(Double(rng.nextUnitFloat()), 1e-9)
            return UInt8(min(30, Int(-log(u) * scale)))
        }
        level0 = [UInt32](repeating: 0, count: rowCount * m0)
        level0Count = [UInt8](repeating: 0, count: rowCount)
        visited = VisitedSet(count: rowCount)
    }

    @inline(__always) func similarity(_ q: UnsafePointer<Float>, _ r: UInt32) -> Float {
        Kernels.dot(q, unit.row(Int(r)), dim)
    }

    @inline(__always) func similarity(_ a: UInt32, _ b: UInt32) -> Float {
        Kernels.dot(unit.row(Int(a)), unit.row(Int(b)), dim)
    }

    func forEachNeighbour(of node: UInt32, level: Int, _ body: (UInt32) -> Void) {
        if level == 0 {
            let base = Int(node) * m0
            for i in 0..<Int(level0Count[Int(node)]) { body(level0[base + i]) }
        } else if let links = upper[Int(node)], level <= links.count {
            for n in links[level - 1] { body(n) }
        }
    }

    func links(of node: UInt32, level: Int) -> [UInt32] {
        var out: [UInt32] = []
        forEachNeighbour(of: node, level: level) { out.append($0) }
        return out
    }

    func setLinks(of node: UInt32, level: Int, _ links: [UInt32]) {
        if level == 0 {
            let base = Int(node) * m0
            for (i, n) in links.enumerated() { level0[base + i] = n }
            level0Count[Int(node)] = UInt8(links.count)
        } else {
            upper[Int(node)]![level - 1] = links
        }
    }

    /// Builds the whole graph, reporting progress (rows inserted) every 4096 rows.
    func build(progress: (Int) -> Void = { _ in }) {
        for r in 0..<rowCount {
            insert(UInt32(r))
            if r % 4096 == 4095 { progress(r + 1) }
        }
        progress(rowCount)
    }

    func insert(_ node: UInt32) {
        let level = Int(levels[Int(node)])
        if level > 0 { upper[Int(node)] = Array(repeating: [], count: level) }
        if node == 0 {
            entry = 0
            maxLevel = level
            return
        }
        let q = UnsafePointer(unit.row(Int(node)))
        let sim: (UnsafePointer<Float>, UInt32) -> Float = { self.similarity($0, $1) }
        var best = (similarity(q, entry), entry)
        if maxLevel > level {
            for l in stride(from: maxLevel, to: level, by: -1) { best = greedy(q, from: best, level: l, similarity: sim) }
        }
        var entries = [best]
        for l in stride(from: min(level, maxLevel), through: 0, by: -1) {
            let found = searchLayer(q, entries: entries, ef: ef, level: l, visited: &visited, similarity: sim)
            let cap = l == 0 ? m0 : m
            let chosen = selectNeighbours(found, m: m, similarity: { self.similarity($0, $1) })
            setLinks(of: node, level: l, chosen.map(\.1))
            for (s, n) in chosen {
                var theirs = links(of: n, level: l)
                if theirs.count < cap {
                    theirs.append(node)
                } else {
                    var pool = theirs.map { (similarity($0, n), $0) }
                    pool.append((s, node))
                    pool.sort { $0.0 > $1.0 }
                    theirs = selectNeighbours(pool, m: cap, similarity: { self.similarity($0, $1) }).map(\.1)
                }
                setLinks(of: n, level: l, theirs)
            }
            entries = found
        }
        if level > maxLevel {
            maxLevel = level
            entry = node
        }
    }
}
