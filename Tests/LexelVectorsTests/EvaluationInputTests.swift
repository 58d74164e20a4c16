import XCTest
import LexelCore
@testable import LexelVectors

/// `eval words` inputs that used to give rho 0 or 0% with success: non-finite gold scores, empty files.
final class EvaluationInputTests: XCTestCase {
    func vectors() throws -> WordVectors {
        let path = tmpPath("e.vec")
        try "4 3\nking 1 1 0\nqueen 1 0 1\nman 0 1 0\nwoman 0 0 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        return try WordVectors.load(path: path)
    }

    func file(_ text: String, _ name: String = "f.txt") throws -> String {
        let path = tmpPath(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func expectError(_ body: @autoclosure () throws -> Any, _ parts: [String], line: UInt = #line) {
        XCTAssertThrowsError(try body(), line: line) { e in
            XCTAssert(e is LexelError, "\(e)", line: line)
            for p in parts { XCTAssert("\(e)".contains(p), "'\(p)' not in: \(e)", line: line) }
        }
    }

    func testNonFiniteGoldScoresAreErrorsNamingFileAndLine() throws {
        let v = try vectors()
        for bad in ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"] {
            let path = try file("king queen 8\nman woman 6\nking man \(bad)\n")
            expectError(try Evaluation.similarity(v, path: path),
                        ["\(path): at byte offset 25: line 3: the score '\(bad)' is not a finite number"])
        }
    }

    func testSimilarityFilesWithoutAUsableRhoAreErrors() throws {
        let v = try vectors()
        for empty in ["", "\n\n", "# only a comment\n"] {
            let path = try file(empty)
            expectError(try Evaluation.similarity(v, path: path), ["\(path): no word pairs"])
        }
        expectError(try Evaluation.similarity(v, path: try file("king queen 8\nzebra apple 3\n")),
                    ["only 1 of the 2 pairs have vectors for both words"])
        expectError(try Evaluation.similarity(v, path: try file("king queen 5\nman woman 5\nking man 5\n")),
                    ["every scored pair has the gold score 5.0"])
        let ok = try Evaluation.similarity(v, path: try file("\u{FEFF}king queen 8\nman woman 6\nking man 1\n"))
        XCTAssertEqual(ok.pairs, 3, "a byte order mark is skipped")
    }

    func testAnalogyFilesWithoutQuestionsAreErrors() throws {
        let v = try vectors()
        for empty in ["", "\n", ": capital-common-countries\n: family\n"] {
            let path = try file(empty)
            expectError(try Evaluation.analogies(v, path: path), ["\(path): no analogy questions"])
        }
        let r = try Evaluation.analogies(v, path: try file("\u{FEFF}man king woman queen\n"))
        XCTAssertEqual(r.questions, 1)
        XCTAssertEqual(r.correct, 1)
    }
}
