// swift-tools-version:6.0
import PackageDescription

// Targets are split along dependency boundaries only (see docs/architecture.md):
// the core has no libpq, no HTTP and no argument parsing; only ChainETLPostgres imports libpq;
// only ChainETLExplorers does HTTP; only the executables import ArgumentParser.
let package = Package(
    name: "chainetl",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "chainetl", targets: ["chainetl"]),
        .executable(name: "chainetl-bench", targets: ["chainetl-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .target(
            name: "ChainETLCore",
            dependencies: [
                "CZlib",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ChainETLPostgres",
            dependencies: [
                "CLibPQ",
                "ChainETLCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ChainETLExplorers",
            dependencies: [
                "ChainETLCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ChainETLSimulator",
            dependencies: [
                "ChainETLCore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "ChainETLStages",
            dependencies: [
                "ChainETLCore",
                "ChainETLPostgres",
                "ChainETLExplorers",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "ChainETLRunner",
            dependencies: [
                "ChainETLCore",
                "ChainETLPostgres",
                "ChainETLExplorers",
                "ChainETLStages",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Stage kinds and helpers for tests only (`test/emit`, `test/fail`, `test/copy`, `test/sleep`):
        // the binary registers the kinds only when CHAINETL_TEST_STAGES=1 (docs/architecture.md).
        .target(
            name: "ChainETLTestSupport",
            dependencies: [
                "ChainETLCore",
                "ChainETLExplorers",
                "ChainETLStages",
            ]
        ),
        .executableTarget(
            name: "chainetl",
            dependencies: [
                "ChainETLCore",
                "ChainETLPostgres",
                "ChainETLStages",
                "ChainETLRunner",
                "ChainETLSimulator",
                "ChainETLTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "chainetl-bench",
            dependencies: [
                "ChainETLCore",
                "ChainETLExplorers",
                "ChainETLPostgres",
                "ChainETLRunner",
                "ChainETLStages",
                "ChainETLSimulator",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ChainETLCoreTests", dependencies: ["ChainETLCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ChainETLPostgresTests", dependencies: ["ChainETLPostgres"]),
        .testTarget(
            name: "ChainETLExplorersTests", dependencies: ["ChainETLExplorers", "ChainETLSimulator", "ChainETLTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "ChainETLSimulatorTests", dependencies: ["ChainETLSimulator"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ChainETLStagesTests", dependencies: ["ChainETLStages", "ChainETLSimulator", "ChainETLTestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ChainETLRunnerTests", dependencies: ["ChainETLRunner", "ChainETLSimulator", "ChainETLTestSupport"]),
        .testTarget(
            name: "EndToEndTests", dependencies: ["ChainETLCore", "ChainETLPostgres", "ChainETLSimulator"],
            exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
