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
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
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
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "SnapcopyCoreTests", dependencies: ["SnapcopyCore"], exclude: ["Golden"]),
        .testTarget(name: "NeptuneAPITests", dependencies: ["NeptuneAPI", "TestSupport"]),
        .testTarget(name: "SnapcopyCLITests", dependencies: ["SnapcopyCore", "SnapcopyCLI", "NeptuneAPI", "TestSupport"], exclude: ["Fixtures"]),

        // Benchmarks: programs that print figures (never timed tests).
        .executableTarget(name: "PlanBenchmark", dependencies: ["SnapcopyCore"], path: "Benchmarks/PlanBenchmark"),
        .executableTarget(name: "DriftBenchmark", dependencies: ["SnapcopyCore"], path: "Benchmarks/DriftBenchmark"),
        .executableTarget(name: "ApplyBenchmark", dependencies: ["NeptuneAPI", "TestSupport"], path: "Benchmarks/ApplyBenchmark"),
        .executableTarget(name: "LivePlanBenchmark", dependencies: ["SnapcopyCore", "SnapcopyCLI", "NeptuneAPI", "TestSupport"], path: "Benchmarks/LivePlanBenchmark"),
    ]
)
