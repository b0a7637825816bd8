// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "snapcopy",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "snapcopy", targets: ["snapcopy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The HTTP transport (issue 9). swift-nio and swift-nio-ssl come with it; they are named
        // here only so NeptuneAPI can use their types (timeouts, TLS settings) directly.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.30.0"),
    ],
    targets: [
        // Pure: manifests, validation, model, planner, plan, lock file, applier, renderers.
        .target(
            name: "SnapcopyCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The AWS edge: SigV4, credentials, Query encoding, XML decoding, retry, transport.
        .target(
            name: "NeptuneAPI",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Commands, exit codes and wiring: the only code that touches the environment.
        .target(
            name: "SnapcopyCLI",
            dependencies: [
                "SnapcopyCore", "NeptuneAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "snapcopy", dependencies: ["SnapcopyCLI"]),

        // Shared test helpers: a moto server started per test run, temporary directories.
        .target(name: "TestSupport", dependencies: ["NeptuneAPI"], path: "Tests/TestSupport"),
        .testTarget(name: "SnapcopyCoreTests", dependencies: ["SnapcopyCore"], exclude: ["Golden"]),
        .testTarget(name: "NeptuneAPITests", dependencies: ["NeptuneAPI", "TestSupport"]),
        .testTarget(name: "SnapcopyCLITests", dependencies: ["SnapcopyCore", "SnapcopyCLI", "NeptuneAPI", "TestSupport"], exclude: ["Fixtures"]),

        // Benchmarks: programs that print figures (never timed tests).
        .executableTarget(name: "PlanBenchmark", dependencies: ["SnapcopyCore"], path: "Benchmarks/PlanBenchmark"),
        .executableTarget(name: "DriftBenchmark", dependencies: ["SnapcopyCore"], path: "Benchmarks/DriftBenchmark"),
        .executableTarget(name: "RulesBenchmark", dependencies: ["SnapcopyCore"], path: "Benchmarks/RulesBenchmark"),
        .executableTarget(name: "ApplyBenchmark", dependencies: ["NeptuneAPI", "TestSupport"], path: "Benchmarks/ApplyBenchmark"),
        .executableTarget(name: "CPUBenchmark", dependencies: ["TestSupport"], path: "Benchmarks/CPUBenchmark"),
        // A Neptune API over loopback for the benchmark suite (Benchmarks/run): in memory, concurrent, fixed latency, SigV4 checked.
        .executableTarget(
            name: "BenchServer",
            dependencies: [
                "NeptuneAPI",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Benchmarks/BenchServer"
        ),
        .executableTarget(name: "LivePlanBenchmark", dependencies: ["SnapcopyCore", "SnapcopyCLI", "NeptuneAPI", "TestSupport"], path: "Benchmarks/LivePlanBenchmark"),
    ]
)
