import Foundation
import XCTest
import LexelTestSupport
import LexelIO
import LexelCore
import LexelText
@testable import LexelLexical

final class NgramCountingTests: XCTestCase {
    /// A Zipf stream (item i drawn with weight 1 / (i + 1)^s) in random order, and its exact counts.
    func skewedStream(items: Int, length: Int, exponent: Double = 1, seed: UInt64) -> ([UInt64], [UInt64: Int64]) {
        var rng = seed
        func next() -> Double {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(rng >> 11) / Double(1 << 53)
        }
        var cumulative: [Double] = []
        var sum = 0.0
        for i in 0..<items { sum += 1 / pow(Double(i + 1), exponent); cumulative.append(sum) }
        var stream: [UInt64] = []
        var exact: [UInt64: Int64] = [:]
        for _ in 0..<length {
            let u = next() * sum
            var lo = 0, hi = items - 1
            while lo < hi { let m = (lo + hi) / 2; if cumulative[m] < u { lo = m + 1 } else { hi = m } }
            let h = UInt64(lo) &* 0x9E37_79B9_7F4A_7C15 | 1
            stream.append(h)
            exact[h, default: 0] += 1
        }
        return (stream, exact)
    }

    func checkBounds(_ s: SpaceSaving, _ exact: [UInt64: Int64], file: StaticString = #filePath, line: UInt = #line) {
        let entries = s.top(s.capacity)
        var tracked = Set<UInt64>()
        for e in entries {
            let t = exact[e.hash] ?? 0  // every add is one document here: true df = true count
            XCTAssert(e.count - e.error <= t && t <= e.count, "\(e) true \(t)", file: file, line: line)
            XCTAssert(t <= e.documentFrequency && e.documentFrequency <= e.count, "\(e) true \(t)", file: file, line: line)
            tracked.insert(e.hash)
        }
        for (h, c) in exact where !tracked.contains(h) {
            XCTAssert(c <= s.floor, "untracked \(h) count \(c) > floor \(s.floor)", file: file, line: line)
        }
    }

    func testSpaceSavingFindsExactTopKOnSkewedStreamAndBoundsHold() {
        let (stream, exact) = skewedStream(items: 20000, length: 60000, exponent: 1.3, seed: 7)
        let k = 20
        let want = exact.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k).map(\.key)
        for (spare, bits) in [(1, 0), (37, 0), (200, 0), (1, 8), (37, 10)] {  // (1, 0) = the classic algorithm
            let s = SpaceSaving(capacity: 200, spare: spare, tokensPerEntry: 2, sketchBits: bits)
            var ids: [UInt32] = [1, 2]
            for h in stream { s.add(hash: h, weight: 1, documents: 1, ids: &ids, count: 2) }
            XCTAssertEqual(s.total, Int64(stream.count))
            XCTAssertGreaterThan(s.floor, 0, "the stream must overflow the summary")
            let top = s.top(k)
            XCTAssertEqual(Set(top.map(\.hash)), Set(want), "spare \(spare), sketch \(bits)")
            XCTAssertEqual(top.map(\.count), top.map(\.count).sorted(by: >))
            XCTAssertEqual(top[0].ids, [1, 2])
            checkBounds(s, exact)
        }
    }

    func testWeightedAddsKeepBounds() {
        let (stream, _) = skewedStream(items: 5000, length: 50000, seed: 3)
        var exact: [UInt64: Int64] = [:]
        for bits in [0, 6, 12] {  // 6: a tiny sketch, collisions everywhere
            let s = SpaceSaving(capacity: 100, tokensPerEntry: 1, sketchBits: bits)
            var id: UInt32 = 9
            exact = [:]
            for (i, h) in stream.enumerated() {
                let w = Int64(i % 5 + 1)
                exact[h, default: 0] += w
                s.add(hash: h, weight: w, documents: w, ids: &id, count: 1)
            }
            checkBounds(s, exact)
        }
    }

    func testSketchMakesTheTailAccurate() {
        // Many singletons between the repeats of mid-frequency items push plain Space-Saving's floor above the
        // mid counts; the sketch remembers evicted counts, so those items come back with their own counts.
        let (stream, exact) = skewedStream(items: 200_000, length: 100_000, exponent: 0.8, seed: 11)
        let k = 100
        let want = Set(exact.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(k).map(\.key))
        var overlaps: [Int] = []
        for bits in [0, 14] {
            let s = SpaceSaving(capacity: 3 * k, tokensPerEntry: 1, sketchBits: bits)
            var id: UInt32 = 1
            for h in stream { s.add(hash: h, weight: 1, documents: 1, ids: &id, count: 1) }
            checkBounds(s, exact)
            overlaps.append(want.intersection(s.top(k).map(\.hash)).count)
        }
        XCTAssertGreaterThan(overlaps[1], overlaps[0] + 10, "\(overlaps)")
        XCTAssertGreaterThanOrEqual(overlaps[1], 90, "\(overlaps)")
    }

    static let bert = try! BertTokenizer(vocabFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path + "/vocab/bert-base-uncased/vocab.txt")

    func corpus() -> String {
        var lines: [String] = []
        let words = ["the", "cat", "sat", "on", "mat", "a", "dog", "ran", "to", "park", "running", "quickly"]
        var r: UInt64 = 1
        for i in 0..<400 {
            var line: [String] = []
            for _ in 0..<(i % 17 + 1) {
                r = r &* 6_364_136_223_846_793_005 &+ 1
                line.append(words[Int((r >> 33) % UInt64(words.count)) % (1 + Int(r >> 60))])
            }
            lines.append(line.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Exact n-gram counts and document frequencies of `text`'s lines.
    func bruteForce(_ text: String, minN: Int, maxN: Int) -> (counts: [UInt64: Int64], dfs: [UInt64: Int64], total: Int64) {
        var counts: [UInt64: Int64] = [:], dfs: [UInt64: Int64] = [:], total: Int64 = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            let ids = Self.bert.encode(String(line)).map { UInt32($0) }
            var seen = Set<UInt64>()
            for n in minN...maxN where n <= ids.count {
                for i in 0...(ids.count - n) {
                    let h = Ngrams.hash(ids[i..<(i + n)], maxN: maxN)
                    counts[h, default: 0] += 1
                    total += 1
                    if seen.insert(h).inserted { dfs[h, default: 0] += 1 }
                }
            }
        }
        return (counts, dfs, total)
    }

    func count(_ path: String, top: Int, factor: Double, threads: Int, chunk: Int?, minN: Int = 1, maxN: Int = 3,
               sketchBits: Int? = nil)
        throws -> NgramCountingResult
    {
        var o = NgramCountingOptions()
        (o.top, o.capacityFactor, o.threads, o.chunkLimit, o.minN, o.maxN) = (top, factor, threads, chunk, minN, maxN)
        o.sketchBits = sketchBits
        return try countNgrams(in: DocumentReader(path: path, field: nil), tokenizer: Self.bert, options: o)
    }

    func testCountingIsExactWhenEverythingFitsWithThreadsAndSmallChunks() throws {
        let text = corpus()
        let path = tempPath("corpus.txt")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let (counts, dfs, total) = bruteForce(text, minN: 2, maxN: 3)
        for (threads, chunk) in [(1, nil), (3, 40)] as [(Int, Int?)] {  // 40: room for any document
            let r = try count(path, top: 100_000, factor: 1, threads: threads, chunk: chunk, minN: 2)
            let t = r.table
            XCTAssertEqual(t.documents, 400)
            XCTAssertEqual(t.total, total)
            XCTAssertEqual(t.count, counts.count)
            XCTAssertEqual(r.floor, 0)
            XCTAssertEqual(r.guaranteed, t.count)
            for i in 0..<t.count {
                XCTAssertEqual(t.counts[i], counts[t.hashes[i]], t.texts[i])
                XCTAssertEqual(t.documentFrequencies[i], dfs[t.hashes[i]], t.texts[i])
                let ids = Self.bert.encode(t.texts[i]).map { UInt32($0) }
                XCTAssertEqual(Ngrams.hash(ids, maxN: 3), t.hashes[i], "the text column spells the n-gram")
                XCTAssert(ids.count >= 2 && ids.count <= 3)
            }
            XCTAssertEqual(t.counts, t.counts.sorted(by: >))
        }
    }

    func testApproximateCountingBoundsHoldWithThreads() throws {
        let text = corpus()
        let path = tempPath("corpus.txt")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let (counts, dfs, _) = bruteForce(text, minN: 1, maxN: 3)
        let exactTop = counts.values.sorted(by: >)
        for bits in [0, 8] {
            let r = try count(path, top: 20, factor: 2, threads: 2, chunk: 16, sketchBits: bits)
            XCTAssertGreaterThan(r.floor, 0, "the corpus must overflow 40 entries")
            for i in 0..<r.table.count {
                XCTAssertGreaterThanOrEqual(r.table.counts[i], counts[r.table.hashes[i]]!)
                XCTAssertGreaterThanOrEqual(r.table.documentFrequencies[i], dfs[r.table.hashes[i]]!)
            }
            XCTAssertEqual(Array(r.table.counts.prefix(5)), Array(exactTop.prefix(5)), "the head is exact")
        }
    }

    func tempPath(_ name: String) -> String {
        TestTemporaryFiles.folder("ngrams") + "/" + name
    }

    func testTableRoundTripAndVocabulary() throws {
        let t = NgramTable(minN: 1, maxN: 5, documents: 10, total: 100, hashes: [0xFFFF_0000_0000_0001, 2, 0xabc],
                           counts: [50, 20, 20], documentFrequencies: [9, 3, 1], texts: ["of the", "##ing", "über café"])
        let path = tempPath("ngrams.tsv")
        try t.write(path: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssert(text.hasPrefix("# lexel-ngrams v1 minn=1 maxn=5 documents=10 total=100 tokenizer=bert-base-uncased\n"
            + "ffff000000000001\t50\t9\tof the\n0000000000000002\t20\t3\t##ing\n"), text)
        XCTAssertEqual(try NgramTable.read(path: path), t)
        let c = try t.vocabulary(idf: .collection), d = try t.vocabulary(idf: .document)
        XCTAssertEqual(c.index(of: 2), 1)
        XCTAssertEqual(c.idf[0], Float(log(90.0) - log(50.0)), accuracy: 1e-6)
        XCTAssertEqual(d.idf[2], Float(log(11.0 / 2.0) + 1), accuracy: 1e-6)
    }

    func testBadTablesNameLineAndOffset() throws {
        let header = "# lexel-ngrams v1 minn=1 maxn=5 documents=1 total=1 tokenizer=bert-base-uncased\n"
        let cases: [(String, Int64?, String)] = [
            ("", nil, "empty file"),
            ("hash\tcount\n", 0, "not an n-gram table"),
            ("# lexel-ngrams v1 minn=1 documents=1 total=1\n", 0, "no maxn="),
            ("# lexel-ngrams v1 minn=3 maxn=2 documents=1 total=1\n", 0, "invalid"),
            (header + "00000000000000zz\t1\t1\tx\n", Int64(header.utf8.count), "16 hex digits"),
            (header + "0000000000000001\t1\tx\n", Int64(header.utf8.count), "4 tab-separated"),
            (header + "0000000000000001\t-1\t1\tx\n", Int64(header.utf8.count) + 17, "count must be"),
            (header + "0000000000000001\t1\tq\tx\n", Int64(header.utf8.count) + 19, "document frequency"),
            (header + "0000000000000001\t1\t1\tx\n0000000000000001\t1\t1\ty\n", Int64(header.utf8.count) + 23, "appears twice"),
            (header + "0000000000000001\t1\t1\tx\n00000000000000", Int64(header.utf8.count) + 37, "line 3: the file ends in the middle"),
            (header + "0000000000000001\t1\t1\tof th", Int64(header.utf8.count) + 26, "line 2: the file ends in the middle"),
            (header, nil, "the table lists no n-grams"),
            ("# lexel-ngrams v1 minn=1 maxn=5 documents=1 total=1", 51, "line 1: the file ends in the middle"),
            ("\u{1}\u{7F}\n", 0, "(got '\\u{1}\\u{7f}')"),
        ]
        for (text, offset, message) in cases {
            let path = tempPath("bad.tsv")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try NgramTable.read(path: path)
                XCTFail("no error for \(text)")
            } catch let e as LexelError {
                XCTAssertEqual(e.offset, offset, text)
                XCTAssert(e.message.contains(message), "\(text): \(e)")
                XCTAssertEqual(e.file, path)
            }
        }
        XCTAssertThrowsError(try count(tempPath("missing.txt"), top: 1, factor: 1, threads: 1, chunk: nil))
    }

    func testReadErrorsStopCounting() throws {
        let path = tempPath("bad.jsonl")
        try (String(repeating: "{\"text\":\"a b c\"}\n", count: 5000) + "{\"text\": 3}\n").write(toFile: path, atomically: true, encoding: .utf8)
        var o = NgramCountingOptions()
        o.threads = 2
        XCTAssertThrowsError(try countNgrams(in: DocumentReader(path: path, field: "text"), tokenizer: Self.bert, options: o)) {
            XCTAssert("\($0)".contains("line 5001"), "\($0)")
        }
    }
}
