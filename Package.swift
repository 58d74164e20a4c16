// swift-tools-version: 6.2
import Foundation
import PackageDescription

/// Release builds target a CPU with AVX2 + FMA by default (see ../shared/ENGINEERING.md: without it the SIMD
/// kernels fall back to libm `fmaf` calls and run ~15x slower). Set `LEXEL_MARCH=portable` for a build that runs
/// on any x86-64 (or on other architectures), or `LEXEL_MARCH=native` for the build machine's own CPU.
let march = Context.environment["LEXEL_MARCH"] ?? "x86-64-v3"
#if arch(x86_64)
let marchFlags: [String] = march == "portable" ? [] : ["-Xcc", "-march=\(march)"]
#else
let marchFlags: [String] = []
#endif
/// The commit being built, read from .git (no process is run), for `lexel --version`.
func gitHash() -> String {
    let git = Context.packageDirectory + "/.git"
    var head = (try? String(contentsOfFile: git + "/HEAD", encoding: .utf8)) ?? ""
    head = head.trimmingCharacters(in: .whitespacesAndNewlines)
    if head.hasPrefix("ref: ") {
        let ref = String(head.dropFirst(5))
        if let h = try? String(contentsOfFile: git + "/" + ref, encoding: .utf8) {
            head = h.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let packed = try? String(contentsOfFile: git + "/packed-refs", encoding: .utf8),
                  let line = packed.split(separator: "\n").first(where: { $0.hasSuffix(" " + ref) }) {
            head = String(line.prefix(40))
        } else {
            head = ""
        }
    }
    return head.count >= 12 && head.allSatisfy(\.isHexDigit) ? String(head.prefix(12)) : "unknown"
}
let cFast: [CSetting] = [
    .define("LEXEL_GIT_HASH", to: "\"\(gitHash())\""),
    .unsafeFlags(marchFlags.filter { $0 != "-Xcc" }, .when(configuration: .release)),
]
let fast: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"] + marchFlags, .when(configuration: .release))
]

let package = Package(
    name: "Lexel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lexel", targets: ["lexel"]),
        .library(name: "LexelKit", targets: ["LexelKit"]),
        .library(name: "LexelCore", targets: ["LexelCore"]),
        .library(name: "LexelVectors", targets: ["LexelVectors"]),
        .library(name: "LexelTraining", targets: ["LexelTraining"]),
        .library(name: "LexelStore", targets: ["LexelStore"]),
        .library(name: "LexelLexical", targets: ["LexelLexical"]),
        .library(name: "LexelClassifier", targets: ["LexelClassifier"]),
        .library(name: "LexelCluster", targets: ["LexelCluster"]),
        // The C library (`make lib` -> liblexel.so, with the Swift runtime linked in statically): include/lexel.h.
        .library(name: "LexelC", type: .dynamic, targets: ["LexelCAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The HTTP server (`lexel serve`); its default traits (swift-configuration, full Foundation) are not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    // Layers, bottom to top (docs/architecture.md; tools/check_layers.py enforces the imports):
    //   C shims -> LexelCore, LexelKernels -> LexelContainer, LexelIO -> LexelText -> engines -> front ends.
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        // The CPU instructions Swift cannot spell (software prefetch, int8 GEMM), as static inline C.
        .target(name: "CKernels"),
        // Async-signal-safe cleanup: temporary outputs removed on SIGINT/SIGTERM, bus errors in mapped files named.
        .target(name: "CSupport", cSettings: cFast),
        // Errors, mapped files, atomic output files, clock, threads and parallel-for, top-k, statistics.
        .target(name: "LexelCore", dependencies: ["CSupport"], swiftSettings: fast),
        // SIMD kernels, GEMM, row codecs (f32/f16/int8), aligned matrices, random numbers: all hot arithmetic.
        .target(name: "LexelKernels", dependencies: ["CKernels"], swiftSettings: fast),
        // The checksummed, memory-mapped section container of .lxv and .lxm files; knows no model kind.
        .target(name: "LexelContainer", dependencies: ["CZstd", "LexelCore"], swiftSettings: fast),
        // Byte streams (plain, zstd), lines, documents (plain or JSON Lines), .npy/.npz, ZIP, file-kind sniffing.
        .target(name: "LexelIO", dependencies: ["CZstd", "LexelCore"], swiftSettings: fast),
        // Tokenisers (whitespace, BERT WordPiece), vocabularies, fastText subword hashing.
        .target(name: "LexelText", dependencies: ["LexelCore", "LexelKernels", "LexelIO"], swiftSettings: fast),
        // Engine: word2vec / fastText training: skip-gram, CBOW, losses, hogwild threads.
        .target(name: "LexelTraining", dependencies: ["LexelCore", "LexelKernels", "LexelIO", "LexelText"],
                swiftSettings: fast),
        // Engine: word vectors in memory: model and .vec/.bin files, lookups (subword OOV), neighbours, evaluation.
        .target(name: "LexelVectors", dependencies: ["LexelCore", "LexelKernels", "LexelIO", "LexelText"],
                swiftSettings: fast),
        // Engine: the `.lxv` vector file: keys, hash index, quantised mapped rows, exact and HNSW search.
        .target(name: "LexelStore",
                dependencies: ["LexelCore", "LexelKernels", "LexelContainer", "LexelIO", "LexelText", "LexelVectors"],
                swiftSettings: fast),
        // Engine: lexical-dense document embeddings: n-gram TF-IDF features, ReLU MLP, distillation.
        .target(name: "LexelLexical",
                dependencies: ["LexelCore", "LexelKernels", "LexelContainer", "LexelIO", "LexelText"],
                swiftSettings: fast),
        // Engine: fastText-compatible text classification: supervised dictionaries, fastText model files, prediction.
        .target(name: "LexelClassifier", dependencies: ["LexelCore", "LexelKernels", "LexelIO", "LexelText"],
                swiftSettings: fast),
        // Engine: k-means (spherical and Euclidean), clustering quality measures, semantic deduplication.
        .target(name: "LexelCluster", dependencies: ["CKernels", "LexelCore", "LexelKernels"], swiftSettings: fast),
        // The facade: one call per use case (open any model file by its magic, embed, search, convert, train,
        // distill) that every front end (CLI, server, C library) uses; it re-exports the engines' types.
        .target(name: "LexelKit",
                dependencies: ["CSupport", "LexelCore", "LexelKernels", "LexelContainer", "LexelIO", "LexelText",
                               "LexelTraining", "LexelVectors", "LexelStore", "LexelLexical", "LexelClassifier",
                               "LexelCluster"],
                swiftSettings: fast),
        // The C library's entry points over LexelKit (a front end, like the CLI).
        // Release builds link it with the Swift runtime inside (-static-stdlib: no toolchain needed to use it) and
        // export only the calls of include/lexel.h (exports.map), so one `swift build -c release` makes both the CLI
        // and a shippable libLexelC.so.
        .target(name: "LexelCAPI", dependencies: ["LexelKit"], exclude: ["include", "exports.map"], swiftSettings: fast,
                linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker",
                                               "--version-script=\(Context.packageDirectory)/Sources/LexelCAPI/exports.map"],
                                              .when(configuration: .release))]),
        // The HTTP server over LexelKit (a front end): OpenAI's and TEI's embedding routes, /similar, /classify,
        // health, info and Prometheus metrics, with limits, an API key and batching across clients.
        .target(name: "LexelServer",
                dependencies: ["LexelKit", .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "Prometheus", package: "swift-prometheus"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: fast),
        // Pictures for the command line (cairo: PNG and SVG); knows no engine.
        .target(name: "LexelPlot", dependencies: ["CCairo", "LexelCore"], swiftSettings: fast),
        // The `lexel` command-line tool: argument parsing and rendering over LexelKit.
        .executableTarget(
            name: "lexel",
            dependencies: ["LexelKit", "LexelPlot", "LexelServer",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: fast),
        // Tests: one target per module, each beside the module it tests, sharing LexelTestSupport.
        .target(name: "LexelTestSupport", path: "Tests/LexelTestSupport"),
        .testTarget(name: "LexelCoreTests", dependencies: ["LexelCore", "LexelTestSupport"]),
        .testTarget(name: "LexelKernelsTests", dependencies: ["LexelKernels", "CKernels", "LexelCore"]),
        .testTarget(name: "LexelIOTests", dependencies: ["LexelIO", "LexelCore", "LexelTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "LexelTextTests", dependencies: ["LexelText", "LexelIO", "LexelCore", "LexelTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LexelTrainingTests",
                    dependencies: ["CKernels", "LexelTraining", "LexelText", "LexelKernels", "LexelIO", "LexelCore", "LexelTestSupport"]),
        .testTarget(name: "LexelVectorsTests",
                    dependencies: ["CKernels", "LexelVectors", "LexelTraining", "LexelText", "LexelKernels", "LexelIO", "LexelCore", "LexelTestSupport"]),
        .testTarget(name: "LexelStoreTests",
                    dependencies: ["CKernels", "LexelStore", "LexelVectors", "LexelText", "LexelKernels", "LexelContainer", "LexelCore",
                                   "LexelTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LexelLexicalTests",
                    dependencies: ["CKernels", "LexelLexical", "LexelContainer", "LexelText", "LexelKernels", "LexelIO", "LexelCore",
                                   "LexelTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LexelClassifierTests",
                    dependencies: ["LexelClassifier", "LexelText", "LexelKernels", "CKernels", "LexelIO", "LexelCore", "LexelTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LexelClusterTests", dependencies: ["LexelCluster", "LexelKernels", "LexelCore"]),
        .testTarget(name: "LexelKitTests", dependencies: ["LexelKit", "LexelTestSupport"]),
        .testTarget(name: "LexelCLITests", dependencies: ["lexel", "LexelTestSupport"]),
        .testTarget(name: "LexelServerTests",
                    dependencies: ["LexelServer", "LexelTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird")]),
    ]
)
