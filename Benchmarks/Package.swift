// swift-tools-version: 6.1
// Micro-benchmarks of Lexel's kernels (ordo-one/benchmark). Run: cd Benchmarks && swift package benchmark
// Kept out of the root package so that `make test` does not build the benchmark framework.
import PackageDescription

let package = Package(
    name: "LexelBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "KernelBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LexelTraining", package: "main"),
            ],
            path: "Benchmarks/KernelBenchmarks",
            swiftSettings: [.unsafeFlags(["-Ounchecked", "-Xcc", "-march=x86-64-v3"])],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
