import XCTest
import LexelTestSupport
import LexelContainer
import LexelCore
import LexelKernels
import LexelText
import LexelVectors
@testable import LexelStore

func storeTmp(_ name: String) -> String {
    TestTemporaryFiles.folder("store") + "/" + name
}

/// 600 words (more than two key blocks) with subword rows.
func sampleVectors() -> WordVectors {
    let words = (0..<600).map { "w\($0)ord" } + ["naïve", "日本"]
    let vocab = Vocabulary(words: words.map { Array($0.utf8) }, counts: (0..<words.count).map { Int64(10_000 - $0) },
                           totalTokens: 1_000_000)
    let sub = SubwordIndex(vocabulary: vocab, minn: 3, maxn: 5, bucket: 5000)
    let m = Matrix(rows: sub.rowCount, cols: 12)
    m.fillUniform(bound: 1, seed: 17)
    return WordVectors(vocabulary: vocab, rows: UnsafePointer(m.pointer), rowCount: m.rows, dim: 12, minn: 3, maxn: 5,
                       bucket: 5000, usedBuckets: UnsafeBufferPointer(start: sub.usedBuckets.base, count: sub.usedBuckets.count),
                       metadata: [("model", "skipgram")], owners: [m, sub])
}

final class XXH64Tests: XCTestCase {
    func testKnownValues() {
        // Reference values of XXH64 with seed 0 (xxhash's own test vectors / python-xxhash).
        XCTAssertEqual(XXH64.hash(""), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(XXH64.hash("abc"), 0x44BC_2CF5_AD77_0999)
    }

    func testStreamingEqualsOneShot() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = data.withUnsafeBytes { XXH64.hash($0, seed: 5) }
        for cut in [0, 1, 7, 31, 32, 33, 500, 999] {
            var s = XXH64Stream(seed: 5)
            data.withUnsafeBytes {
                s.update(UnsafeRawBufferPointer(rebasing: $0[0..<cut]))
                s.update(UnsafeRawBufferPointer(rebasing: $0[cut...]))
            }
            XCTAssertEqual(s.finalize(), whole, "cut at \(cut)")
        }
    }
}

final class StoreRoundTripTests: XCTestCase {
    func testRoundTripEveryDType() throws {
        let v = sampleVectors()
        for (dtype, tolerance) in [(VectorFileFormat.DType.f32, Float(0)), (.f16, 2e-3), (.int8, 1.0 / 127)] {
            var o = VectorFileOptions()
            o.dtype = dtype
            let path = storeTmp("v-\(dtype).lxv")
            try VectorFileWriter.write(v, to: path, options: o, source: "test")
            let f = try VectorFile(path: path)
            XCTAssertEqual(f.count, 602)
            XCTAssertEqual(f.dim, 12)
            XCTAssertEqual(f.dtype, dtype)
            try f.verify()
            for (i, w) in v.vocabulary.words.enumerated() {
                XCTAssertEqual(f.row(of: w), i, w)
                XCTAssertEqual(try f.key(i), w)
                let want = v.vector(for: w)!
                let got = f.vector(row: i)
                for k in 0..<12 { XCTAssertEqual(got[k], want[k], accuracy: tolerance * max(1, abs(want[k])), "\(dtype) \(w)") }
            }
            XCTAssertNil(f.row(of: "absent"))
            XCTAssertNil(f.row(of: ""))
        }
    }

    func testNormalizeAndMaxWords() throws {
        var o = VectorFileOptions()
        o.normalize = true
        o.maxWords = 10
        let path = storeTmp("n.lxv")
        let v = sampleVectors()
        try VectorFileWriter.write(v, to: path, options: o, source: "test")
        let f = try VectorFile(path: path)
        XCTAssertEqual(f.count, 10)
        XCTAssertTrue(f.normalized)
        let r = f.vector(row: 3)
        XCTAssertEqual(r.withUnsafeBufferPointer { Kernels.norm($0.baseAddress!, 12) }, 1, accuracy: 1e-5)
        XCTAssertEqual(f.norm(row: 3), Evaluation.norm(v.vector(for: "w3ord")!), accuracy: 1e-5)
        XCTAssertNil(f.row(of: "w10ord"))
    }

    func testExportFromVectorFileKeepsRowsAndSubwords() throws {
        let path = storeTmp("e.lxv"), again = storeTmp("again.lxv")
        try VectorFileWriter.write(sampleVectors(), to: path, source: "test")
        let f = try VectorFile(path: path)
        XCTAssertTrue(VectorFile.isVectorFile(path: path))
        let v = try f.wordVectors()
        XCTAssertEqual(v.vocabulary.count, f.count)
        try VectorFileWriter.write(v, to: again, source: path)
        let g = try VectorFile(path: again)
        for w in ["w0ord", "naïve", "日本", "never-seen-word"] {
            let (a, b) = (try g.vector(for: w), try f.vector(for: w))
            for k in 0..<12 { XCTAssertEqual(a[k], b[k], accuracy: 1e-5, w) }  // word rows are recovered by arithmetic
        }
        XCTAssertThrowsError(try WordVectors.load(path: path)) { XCTAssertTrue("\($0)".contains("lexel query"), "\($0)") }
    }

    func testInt8ScalesAreF16UnlessTooSmallAndNormsAreRecomputed() throws {
        let big = sampleVectors()
        // Rows 1e-6 times smaller: their int8 scales are below f16's normal range, so the file keeps f32 scales.
        let tinyRows = Matrix(rows: big.rowCount, cols: 12)
        for r in 0..<big.rowCount { big.matrixRow(r, into: tinyRows.row(r)); Kernels.scale(1e-6, tinyRows.row(r), 12) }
        let tiny = WordVectors(vocabulary: big.vocabulary, rows: UnsafePointer(tinyRows.pointer), rowCount: big.rowCount,
                               dim: 12, minn: 3, maxn: 5, bucket: 5000, usedBuckets: big.usedBuckets,
                               metadata: [], owners: [tinyRows, big])
        var o = VectorFileOptions()
        o.dtype = .int8
        for (v, scaleType) in [(big, "f16"), (tiny, "f32")] {
            let path = storeTmp("q.lxv")
            try VectorFileWriter.write(v, to: path, options: o, source: "test")
            let f = try VectorFile(path: path)
            XCTAssertEqual(f.meta["scale-dtype"], scaleType)
            XCTAssertFalse(f.sections.contains { $0.kind == SectionKind.norms.rawValue })
            for w in ["w0ord", "w77ord", "naïve"] {
                let want = v.vector(for: w)!, got = try f.vector(for: w)
                let bound = want.map(abs).max()! / 127 * 0.51 + want.map(abs).max()! * 1e-3
                for k in 0..<12 { XCTAssertEqual(got[k], want[k], accuracy: bound, "\(scaleType) \(w)") }
                XCTAssertEqual(f.norm(row: f.row(of: w)!), Evaluation.norm(got), accuracy: 1e-4 * Evaluation.norm(got))
            }
            XCTAssertNotEqual(try f.vector(for: "unseenword").reduce(0) { $0 + abs($1) }, 0)  // subword rows, scaled too
        }
    }
}

final class StoreCorruptionTests: XCTestCase {
    func written() throws -> (String, Data) {
        let path = storeTmp("c.lxv")
        try VectorFileWriter.write(sampleVectors(), to: path, options: .init(), source: "test")
        return (path, try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func expectFailure(_ data: Data, _ fragment: String, verify: Bool = false, file: StaticString = #filePath, line: UInt = #line) {
        let p = storeTmp("bad.lxv")
        try! data.write(to: URL(fileURLWithPath: p))
        XCTAssertThrowsError(try { let f = try VectorFile(path: p); if verify { try f.verify() } }(), file: file, line: line) { e in
            XCTAssert("\(e)".contains(fragment), "'\(fragment)' not in '\(e)'", file: file, line: line)
        }
    }

    func testTruncatedWrongMagicAndVersion() throws {
        let (_, good) = try written()
        expectFailure(good.prefix(good.count - 1), "truncated")
        expectFailure(good.prefix(40), "truncated")
        var m = good
        m[0] = UInt8(ascii: "X")
        expectFailure(m, "magic")
        var v = good
        v[8] = 2
        expectFailure(v, "header")
    }

    func testFlippedByteInEverySectionIsCaught() throws {
        let (path, good) = try written()
        let f = try VectorFile(path: path)
        for e in f.sections {
            var d = good
            let at = Int(e.offset) + Int(e.length) / 2
            d[at] ^= 0x40
            expectFailure(d, "section \(f.container.name(of: e))", verify: true)
        }
        var t = good
        t[64 + 8] ^= 1  // section table
        expectFailure(t, "section table")
    }

    func testHugeDeclaredCountIsRejected() throws {
        let (path, _) = try written()
        let f = try VectorFile(path: path)
        XCTAssertEqual(f.meta["count"], "602")
    }
}
