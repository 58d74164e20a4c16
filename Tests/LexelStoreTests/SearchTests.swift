import XCTest
import LexelContainer
import LexelCore
import LexelKernels
import LexelText
import LexelVectors
@testable import LexelStore

final class SearchTests: XCTestCase {
    /// The sample vectors as a .lxv of the given dtype, optionally normalised.
    func file(_ dtype: VectorFileFormat.DType, normalize: Bool = false) throws -> VectorFile {
        var o = VectorFileOptions()
        o.dtype = dtype
        o.normalize = normalize
        let path = storeTmp("s-\(dtype).lxv")
        try VectorFileWriter.write(sampleVectors(), to: path, options: o, source: "test")
        return try VectorFile(path: path)
    }

    /// Brute force over decoded rows, the reference for every search.
    func bruteForce(_ f: VectorFile, _ q: [Float], k: Int, restrict: Int? = nil, score: ([Float]) -> Float) -> [Int] {
        let n = min(f.count, restrict ?? f.count)
        var scored: [(Int, Float)] = []
        for r in 0..<n { scored.append((r, score(f.vector(row: r)))) }
        scored.sort { (x: (Int, Float), y: (Int, Float)) -> Bool in x.1 != y.1 ? x.1 > y.1 : x.0 < y.0 }
        return scored.prefix(k).map { $0.0 }
    }

    func testQuantizedDotKernelsEqualDecodeThenDot() {
        var rng = SplitMix64(seed: 3)
        for n in [1, 7, 8, 15, 16, 17, 100, 300] {
            let a = (0..<n).map { _ in rng.nextUnitFloat() * 2 - 1 }
            let h = a.reversed().map { Float16($0) }
            let c: [Int8] = (0..<n).map { _ in Int8(truncatingIfNeeded: Int(rng.next() % 255) - 127) }
            let wantH = zip(a, h).reduce(Float(0)) { $0 + $1.0 * Float($1.1) }
            let wantC = zip(a, c).reduce(Float(0)) { $0 + $1.0 * Float($1.1) }
            a.withUnsafeBufferPointer { ap in
                h.withUnsafeBufferPointer { XCTAssertEqual(Kernels.dot(ap.baseAddress!, f16: $0.baseAddress!, n), wantH, accuracy: 1e-4 * Float(n)) }
                c.withUnsafeBufferPointer { XCTAssertEqual(Kernels.dot(ap.baseAddress!, int8: $0.baseAddress!, n), wantC, accuracy: 1e-3 * Float(n)) }
            }
        }
    }

    func testMostSimilarEqualsBruteForceForEveryDTypeAndThreadCount() throws {
        for dtype in VectorFileFormat.DType.allCases {
            for normalize in [false, true] {
                let f = try file(dtype, normalize: normalize)
                let queries = [try f.vector(for: "w5ord"), try f.vector(for: "unseen"), f.vector(row: 333)]
                for threads in [1, 2, 3] {
                    for restrict in [nil, 100] {
                        let got = try f.mostSimilar(to: queries, k: 7, excluding: [[5], [], []],
                                                    options: SearchOptions(restrict: restrict, threads: threads))
                        for (i, q) in queries.enumerated() {
                            var want = bruteForce(f, q, k: 8, restrict: restrict) { Evaluation.cosine(q, $0) }
                            if i == 0 { want.removeAll { $0 == 5 } }
                            XCTAssertEqual(got[i].map(\.row), Array(want.prefix(7)), "\(dtype) norm \(normalize) threads \(threads)")
                            XCTAssertEqual(got[i][0].key, try f.key(got[i][0].row))
                            XCTAssertEqual(got[i][0].score, Evaluation.cosine(q, f.vector(row: got[i][0].row)), accuracy: 1e-4)
                        }
                    }
                }
            }
        }
    }

    func testAnalogiesDoesntMatchAndCloserThan() throws {
        let f = try file(.f32)
        let (a, b, c) = ("w1ord", "w2ord", "w3ord")
        let unit = { (w: String) -> [Float] in var v = try! f.vector(for: w); v.withUnsafeMutableBufferPointer { _ = Kernels.normalize($0.baseAddress!, 12) }; return v }
        let q = zip(zip(unit(b), unit(c)), unit(a)).map { $0.0 + $0.1 - $1 }
        let excluded = Set([1, 2, 3])
        let want = bruteForce(f, q, k: 10) { Evaluation.cosine(q, $0) }.filter { !excluded.contains($0) }
        XCTAssertEqual(try f.mostSimilar(positive: [b, c], negative: [a], k: 5).map(\.row), Array(want.prefix(5)))

        let cosmul = bruteForce(f, q, k: 10) { v in
            let s = [b, c, a].map { (1 + Evaluation.cosine(unit($0), v)) / 2 }
            return s[0] * s[1] / (s[2] + 1e-6)
        }.filter { !excluded.contains($0) }
        let got = try f.mostSimilarCosMul(positive: [b, c], negative: [a], k: 5, options: SearchOptions(threads: 2))
        XCTAssertEqual(got.map(\.row), Array(cosmul.prefix(5)))

        // A word far from three near-copies of one vector does not match.
        let base = f.vector(row: 10)
        let far = f.vector(row: 11).map { -$0 }
        let cosOf = { (w: [Float]) in Evaluation.cosine(w, base) }
        XCTAssertGreaterThan(cosOf(base), cosOf(far))
        XCTAssertEqual(try f.similarity("w10ord", "w10ord"), 1, accuracy: 1e-5)
        let odd = try f.doesntMatch(["w10ord", "w10ord", "w10ord", "w11ord"])
        XCTAssertEqual(odd, "w11ord")

        let threshold = try f.similarity("w7ord", "w8ord")
        let closer = try f.closerThan("w7ord", "w8ord", options: SearchOptions(threads: 2))
        let expect = (0..<f.count).filter { $0 != 7 && Evaluation.cosine(unit("w7ord"), f.vector(row: $0)) > threshold }
        XCTAssertEqual(Set(closer.map(\.row)), Set(expect))
        XCTAssertFalse(closer.contains { $0.row == 8 })
        XCTAssertEqual(closer.map(\.score), closer.map(\.score).sorted(by: >))
    }

    func testHNSWRecallsExactNeighboursAndSurvivesCorruption() throws {
        let f = try file(.f32)
        XCTAssertFalse(f.hasHNSW)
        XCTAssertThrowsError(try f.approximateMostSimilar(to: f.vector(row: 0), k: 5))
        let indexed = storeTmp("ann.lxv")
        var p = HNSWParameters()
        p.m = 8
        p.efConstruction = 64
        try f.addHNSW(parameters: p, output: indexed)
        let g = try VectorFile(path: indexed)
        XCTAssertTrue(g.hasHNSW)
        try g.verify()
        var hits = 0, total = 0
        for r in stride(from: 0, to: g.count, by: 7) {
            let q = g.vector(row: r)
            let exact = Set(try g.mostSimilar(to: q, k: 10).map(\.row))
            let approx = try g.approximateMostSimilar(to: q, k: 10, ef: 64)
            XCTAssertEqual(approx.count, 10)
            XCTAssertEqual(approx.map(\.score), approx.map(\.score).sorted(by: >))
            hits += approx.filter { exact.contains($0.row) }.count
            total += 10
        }
        XCTAssertGreaterThan(Double(hits) / Double(total), 0.95)
        XCTAssertFalse(try g.approximateMostSimilar(toWord: "w3ord", k: 5).contains { $0.row == 3 })
        // Rows and keys are unchanged by indexing.
        for r in [0, 300, 601] { XCTAssertEqual(g.vector(row: r), f.vector(row: r)); XCTAssertEqual(try g.key(r), try f.key(r)) }

        // Garbage links (ids past the end) inside a re-checksummed section: worse answers, never a crash.
        let e = g.sections.first { $0.kind == SectionKind.hnsw.rawValue }!
        var bytes = [UInt8](UnsafeRawBufferPointer(start: g.file.base + Int(e.offset), count: Int(e.length)))
        for i in stride(from: 40 + 608, to: bytes.count, by: 5) { bytes[i] = 0xEE }
        let broken = storeTmp("broken.lxv")
        try VectorFileWriter.write(g, adding: .hnsw, bytes, to: broken)
        _ = try VectorFile(path: broken).approximateMostSimilar(to: f.vector(row: 9), k: 10)
        // A section too short for its declared tables is an error naming the section.
        try VectorFileWriter.write(g, adding: .hnsw, Array(bytes.prefix(100)), to: broken)
        XCTAssertThrowsError(try VectorFile(path: broken).approximateMostSimilar(to: f.vector(row: 9), k: 10)) {
            XCTAssertTrue("\($0)".contains("section hnsw"), "\($0)")
        }
    }

    func testBatchAndPaddedSequenceLookups() throws {
        let f = try file(.f16)
        let words = (0..<700).map { $0 % 3 == 0 ? "unknown\($0)" : "w\($0 % 600)ord" }
        let flat = try f.vectors(for: words, threads: 3)
        XCTAssertEqual(flat.count, 700 * 12)
        for i in [0, 1, 350, 699] { XCTAssertEqual(Array(flat[(i * 12)..<(i * 12 + 12)]), try f.vector(for: words[i])) }
        let (seq, length) = try f.sequences([["w1ord", "w2ord", "w3ord"], ["w4ord"]], padLeft: true)
        XCTAssertEqual(length, 3)
        XCTAssertEqual(seq.count, 2 * 3 * 12)
        XCTAssertEqual(Array(seq[0..<12]), f.vector(row: 1))
        XCTAssertEqual(Array(seq[36..<60]), [Float](repeating: 0, count: 24))  // left padding of the second
        XCTAssertEqual(Array(seq[60..<72]), f.vector(row: 4))
        let (cut, l2) = try f.sequences([["w1ord", "w2ord", "w3ord"]], maxLength: 2)
        XCTAssertEqual(l2, 2)
        XCTAssertEqual(Array(cut[12..<24]), f.vector(row: 2))
    }
}
