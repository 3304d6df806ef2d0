// swift-tools-version: 6.2
// A tiny driver for bench/push-one: one FleetCore upload per process, like one `scp` per process.
// It depends on the repository's root package by path, so it never needs a product in Package.swift.
import Foundation
import PackageDescription

// A path dependency's identity is its folder name (lowercased): `fleet`, `main`, `wt-ssh`, …
let root = URL(fileURLWithPath: Context.packageDirectory).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "push-one-driver",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../..")],
    targets: [
        .executableTarget(
            name: "push-one-driver",
            dependencies: [.product(name: "FleetCore", package: rootIdentity)],
            path: "Sources",
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
