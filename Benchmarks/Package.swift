// swift-tools-version: 6.1
// Micro-benchmarks of Lexel's kernels (ordo-one/benchmark). Run: cd Benchmarks && swift package benchmark
// Kept out of the root package so that `make test` does not build the benchmark framework.
import PackageDescription

let package = Package(
    name: "LexelBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named explicitly: a path dependency is otherwise named after its folder, which differs between clones.
        .package(name: "Lexel", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LexelKit", package: "Lexel"),
            ],
            path: "Benchmarks/KernelBenchmarks",
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-Xcc", "-march=x86-64-v3"])],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        // Store benchmark driver for tools/bench_store.py (one JSON line per subcommand). Depends only on the
        // Lexel products, so `swift build --product StoreBench` skips the benchmark framework:
        //   swift build -c release --package-path Benchmarks --scratch-path .build-storebench --product StoreBench
        .executableTarget(
            name: "StoreBench",
            dependencies: [
                .product(name: "LexelKit", package: "Lexel"),
            ],
            path: "Benchmarks/StoreBench",
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-Xcc", "-march=x86-64-v3"])]),
        // Dense-layer throughput of the lexical embedder (f32 vs int8 layers):
        //   swift build -c release --package-path Benchmarks --scratch-path .build-lexbench --product LexicalBench
        .executableTarget(
            name: "LexicalBench",
            dependencies: [.product(name: "LexelKit", package: "Lexel")],
            path: "Benchmarks/LexicalBench",
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-Xcc", "-march=x86-64-v3"])]),
        // k-means kernel check and driver (tools/bench_kmeans.py):
        //   swift build -c release --package-path Benchmarks --scratch-path .build-kmeansbench --product KMeansBench
        .executableTarget(
            name: "KMeansBench",
            dependencies: [.product(name: "LexelKit", package: "Lexel")],
            path: "Benchmarks/KMeansBench",
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-Xcc", "-march=x86-64-v3"])]),
    ]
)
