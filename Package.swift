// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "fleet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fleet", targets: ["FleetCLI"]),
        .executable(name: "node-agent", targets: ["NodeAgent"]),
        .library(name: "FleetCore", targets: ["FleetCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSSH2",
            pkgConfig: "libssh2",
            providers: [.apt(["libssh2-1-dev"])]
        ),
        .target(
            name: "FleetCore",
            dependencies: [
                "CSSH2",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            // LibSSH2Keystream stands in for these libcrypto functions for libssh2: export them so the
            // shared libssh2 of debug builds binds to them (the static one of release builds does anyway).
            linkerSettings: [
                .unsafeFlags(
                    ["EVP_Cipher", "EVP_CipherInit", "EVP_CIPHER_CTX_free", "EVP_CIPHER_CTX_reset"].flatMap {
                        ["-Xlinker", "--export-dynamic-symbol=\($0)"]
                    })
            ]
        ),
        .executableTarget(
            name: "FleetCLI",
            dependencies: [
                "FleetCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "NodeAgent",
            dependencies: [
                "FleetCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "FleetTestSupport",
            dependencies: ["FleetCore"],
            path: "Tests/FleetTestSupport"
        ),
        .testTarget(
            name: "FleetCoreTests",
            dependencies: [
                "FleetCore",
                "FleetTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            // Inventories and their ansible-inventory listings, read through #filePath.
            exclude: ["Inventory/Fixtures"]
        ),
        .testTarget(
            name: "NodeAgentTests",
            dependencies: ["NodeAgent", "FleetCore", "FleetTestSupport"]
        ),
        .testTarget(
            name: "FleetCLITests",
            dependencies: [
                "FleetCLI", "FleetCore", "FleetTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "SandboxTests",
            dependencies: ["FleetCore", "FleetTestSupport"]
        ),
    ]
)

// Strict settings for every Swift target (house-style rule 1).
for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.swiftLanguageMode(.v6))
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.enableUpcomingFeature("NonisolatedNonsendingByDefault"))
    target.swiftSettings = settings
}
