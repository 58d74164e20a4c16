import LexelKit
import Synchronization

// The calls on word vectors (lexel.h: "Word vectors"): a .lxv queried in place, or a fastText/Lexel .bin,
// word2vec .bin or .vec read into memory.

typealias VectorsHandle = Handle<WordQueries>

@_cdecl("lexel_vectors_open")
public func lexelVectorsOpen(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?,
                             _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    useHostSignalHandling()
    return call("lexel_vectors_open", error, length) {
        let path = try string(path, "path"), out = try required(out, "vectors")
        out.pointee = VectorsHandle(try WordQueries(path: path), kind: "word vectors").opaque
    }
}

@_cdecl("lexel_vectors_dim")
public func lexelVectorsDim(_ p: OpaquePointer?) -> Int32 {
    guard let v = try? VectorsHandle.open(p) else { return -1 }
    return Int32(v.dim)
}

@_cdecl("lexel_vectors_count")
public func lexelVectorsCount(_ p: OpaquePointer?) -> Int64 {
    guard let v = try? VectorsHandle.open(p) else { return -1 }
    return Int64(v.count)
}

@_cdecl("lexel_vectors_row")
public func lexelVectorsRow(_ p: OpaquePointer?, _ word: UnsafePointer<CChar>?) -> Int64 {
    guard let v = try? VectorsHandle.open(p), let word, let r = v.row(of: String(cString: word)) else { return -1 }
    return Int64(r)
}

@_cdecl("lexel_vectors_word")
public func lexelVectorsWord(_ p: OpaquePointer?, _ row: Int64, _ buffer: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int {
    guard let v = try? VectorsHandle.open(p), row >= 0, row < v.count, let word = try? v.word(Int(row)) else { return -1 }
    let bytes = Array(word.utf8)
    if let buffer, length > bytes.count {
        for (i, b) in bytes.enumerated() { buffer[i] = CChar(bitPattern: b) }
        buffer[bytes.count] = 0
    }
    return bytes.count
}

@_cdecl("lexel_vectors_close")
public func lexelVectorsClose(_ p: OpaquePointer?) -> Int32 {
    call("lexel_vectors_close", nil, 0) { try VectorsHandle.close(p) }
}

@_cdecl("lexel_vectors_lookup")
public func lexelVectorsLookup(_ p: OpaquePointer?, _ offsets: UnsafeRawPointer?, _ offsetBits: Int32, _ data: UnsafePointer<UInt8>?,
                               _ count: Int64, _ out: UnsafeMutablePointer<Float>?, _ threads: Int32,
                               _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call("lexel_vectors_lookup", error, length) {
        let v = try VectorsHandle.open(p)
        if count == 0 { return }
        let words = try Texts(offsets: offsets, bits: offsetBits, data: data, count: count)
        let out = Unchecked(try required(out, "out")), dim = v.dim
        let failure = Mutex<(any Error)?>(nil)
        parallelFor(words.count, threads: threadCount(threads)) { _, range in
            for i in range {
                do { try v.vector(for: words.string(i), into: out.value + i * dim) } catch {
                    failure.withLock { $0 = $0 ?? error }
                    return
                }
            }
        }
        if let e = failure.withLock({ $0 }) { throw e }
    }
}

/// Writes the matches into `rows` / `scores` (k each), -1 and 0 after the last one.
func put(_ found: [(row: Int, score: Float)], k: Int, _ rows: UnsafeMutablePointer<Int64>, _ scores: UnsafeMutablePointer<Float>) {
    for j in 0..<k {
        rows[j] = j < found.count ? Int64(found[j].row) : -1
        scores[j] = j < found.count ? found[j].score : 0
    }
}

@_cdecl("lexel_vectors_most_similar")
public func lexelVectorsMostSimilar(_ p: OpaquePointer?, _ offsets: UnsafeRawPointer?, _ offsetBits: Int32, _ data: UnsafePointer<UInt8>?,
                                    _ positive: Int64, _ negative: Int64, _ k: Int32, _ rows: UnsafeMutablePointer<Int64>?,
                                    _ scores: UnsafeMutablePointer<Float>?, _ threads: Int32,
                                    _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call("lexel_vectors_most_similar", error, length, otherwise: .argument) {
        let v = try VectorsHandle.open(p)
        guard positive >= 0, negative >= 0 else { throw CallError(.argument, "the word counts must not be negative") }
        let words = try Texts(offsets: offsets, bits: offsetBits, data: data, count: positive + negative)
        let (rows, scores) = (try required(rows, "rows"), try required(scores, "scores"))
        let all = (0..<words.count).map { words.string($0) }
        let found = try v.mostSimilar(positive: Array(all[..<Int(positive)]), negative: Array(all[Int(positive)...]),
                                      k: Int(k), threads: threadCount(threads))
        put(found, k: Int(k), rows, scores)
    }
}

@_cdecl("lexel_vectors_nearest")
public func lexelVectorsNearest(_ p: OpaquePointer?, _ queries: UnsafePointer<Float>?, _ count: Int64, _ k: Int32,
                                _ rows: UnsafeMutablePointer<Int64>?, _ scores: UnsafeMutablePointer<Float>?, _ threads: Int32,
                                _ error: UnsafeMutablePointer<CChar>?, _ length: Int) -> Int32 {
    call("lexel_vectors_nearest", error, length, otherwise: .argument) {
        let v = try VectorsHandle.open(p)
        guard count >= 0 else { throw CallError(.argument, "count \(count) is negative") }
        guard k >= 1 else { throw CallError(.argument, "k must be at least 1 (got \(k))") }
        if count == 0 { return }
        let (queries, rows, scores) = (try required(queries, "queries"), try required(rows, "rows"), try required(scores, "scores"))
        let dim = v.dim, k = Int(k)
        for i in 0..<Int(count) {
            let q = Array(UnsafeBufferPointer(start: queries + i * dim, count: dim))
            guard q.allSatisfy(\.isFinite) else { throw CallError(.input, "query \(i) has a value that is not a finite number") }
            put(try v.nearest(to: q, k: k, threads: threadCount(threads)), k: k, rows + i * k, scores + i * k)
        }
    }
}
