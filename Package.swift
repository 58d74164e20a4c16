// swift-tools-version: 6.1
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
let fast: [SwiftSetting] = [
    .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"] + marchFlags, .when(configuration: .release))
]

let package = Package(
    name: "Lexel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lexel", targets: ["lexel"]),
        .library(name: "LexelVectors", targets: ["LexelVectors"]),
        .library(name: "LexelTraining", targets: ["LexelTraining"]),
        .library(name: "LexelStore", targets: ["LexelStore"]),
        .library(name: "LexelLexical", targets: ["LexelLexical"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // The CPU instructions Swift cannot spell (software prefetch), as static inline C.
        .target(name: "CKernels"),
        // SIMD kernels, aligned matrices, random numbers: the one home of hot arithmetic.
        .target(name: "LexelKernels", dependencies: ["CKernels"], swiftSettings: fast),
        // Streaming corpus reading (plain or zstd), tokenisation, hashing, vocabulary, sampling tables.
        .target(name: "LexelText", dependencies: ["CZstd", "LexelKernels"], swiftSettings: fast),
        // word2vec / fastText training: skip-gram, CBOW, negative sampling, hierarchical softmax, hogwild threads.
        .target(name: "LexelTraining", dependencies: ["LexelText", "LexelKernels"], swiftSettings: fast),
        // Trained vectors: model and .vec files, lookups (subword OOV), neighbours, analogies, evaluation.
        .target(name: "LexelVectors", dependencies: ["LexelText", "LexelKernels"], swiftSettings: fast),
        // The `.lxv` vector file: compressed keys, hash index, quantised memory-mapped rows (docs/format.md).
        .target(name: "LexelStore", dependencies: ["CZstd", "LexelText", "LexelKernels", "LexelVectors"],
                swiftSettings: fast),
        // Lexical-dense document embeddings: BERT WordPiece tokenizer, n-gram TF-IDF features, ReLU MLP.
        .target(name: "LexelLexical", dependencies: ["LexelText", "LexelKernels", "LexelStore"], swiftSettings: fast),
        // The `lexel` command-line tool.
        .executableTarget(
            name: "lexel",
            dependencies: [
                "LexelTraining", "LexelVectors", "LexelText", "LexelStore", "LexelLexical",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: fast),
        .testTarget(name: "LexelKernelsTests", dependencies: ["LexelKernels"]),
        .testTarget(name: "LexelTextTests", dependencies: ["LexelText"], exclude: ["Fixtures"]),
        .testTarget(name: "LexelTrainingTests", dependencies: ["LexelTraining", "LexelText", "LexelKernels"]),
        .testTarget(name: "LexelVectorsTests", dependencies: ["LexelVectors", "LexelTraining", "LexelText"]),
        .testTarget(name: "LexelStoreTests", dependencies: ["LexelStore", "LexelVectors", "LexelText", "LexelKernels"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LexelLexicalTests", dependencies: ["LexelLexical", "LexelStore", "LexelText", "LexelKernels"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "LexelCLITests", dependencies: ["lexel"]),
    ]
)
