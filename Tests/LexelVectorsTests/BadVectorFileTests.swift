import XCTest
import LexelCore
import LexelIO
import LexelKernels
import LexelText
@testable import LexelVectors

/// Vector files that used to load as silent garbage: non-finite values (a NaN row gave an empty neighbour list),
/// flipped bits in a Lexel `.bin`, a byte order mark, repeated words, files of another kind.
final class BadVectorFileTests: XCTestCase {
    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = tmpPath(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func write(_ text: String, _ name: String) throws -> String { try write(Array(text.utf8), name) }

    func expectError(_ path: String, _ parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try WordVectors.load(path: path, warn: { XCTFail("unexpected warning \($0)") }), file: file, line: line) { e in
            XCTAssert(e is LexelError, "\(e)", file: file, line: line)
            for p in parts { XCTAssert("\(e)".contains(p), "'\(p)' not in: \(e)", file: file, line: line) }
        }
    }

    /// A Lexel model's bytes and where its matrix starts (version 2: the matrix is followed by 8 checksum bytes).
    func modelBytes(_ v: WordVectors) throws -> (bytes: [UInt8], matrix: Int) {
        let path = tmpPath("m.bin")
        try ModelFile.write(path: path, vectors: v)
        let b = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        return (b, b.count - 8 - v.rowCount * v.dim * 4)
    }

    func putFloat(_ x: Float, _ b: inout [UInt8], at i: Int) {
        withUnsafeBytes(of: x.bitPattern.littleEndian) { for k in 0..<4 { b[i + k] = $0[k] } }
    }

    func putU32(_ x: UInt32, _ b: inout [UInt8], at i: Int) {
        withUnsafeBytes(of: x.littleEndian) { for k in 0..<4 { b[i + k] = $0[k] } }
    }

    /// Recomputes the two CRC-32s of a version 2 model (so that only the finiteness check can catch a change).
    func resum(_ b: inout [UInt8], matrix: Int) {
        let head = b[0..<matrix].withUnsafeBytes { CRC32.checksum($0) }
        let body = b[matrix..<(b.count - 8)].withUnsafeBytes { CRC32.checksum($0) }
        putU32(head, &b, at: b.count - 8)
        putU32(body, &b, at: b.count - 4)
    }

    /// The version 1 form of a version 2 model: version field 1, no checksum trailer.
    func version1(_ b: [UInt8]) -> [UInt8] {
        var old = Array(b.dropLast(8))
        putU32(1, &old, at: 8)
        return old
    }

    func testNonFiniteValueInLexelModelIsRejectedNamingRowWordAndOffset() throws {
        let v = handMadeVectors(subwords: true)
        let (good, matrix) = try modelBytes(v)
        for (x, shown) in [(Float.nan, "nan"), (Float.infinity, "inf"), (-Float.infinity, "-inf")] {
            var b = good
            let at = matrix + (1 * v.dim + 2) * 4  // row 1 ("beta"), value 3
            putFloat(x, &b, at: at)
            resum(&b, matrix: matrix)
            expectError(try write(b, "nan.bin"), ["at byte offset \(at)", "row 1 (word 'beta'), value 3 of 6 is \(shown)", "finite"])
            expectError(try write(version1(b), "nan1.bin"), ["at byte offset \(at)", "row 1 (word 'beta')", "finite"])
        }
        var b = good
        let ngramRow = v.vocabulary.count + 3
        putFloat(.nan, &b, at: matrix + ngramRow * v.dim * 4)
        resum(&b, matrix: matrix)
        expectError(try write(b, "nan.bin"), ["row \(ngramRow) (n-gram bucket \(v.usedBuckets[3]))", "value 1 of 6 is nan"])
    }

    func testModelWithNonFiniteValueIsNotWritten() throws {
        let v = handMadeVectors(subwords: false)
        UnsafeMutablePointer(mutating: v.rows)[2 * v.dim] = .nan
        let path = tmpPath("never.bin")
        XCTAssertThrowsError(try ModelFile.write(path: path, vectors: v)) {
            XCTAssert("\($0)".contains("row 2 (word 'gamma'), value 1 of 6 is nan"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }

    func testModelChecksumsCatchFlippedBitsThatStayFinite() throws {
        let v = handMadeVectors(subwords: true)
        let (good, matrix) = try modelBytes(v)
        var b = good
        b[matrix + 5] ^= 0x01  // a low mantissa bit: still a finite number
        expectError(try write(b, "flip.bin"), ["at byte offset \(matrix)", "matrix (\(v.rowCount) x 6 floats): CRC-32 mismatch"])
        b = good
        let alpha = good.firstRange(of: Array("alpha".utf8))!.lowerBound
        b[alpha] = UInt8(ascii: "A")
        expectError(try write(b, "flip.bin"), ["header, vocabulary or bucket list (bytes 0..<\(matrix)): CRC-32 mismatch"])
        b = good
        b[b.count - 1] ^= 0x80
        expectError(try write(b, "flip.bin"), ["CRC-32 mismatch"])
        expectError(try write(Array(good.dropLast(8)), "short.bin"), ["truncated"])
    }

    /// Files written before the checksum (version 1) still open, with the same vectors.
    func testVersion1ModelsStillOpen() throws {
        let v = handMadeVectors(subwords: true)
        let (good, matrix) = try modelBytes(v)
        XCTAssertEqual(matrix % 64, 0)
        let old = try WordVectors.load(path: try write(version1(good), "v1.bin"))
        let new = try WordVectors.load(path: try write(good, "v2.bin"))
        XCTAssertEqual(old.vocabulary.words, v.vocabulary.words)
        for w in v.vocabulary.words + ["zeta", "alphx"] {
            XCTAssertEqual(old.vector(for: w), v.vector(for: w), w)
            XCTAssertEqual(new.vector(for: w), v.vector(for: w), w)
        }
        // The same model writes the same bytes.
        XCTAssertEqual(try modelBytes(v).bytes, good)
    }

    func testNonFiniteValueInFastTextModelIsRejected() throws {
        var b: [UInt8] = []
        func i32(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
        func i64(_ v: Int64) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
        i32(FastTextModel.magic)
        i32(12)
        // dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate
        for v: Int32 in [2, 5, 1, 1, 5, 1, 2, 2, 0, 0, 0, 100] { i32(v) }
        i64(Int64(Double(1e-4).bitPattern))
        i32(2); i32(2); i32(0); i64(10); i64(-1)  // size, nwords, nlabels, ntokens, pruneidx_size
        for w in ["a", "b"] {
            b += Array(w.utf8) + [0]
            i64(5)
            b.append(0)  // type: word
        }
        b.append(0)  // not quantised
        i64(2); i64(2)  // m x n
        let matrix = b.count
        for x: Float in [1, 2, 3, .nan] { withUnsafeBytes(of: x.bitPattern.littleEndian) { b += $0 } }
        expectError(try write(b, "ft.bin"), ["at byte offset \(matrix + 12)", "row 1 (word 'b'), value 2 of 2 is nan"])
    }

    func testNonFiniteValueInWord2VecBinaryIsRejected() throws {
        let v = handMadeVectors(subwords: false)
        let path = tmpPath("w2v.bin")
        try Word2VecBinary.write(v, path: path)
        var b = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let gamma = b.firstRange(of: Array("gamma ".utf8))!.upperBound
        putFloat(.infinity, &b, at: gamma + 4)
        expectError(try write(b, "w2v.bin"), ["at byte offset \(gamma + 4)", "word 2 ('gamma'), value 2 of 6 is inf"])
    }

    func testNonFiniteValueInTextVectorsNamesLineAndOffset() throws {
        for bad in ["nan", "inf", "-Infinity", "1e999"] {
            let path = try write("2 2\na 1 2\nb 3 \(bad)\n", "nan.vec")
            expectError(path, ["at byte offset 14", "line 3: value 2 '\(bad)' is not a finite number"])
        }
    }

    func testByteOrderMarkIsSkipped() throws {
        let bom = "\u{FEFF}"
        let withHeader = try WordVectors.load(path: try write(bom + "2 3\na 1 2 3\nb 4 5 6\n", "bom.vec"))
        XCTAssertEqual(withHeader.vocabulary.words, ["a", "b"])
        let glove = try WordVectors.load(path: try write(bom + "a 1 2\nb 3 4\n", "bom.txt"))
        XCTAssertEqual(glove.vocabulary.words, ["a", "b"])
        XCTAssertEqual(glove.vector(for: "a"), [1, 2])
        XCTAssertEqual(try TextVectors.dimension(path: try write(bom + "a 1 2\n", "bom.txt")), 2)
        // Only at the start of the file: elsewhere it is part of a word.
        let inside = try WordVectors.load(path: try write("a 1 2\n" + bom + "b 3 4\n", "mid.txt"))
        XCTAssertEqual(inside.vocabulary.words, ["a", bom + "b"])
    }

    func testRepeatedWordsKeepTheFirstVectorAndWarnOnce() throws {
        let path = try write("4 2\na 1 2\nb 3 4\na 5 6\nb 7 8\n", "dup.vec")
        var warnings: [String] = []
        let v = try WordVectors.load(path: path, warn: { warnings.append($0) })
        XCTAssertEqual(v.vocabulary.words, ["a", "b"])
        XCTAssertEqual(v.vector(for: "a"), [1, 2])
        XCTAssertEqual(v.vector(for: "b"), [3, 4])
        XCTAssertEqual(warnings, ["\(path): 2 lines repeat a word already read and were skipped (the first vector of a word "
                                  + "is kept); the first is line 4, word 'a'"])
        warnings = []
        _ = try TextVectors.read(path: try write("x 1\ny 2\nx 3\n", "dup.txt"), warn: { warnings.append($0) })
        XCTAssertEqual(warnings.count, 1)
        XCTAssert(warnings[0].contains("1 line repeats a word already read and was skipped") && warnings[0].contains("line 3, word 'x'"),
                  warnings[0])
        warnings = []
        _ = try TextVectors.read(path: try write("x 1\ny 2\n", "ok.txt"), warn: { warnings.append($0) })
        XCTAssertEqual(warnings, [])
        // A repeated word's values are checked like any other line's.
        expectError(try write("x 1\nx nan\n", "dupnan.txt"), ["line 2: value 1 'nan' is not a finite number"])
    }

    func testFilesOfAnotherKindAreNamed() throws {
        let cases: [([UInt8], String)] = [
            ([0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0x21, count: 40), "a ZIP archive (a NumPy .npz"),
            ([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0] + [UInt8](repeating: 0x20, count: 40), "a NumPy .npy array"),
            (Array("LEXELVEC".utf8) + [UInt8](repeating: 0, count: 56), "a Lexel container file (a .lxv vector file: query it with `lexel query`"),
            ([0x28, 0xB5, 0x2F, 0xFD] + [UInt8](repeating: 0, count: 20), "zstd-compressed data"),
            (Array("# lexel-ngrams v1 minn=1 maxn=2\n".utf8), "an n-gram table"),
        ]
        for (bytes, kind) in cases {
            for name in ["x.vec", "x.bin"] {
                expectError(try write(bytes, name), ["at byte offset 0: this is \(kind)", "not word vectors"])
            }
        }
    }

    /// Bytes of the file quoted in a message are cut and have their control characters escaped.
    func testMessagesQuoteFileContents() throws {
        expectError(try write("\u{1B}[31m 3\nx", "esc.bin"), ["header '\\u{1b}[31m 3' is not a plausible 'count dim'"])
        let long = String(repeating: "9", count: 50_000)
        let path = try write("1 2\na 1 \(long)\n", "long.vec")
        XCTAssertThrowsError(try WordVectors.load(path: path)) {
            XCTAssert("\($0)".contains("value 2 '\(String(repeating: "9", count: 40))...' is not a finite number"), "\($0)")
            XCTAssertLessThan("\($0)".count, 400)
        }
    }

    /// The block scan finds the first non-finite value wherever it is: in a 16-lane chunk, a 4096-value block's
    /// edge, or the tail.
    func testFirstNonFiniteFindsEveryPosition() {
        let n = 10_000
        var v = [Float](repeating: 1.5, count: n)
        v.withUnsafeBufferPointer { XCTAssertNil(Kernels.firstNonFinite($0.baseAddress!, n)) }
        v[n - 1] = .greatestFiniteMagnitude
        v.withUnsafeBufferPointer { XCTAssertNil(Kernels.firstNonFinite($0.baseAddress!, n)) }
        for i in [0, 15, 16, 4095, 4096, 4097, 8191, 9990, n - 1] {
            for x in [Float.nan, .infinity, -.infinity, -Float.nan] {
                var w = v
                w[i] = x
                if i + 1 < n { w[n - 1] = .nan }  // a later one is not the first
                w.withUnsafeBufferPointer { XCTAssertEqual(Kernels.firstNonFinite($0.baseAddress!, n), i, "\(i) \(x)") }
                w.withUnsafeBufferPointer { XCTAssertEqual(Kernels.firstNonFinite($0.baseAddress!, i), nil, "\(i)") }
            }
        }
    }
}
