import LexelKernels

/// The Huffman tree of hierarchical softmax, built from counts sorted most frequent first (as word2vec and
/// fastText do, in linear time with two queues). For each word: the output rows of the inner nodes on its path
/// to the root, and the branch taken at each (1 = right).
public final class HuffmanTree: @unchecked Sendable {
    let offsets: FlatArray<Int>
    let nodes: FlatArray<Int32>
    let codes: FlatArray<UInt8>

    public init(counts: [Int64]) {
        let n = counts.count
        let total = max(2 * n - 1, 0)
        var count = [Int64](repeating: Int64.max / 4, count: total)
        var parent = [Int](repeating: -1, count: total)
        var binary = [UInt8](repeating: 0, count: total)
        for i in 0..<n { count[i] = counts[i] }
        var leaf = n - 1, node = n
        if n > 1 {
            for i in n..<total {
                var mini = (0, 0)
                for j in 0..<2 {
                    let pick: Int
                    if leaf >= 0 && count[leaf] < count[node] { pick = leaf; leaf -= 1 } else { pick = node; node += 1 }
                    if j == 0 { mini.0 = pick } else { mini.1 = pick }
                }
                count[i] = count[mini.0] + count[mini.1]
                parent[mini.0] = i
                parent[mini.1] = i
                binary[mini.1] = 1
            }
        }
        var offsets = [0], nodes: [Int32] = [], codes: [UInt8] = []
        for i in 0..<n {
            var j = i
            while parent[j] != -1 {
                nodes.append(Int32(parent[j] - n))
                codes.append(binary[j])
                j = parent[j]
            }
            offsets.append(nodes.count)
        }
        self.offsets = FlatArray(offsets)
        self.nodes = FlatArray(nodes)
        self.codes = FlatArray(codes)
    }

    /// Inner-node output rows on the path of word `i`, leaf to root.
    @inlinable public func path(_ i: Int) -> UnsafeBufferPointer<Int32> {
        let o = offsetsBase[i]
        return UnsafeBufferPointer(start: nodesBase + o, count: offsetsBase[i + 1] - o)
    }

    /// Branch codes on the path of word `i`.
    @inlinable public func codes(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let o = offsetsBase[i]
        return UnsafeBufferPointer(start: codesBase + o, count: offsetsBase[i + 1] - o)
    }

    @usableFromInline var offsetsBase: UnsafeMutablePointer<Int> { offsets.base }
    @usableFromInline var nodesBase: UnsafeMutablePointer<Int32> { nodes.base }
    @usableFromInline var codesBase: UnsafeMutablePointer<UInt8> { codes.base }
}
