// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for Lexel's file readers (docs/fuzzing.md). A separate package so that the fuzzing flags
// never touch the main build. Build (from the repository root):
//   swift build --package-path Fuzz --scratch-path .build-fuzz -c debug \
//       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
// then run e.g. `.build-fuzz/debug/FuzzVectorFile -max_total_time=300 Fuzz/Corpus/lxv Fuzz/Seeds/lxv`.
// Every target depends on the `LexelKit` product, which re-exports all of Lexel's modules, so that any reader
// (vectors, store, lexical models, I/O) is reachable with one import.
let fuzzTargets = [
    "FuzzVectorFile", "FuzzModelFile", "FuzzFastText", "FuzzClassifier", "FuzzWord2Vec", "FuzzTextVectors", "FuzzCorpus",
    "FuzzLexicalModel", "FuzzLuxical", "FuzzNumpy", "FuzzNgramTable", "FuzzDocuments", "FuzzQueryLines", "FuzzJSON",
]

let package = Package(
    name: "LexelFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Lexel", path: ".."),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        // Writes each input to a per-process temp file and checks that readers only ever throw LexelError.
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer", .product(name: "LexelKit", package: "Lexel")]),
    ] + fuzzTargets.map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "LexelKit", package: "Lexel")])
    }
)
