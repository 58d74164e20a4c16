import Foundation
import XCTest
import LexelKit
import LexelTestSupport

/// The facade opens files by what they are and says what it got when the kind is wrong.
final class ModelFilesTests: XCTestCase {
    func testKindsComeFromContentNotNames() throws {
        let dir = TestTemporaryFiles.folder("kit")
        let vec = dir + "/words.bin"  // text vectors under a misleading name
        try "2 3\ncat 0.1 0.2 0.3\ndog 0.3 0.2 0.1\n".write(toFile: vec, atomically: false, encoding: .utf8)
        XCTAssertEqual(try ModelFiles.kind(of: vec), .plainVectors)
        let lxv = dir + "/words.npz"
        try Conversion().run(input: dir + "/words.bin", output: lxv + ".lxv")
        XCTAssertEqual(try ModelFiles.kind(of: lxv + ".lxv"), .vectorFile)
        let model = repositoryRoot + "/vocab/" + DefaultFiles.modelName
        XCTAssertEqual(try ModelFiles.kind(of: model), .lexicalModel)
        XCTAssertThrowsError(try ModelFiles.wordVectors(lxv + ".lxv", for: "nn")) {
            XCTAssert("\($0)".contains("this is a Lexel vector file (.lxv); `lexel nn` needs word vectors"), "\($0)")
        }
        XCTAssertThrowsError(try ModelFiles.vectorFile(model, for: "query")) {
            XCTAssert("\($0)".contains("this is a Lexel lexical model (.lxm); `lexel query` needs a Lexel vector file"), "\($0)")
        }
        XCTAssertEqual(try ModelFiles.lexicalModel(model, for: "embed", verify: true).outputDim, 1408)
    }

    func testPlainExportKeepsTheFirstWordsAndNormalises() throws {
        let dir = TestTemporaryFiles.folder("kit")
        let vec = dir + "/v.vec"
        try "3 2\na 3 4\nb 1 0\nc 0 2\n".write(toFile: vec, atomically: false, encoding: .utf8)
        let v = try ModelFiles.wordVectors(vec, for: "convert")
        let p = Conversion.plain(v, maxWords: 2, normalize: true)
        XCTAssertEqual(p.vocabulary.count, 2)
        XCTAssertEqual(p.vector(for: "a")!, [0.6, 0.8])
        XCTAssertNil(p.vector(for: "c"))
        XCTAssert(Conversion.plain(v, maxWords: nil, normalize: false) === v, "nothing to change: the same vectors")
    }

    func testBuildInfoNamesVersionCommitAndCPU() {
        XCTAssert(BuildInfo.summary.hasPrefix("lexel \(BuildInfo.version) (git "))
        XCTAssert(["avx512", "avx2+fma", "sse2", "generic"].contains(BuildInfo.simd))
        XCTAssert(BuildInfo.cpu.contains("CPUs online"))
    }
}
