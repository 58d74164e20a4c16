import Foundation
import XCTest
import LexelCore
import LexelIO
import LexelTestSupport
@testable import LexelLexical

/// Luxical `.npz` models that used to load and embed wrongly: an unsupported `version`, repeated or wrong hash
/// keys, NaN or infinite weights, n-grams of another token type. Each is made from luxical's own fixture
/// (Fixtures/luxical/tiny.npz) by changing one member.
final class LuxicalBadModelTests: XCTestCase {
    static let fixture = fixturesFolder() + "/luxical/tiny.npz"

    /// The members of an `.npz`, rewritten as a stored ZIP (as numpy.savez writes it).
    struct NPZ {
        var members: [(name: String, bytes: [UInt8])]

        init(path: String) throws {
            let archive = try ZipArchive(path: path)
            members = try archive.members.map { ($0.name, Array(try archive.bytes(of: $0))) }
        }

        /// The array `name` (without `.npy`): its bytes and where its data starts in them.
        func array(_ name: String) throws -> (bytes: [UInt8], data: Int, array: NumpyArray) {
            let b = members.first { $0.name == name + ".npy" }!.bytes
            let a = try b.withUnsafeBytes { try Numpy.parse($0, file: name) }
            return (b, Int(a.dataOffset), a)
        }

        mutating func set(_ name: String, _ bytes: [UInt8]) {
            if let i = members.firstIndex(where: { $0.name == name + ".npy" }) { members[i].bytes = bytes } else { members.append((name + ".npy", bytes)) }
        }

        mutating func remove(_ name: String) { members.removeAll { $0.name == name + ".npy" } }

        /// Overwrites element `i` of array `name` with the bytes of `value` (of the array's own element size).
        mutating func patch<T>(_ name: String, element i: Int, _ value: T) throws {
            var (b, data, _) = try array(name)
            withUnsafeBytes(of: value) { for k in 0..<$0.count { b[data + i * $0.count + k] = $0[k] } }
            set(name, b)
        }

        func write(_ name: String = "m.npz") -> String {
            var out: [UInt8] = [], central: [UInt8] = []
            func u16(_ v: Int, _ b: inout [UInt8]) { b += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
            func u32(_ v: UInt32, _ b: inout [UInt8]) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
            for (name, bytes) in members {
                let crc = bytes.withUnsafeBytes { CRC32.checksum($0) }
                let offset = UInt32(out.count), n = Array(name.utf8)
                u32(0x0403_4B50, &out); u16(20, &out); u16(0, &out); u16(0, &out); u16(0, &out); u16(0, &out)
                u32(crc, &out); u32(UInt32(bytes.count), &out); u32(UInt32(bytes.count), &out); u16(n.count, &out); u16(0, &out)
                out += n + bytes
                u32(0x0201_4B50, &central); u16(20, &central); u16(20, &central); u16(0, &central); u16(0, &central)
                u16(0, &central); u16(0, &central); u32(crc, &central); u32(UInt32(bytes.count), &central)
                u32(UInt32(bytes.count), &central); u16(n.count, &central); u16(0, &central); u16(0, &central)
                u16(0, &central); u16(0, &central); u32(0, &central); u32(offset, &central)
                central += n
            }
            let dir = UInt32(out.count)
            out += central
            u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(members.count, &out); u16(members.count, &out)
            u32(UInt32(central.count), &out); u32(dir, &out); u16(0, &out)
            return tempFile(out, name)
        }
    }

    /// An `.npy` array of `descr` and `shape` holding `data`.
    static func npy(_ descr: String, _ shape: [Int], _ data: [UInt8]) -> [UInt8] {
        let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dims), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
            + Array(header.utf8) + data
    }

    func expectError(_ npz: NPZ, _ parts: [String], line: UInt = #line) {
        let path = npz.write()
        XCTAssertThrowsError(try LexicalModel.load(path: path), line: line) { e in
            XCTAssert(e is LexelError, "\(e)", line: line)
            for p in ["\(path): "] + parts { XCTAssert("\(e)".contains(p), "'\(p)' not in: \(e)", line: line) }
        }
    }

    func keys(_ npz: NPZ) throws -> [Int64] { try npz.array("ngram_hash_to_ngram_idx_keys").array.integers() }

    func testFixtureStillLoadsAndKeyOrderDoesNotMatter() throws {
        let original = try NPZ(path: Self.fixture)
        let k = try keys(original), v = try original.array("ngram_hash_to_ngram_idx_values").array.integers()
        XCTAssertFalse(zip(k, k.dropFirst()).allSatisfy { $0 < $1 }, "luxical writes its keys in hash-map order, unsorted")
        // The same map sorted by key: the same model.
        var sorted = original
        let order = k.indices.sorted { k[$0] < k[$1] }
        sorted.set("ngram_hash_to_ngram_idx_keys", Self.npy("<i8", [k.count], order.flatMap { i in withUnsafeBytes(of: k[i].littleEndian, Array.init) }))
        sorted.set("ngram_hash_to_ngram_idx_values", Self.npy("<u4", [v.count], order.flatMap { i in withUnsafeBytes(of: UInt32(v[i]).littleEndian, Array.init) }))
        let a = try LexicalModel.load(path: Self.fixture), b = try LexicalModel.load(path: sorted.write())
        let texts = ["the quick brown fox jumps over the lazy dog", "of the", "in the beginning"]
        XCTAssertEqual(a.embed(texts), b.embed(texts))
    }

    func testUnsupportedOrMissingVersionIsRefused() throws {
        var npz = try NPZ(path: Self.fixture)
        try npz.patch("version", element: 0, Int64(99).littleEndian)
        expectError(npz, ["member version.npy: format version 99 is not supported (Luxical's loader and Lexel read version 1)"])
        npz.set("version", Self.npy("<f8", [], withUnsafeBytes(of: Double(1).bitPattern.littleEndian, Array.init)))
        expectError(npz, ["member version.npy: <f8 values, expected integers"])
        npz.remove("version")
        expectError(npz, ["no member version.npy"])
    }

    func testRepeatedOrWrongHashKeysAreRefused() throws {
        let original = try NPZ(path: Self.fixture)
        let k = try keys(original)
        var npz = original
        try npz.patch("ngram_hash_to_ngram_idx_keys", element: 7, k[3].littleEndian)
        expectError(npz, ["member ngram_hash_to_ngram_idx_keys.npy: hash \(k[3]) appears twice"])
        npz = original
        try npz.patch("ngram_hash_to_ngram_idx_keys", element: 5, Int64(0))
        expectError(npz, ["member ngram_hash_to_ngram_idx_keys.npy: key 5 is 0, not \(k[5]), the hash of n-gram 5 of recognized_ngrams"])
        npz = original  // two keys swapped: each points at the other's n-gram
        try npz.patch("ngram_hash_to_ngram_idx_keys", element: 0, k[1].littleEndian)
        try npz.patch("ngram_hash_to_ngram_idx_keys", element: 1, k[0].littleEndian)
        expectError(npz, ["key 0 is \(k[1]), not \(k[0])", "corrupt"])
        npz = original
        try npz.patch("ngram_hash_to_ngram_idx_values", element: 2, UInt32(2000).littleEndian)
        expectError(npz, ["member ngram_hash_to_ngram_idx_values.npy: n-gram index 2000 outside 0..<2000"])
    }

    func testNonFiniteWeightsAreRefusedNamingMemberAndOffset() throws {
        let original = try NPZ(path: Self.fixture)
        let path = original.write("offsets.npz")
        let archive = try ZipArchive(path: path)
        func dataOffset(_ name: String) throws -> Int64 {
            let m = archive.member(name + ".npy")!
            return try Numpy.parse(try archive.bytes(of: m), file: path, baseOffset: Int64(m.dataOffset)).dataOffset
        }
        let cases: [(String, Int, Float, String)] = [
            ("idf_values", 3, .nan, "element 3 is nan"),
            ("nn_layer_0", 2000 + 7, .infinity, "row 1, column 7 is inf"),
            ("nn_layer_1", 16 * 31 + 15, -.infinity, "row 31, column 15 is -inf"),
            ("nn_layer_2", 0, .nan, "row 0, column 0 is nan"),
        ]
        for (name, i, x, what) in cases {
            var npz = original
            try npz.patch(name, element: i, x.bitPattern.littleEndian)
            let offset = try dataOffset(name) + Int64(4 * i)
            expectError(npz, ["at byte offset \(offset): Luxical model: member \(name).npy: \(what): values must be finite numbers"])
        }
    }

    func testNgramsOfAnotherTokenTypeAreRefused() throws {
        var npz = try NPZ(path: Self.fixture)
        let ngrams = try npz.array("recognized_ngrams").array
        let wide = (0..<ngrams.count).flatMap { i in
            withUnsafeBytes(of: Int64(ngrams.data.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)).littleEndian, Array.init)
        }
        npz.set("recognized_ngrams", Self.npy("<i8", ngrams.shape, wide))
        expectError(npz, ["member recognized_ngrams.npy: <i8 token ids; Luxical hashes n-grams of uint32 ids"])
        npz.set("recognized_ngrams", Self.npy("<u4", [10_000], Array(try NPZ(path: Self.fixture).array("recognized_ngrams").bytes.suffix(40_000))))
        expectError(npz, ["member recognized_ngrams.npy: shape [10000], expected (2000, n)"])
    }

    func testTokenizerTypeIsQuotedAndCut() throws {
        var npz = try NPZ(path: Self.fixture)
        let json = "{\"model\": {\"type\": \"BPE\\u001b[2J\(String(repeating: "x", count: 100))\", \"vocab\": {\"a\": 0}}}"
        npz.set("tokenizer", Self.npy("|u1", [json.utf8.count], Array(json.utf8)))
        expectError(npz, ["member tokenizer.npy: tokenizer type 'BPE\\u{1b}[2J\(String(repeating: "x", count: 33))...' is not supported"])
    }

    func testFirstNonFiniteFindsEveryPosition() throws {
        let n = 9_000
        for i in [0, 1, 4095, 4096, 8999] {
            var v = [Float](repeating: -2, count: n)
            v[i] = .nan
            if i + 1 < n { v[n - 1] = .infinity }
            let bytes = Self.npy("<f4", [n], v.flatMap { x in withUnsafeBytes(of: x.bitPattern.littleEndian, Array.init) })
            try bytes.withUnsafeBytes { b in
                XCTAssertEqual(LuxicalModel.firstNonFinite(try Numpy.parse(b, file: "x")), i)
            }
        }
        let halves = Self.npy("<f2", [3], [0, 0x3C, 0, 0x7C, 0, 0x3C])  // 1, inf, 1
        try halves.withUnsafeBytes { XCTAssertEqual(LuxicalModel.firstNonFinite(try Numpy.parse($0, file: "x")), 1) }
        let ints = Self.npy("<i4", [2], [0xFF, 0xFF, 0x80, 0x7F, 0, 0, 0, 0])
        try ints.withUnsafeBytes { XCTAssertNil(LuxicalModel.firstNonFinite(try Numpy.parse($0, file: "x"))) }
    }
}
