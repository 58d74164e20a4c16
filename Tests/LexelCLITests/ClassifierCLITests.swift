import Foundation
import XCTest
import LexelTestSupport

/// `lexel predict`, `predict-prob` and `test` on models trained by the real fastText (LexelClassifierTests' fixtures).
final class ClassifierCLITests: LexelCLITestCase {
    let fixtures = repositoryRoot + "/Tests/LexelClassifierTests/Fixtures"

    func expected() throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected.json"))) as! [String: Any]
    }

    func testPredictAndTestGiveFastTextsAnswers() throws {
        let e = try expected()
        let queries = e["queries"] as! [String]
        let models = e["models"] as! [String: [String: Any]]
        for (name, m) in models {
            let model = fixtures + "/\(name).bin"
            let wanted = (m["predictions"] as! [[[Any]]]).map { $0.map { $0[0] as! String } }
            let input = queries.filter { !$0.contains("\r") }.joined(separator: "\n") + "\n"
            let r = try lexel(["predict", model, "-", "-1"], stdin: input)
            XCTAssertEqual(r.status, 0, r.err)
            let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { $0.split(separator: " ").map(String.init) }
            let kept = zip(queries, wanted).filter { !$0.0.contains("\r") }.map(\.1)
            XCTAssertEqual(lines, kept, name)
            let top = try lexel(["predict-prob", model, "-"], stdin: queries[0] + "\n")
            let parts = top.out.split(separator: " ")
            XCTAssertEqual(parts.count, 2, top.out)
            XCTAssertEqual(String(parts[0]), wanted[0][0])
            let test = try lexel(["test", model, fixtures + "/test.txt"])
            let k1 = m["test_k1"] as! [Double]
            XCTAssert(test.out.hasPrefix("N\t\(Int(k1[0]))\nP@1\t"), test.out)
        }
    }

    func testWrongFilesAndArgumentsAreErrors() throws {
        try expectError(["predict", repositoryRoot + "/vocab/lexel-minilm-distilled.lxm", "-"], "needs a fastText classifier")
        try expectError(["predict", fixtures + "/ns.bin", "-", "0"], "k must be positive, or -1")
        try expectError(["test", fixtures + "/ns.bin", fixtures + "/test.txt", "1", "2"], "threshold must be in [0, 1]")
        try expectError(["predict", fixtures + "/ns.bin", "/no/such/file"], "cannot open")
    }
}
