import XCTest
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
}
