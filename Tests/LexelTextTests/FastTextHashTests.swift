import Foundation
import XCTest

import LexelIO
import LexelCore
@testable import LexelText

/// Checks Lexel's fastText hashing against a golden fixture made with the real fastText 0.9.3
/// (`tools/make_fasttext_fixtures.py` writes `Fixtures/fasttext-subwords.json`).
final class FastTextHashTests: XCTestCase {
    struct Word {
        let word: String
        let id: Int
        let ngrams: [String]
        let ids: [Int]
    }

    struct Fixture {
        let nwords: Int
        let bucket: Int
        let minn: Int
        let maxn: Int
        let words: [Word]
        let hashModBucket: [(String, Int)]
        let fnv1a32: [(String, UInt32)]
    }

    static func loadFixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent("fasttext-subwords.json")
        let data = try Data(contentsOf: url)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func int(_ v: Any?) throws -> Int { try XCTUnwrap((v as? NSNumber)?.intValue, "expected a number: \(String(describing: v))") }
        func pairs(_ v: Any?) throws -> [(String, Int)] {
            try XCTUnwrap(v as? [[Any]]).map { p in
                XCTAssertEqual(p.count, 2)
                return (try XCTUnwrap(p[0] as? String), try int(p[1]))
            }
        }
        let words = try XCTUnwrap(root["words"] as? [[String: Any]]).map { w -> Word in
            let ng = try pairs(w["ngrams"])
            return Word(word: try XCTUnwrap(w["word"] as? String), id: try int(w["id"]),
                        ngrams: ng.map { $0.0 }, ids: ng.map { $0.1 })
        }
        return Fixture(
            nwords: try int(root["nwords"]), bucket: try int(root["bucket"]),
            minn: try int(root["minn"]), maxn: try int(root["maxn"]), words: words,
            hashModBucket: try pairs(root["hashModBucket"]),
            fnv1a32: try pairs(root["fnv1a32"]).map { ($0.0, UInt32($0.1)) })
    }

    /// Textbook 32-bit FNV-1a over UTF-8 bytes (bytes zero-extended, unlike fastText).
    static func textbookFNV1a(_ s: String) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in s.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    static func lexelSubwordIDs(_ word: String, _ f: Fixture) -> [Int] {
        var ids: [Int] = []
        var w = word
        w.withUTF8 { buf in
            forEachSubwordHash(of: buf, minn: f.minn, maxn: f.maxn) { h in
                ids.append(f.nwords + Int(h % UInt32(f.bucket)))
            }
        }
        return ids
    }

    func testFixtureShape() throws {
        let f = try Self.loadFixture()
        XCTAssertEqual(f.bucket, 2_000_000)
        XCTAssertEqual(f.minn, 3)
        XCTAssertEqual(f.maxn, 6)
        XCTAssertGreaterThan(f.nwords, 0)
        XCTAssertEqual(f.words.count, 12)
        XCTAssertTrue(f.words.contains { $0.id >= 0 && $0.word.utf8.count != $0.word.count }, "a non-ASCII in-vocabulary word")
        XCTAssertTrue(f.words.contains { $0.id < 0 }, "an out-of-vocabulary word")
    }

    func testSubwordIDsMatchFastText() throws {
        let f = try Self.loadFixture()
        for w in f.words {
            let got = Self.lexelSubwordIDs(w.word, f)
            XCTAssertEqual(got, w.ids, "subword ids of \(w.word)")
            if got != w.ids {
                for (k, s) in w.ngrams.enumerated() where k >= got.count || got[k] != w.ids[k] {
                    XCTFail("\(w.word): n-gram #\(k) \(s) expected id \(w.ids[k]), got \(k < got.count ? String(got[k]) : "none")")
                }
            }
        }
    }

    func testSubwordStringsMatchFastText() throws {
        let f = try Self.loadFixture()
        for w in f.words {
            XCTAssertEqual(subwordStrings(of: w.word, minn: f.minn, maxn: f.maxn), w.ngrams, "n-grams of \(w.word)")
        }
    }

    func testNgramStringHashesMatchIDs() throws {
        // Each fixture n-gram string, hashed whole, gives fastText's id for it.
        let f = try Self.loadFixture()
        for w in f.words {
            for (s, id) in zip(w.ngrams, w.ids) {
                XCTAssertEqual(f.nwords + Int(fastTextHash(s) % UInt32(f.bucket)), id, "\(w.word): \(s)")
            }
        }
    }

    func testWholeStringHashModBucket() throws {
        let f = try Self.loadFixture()
        XCTAssertFalse(f.hashModBucket.isEmpty)
        for (s, h) in f.hashModBucket {
            XCTAssertEqual(Int(fastTextHash(s) % UInt32(f.bucket)), h, "hash(\(s)) % bucket")
        }
    }

    func testASCIIFNVConstants() throws {
        XCTAssertEqual(fastTextHash(""), 0x811C_9DC5)
        XCTAssertEqual(fastTextHash("a"), 0xE40C_292C)
        XCTAssertEqual(fastTextHash("foobar"), 0xBF9C_F968)
        let f = try Self.loadFixture()
        for (s, v) in f.fnv1a32 {
            XCTAssertEqual(fastTextHash(s), v, s)
            XCTAssertEqual(Self.textbookFNV1a(s), v, s)
        }
    }

    func testSignExtensionMatters() {
        // ASCII: fastText's hash is the textbook FNV-1a.
        for s in ["hello", "kernel", "<he"] {
            XCTAssertEqual(fastTextHash(s), Self.textbookFNV1a(s), s)
        }
        // Bytes >= 0x80 are sign-extended by fastText, so its hash differs from the textbook one.
        for s in ["héllo", "ñ", "日本語", "😀"] {
            XCTAssertNotEqual(fastTextHash(s), Self.textbookFNV1a(s), s)
        }
    }
}
