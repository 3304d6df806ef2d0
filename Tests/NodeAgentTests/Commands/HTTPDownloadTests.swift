import FleetCore
import FleetTestSupport
import Foundation
import Logging
import Testing

@testable import NodeAgent

/// `prepare-upgrade` over real HTTP: a `python3 -m http.server` on loopback, the system `curl`, real files.
///
/// Serialized: each test starts a Python server, and a 2-core machine is better off with one at a time.
@Suite("http downloads through curl", .tags(.processes), .serialized, .timeLimit(.minutes(1)))
struct HTTPDownloadTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    /// 3 MiB and a bit of varied bytes, so hashing and copying cross several 1 MiB chunks.
    static let binary = makeBinary()

    private static func makeBinary() -> Data {
        var state: UInt32 = 2_463_534_242
        var bytes = [UInt8](repeating: 0, count: 3 << 20 + 12_345)
        for index in bytes.indices {
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        return Data(bytes)
    }

    static func write(_ data: Data, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Everything under `upgrades/` (hidden staging directories included); empty when it does not exist.
    static func upgradesEntries(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/home/cosmovisor/upgrades")) ?? []).sorted()
    }

    static func planInfo(_ url: String) -> String { #"{"binaries":{"any":"\#(url)"}}"# }

    @Test("a plain binary over http with a matching sha256 is installed byte for byte with mode 0755")
    func plainBinary() async throws {
        try await withTemporaryDirectory { dir in
            let bytes = Self.binary
            try Self.write(bytes, to: dir + "/www/appd")
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let url = server.baseURL + "/appd?checksum=sha256:" + FileDigest.hex(.sha256, of: bytes)
                let preparer = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "V2", height: 10, info: Self.planInfo(url))
                )
                let installed = try await preparer.prepare(logger: Self.logger)
                #expect(installed == dir + "/home/cosmovisor/upgrades/v2/bin/appd")
                #expect(FileManager.default.contents(atPath: dir + "/home/cosmovisor/upgrades/v2/bin/appd") == bytes)
                #expect(try AgentCLI.mode(dir + "/home/cosmovisor/upgrades/v2/bin/appd") == 0o755)
                #expect(Self.upgradesEntries(dir) == ["v2"])
            }
        }
    }

    @Test("a 404 names the URL and curl's message, and leaves nothing under upgrades/")
    func notFound() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let url = server.baseURL + "/missing/appd"
                let preparer = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v2", height: 10, info: Self.planInfo(url))
                )
                let error = await #expect(throws: AgentError.self) {
                    _ = try await preparer.prepare(logger: Self.logger)
                }
                let message = try #require(error?.message)
                #expect(
                    message.hasPrefix(
                        "failed to download and verify binary: could not download url \"\(url)\": "
                            + "curl exited with status 22: curl: (22) The requested URL returned error: 404"
                    ),
                    "\(message)"
                )
                #expect(Self.upgradesEntries(dir).isEmpty)
            }
        }
    }

    @Test("a checksum mismatch over http names both digests and leaves nothing under upgrades/")
    func checksumMismatch() async throws {
        try await withTemporaryDirectory { dir in
            let bytes = Self.binary
            try Self.write(bytes, to: dir + "/www/appd")
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let wrong = String(repeating: "1", count: 64)
                let info = Self.planInfo(server.baseURL + "/appd?checksum=" + wrong)
                let preparer = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v2", height: 10, info: info)
                )
                let error = await #expect(throws: AgentError.self) {
                    _ = try await preparer.prepare(logger: Self.logger)
                }
                #expect(
                    error?.message
                        == "failed to download and verify binary: Checksums did not match for sha256. Expected: "
                        + wrong + " Got: " + FileDigest.hex(.sha256, of: bytes)
                )
                #expect(Self.upgradesEntries(dir).isEmpty)
            }
        }
    }

    @Test("a tar.gz over http, behind a plan-info document also fetched over http, installs the whole tree")
    func tarGzipArchive() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/tree/bin/appd", "echo v3")
            try Self.write(Self.binary, to: dir + "/tree/lib/libwasmvm.so")
            try FileManager.default.createDirectory(atPath: dir + "/www", withIntermediateDirectories: true)
            let packed = try await ProcessRunner.runAsync([
                "/bin/tar", "-czf", dir + "/www/appd.tar.gz", "-C", dir + "/tree", "bin", "lib",
            ])
            try #require(packed.exitCode == 0, "\(packed.errorOutput)")
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let archiveDigest = try FileDigest.hex(.sha512, ofFile: dir + "/www/appd.tar.gz")
                let document = Self.planInfo(server.baseURL + "/appd.tar.gz?checksum=sha512:" + archiveDigest)
                try Self.write(Data(document.utf8), to: dir + "/www/plan.json")
                let reference = server.baseURL + "/plan.json?checksum=" + FileDigest.hex(.md5, of: Data(document.utf8))
                let preparer = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v3", height: 20, info: reference),
                    mustHaveChecksum: true
                )
                let installed = try #require(try await preparer.prepare(logger: Self.logger))
                #expect(installed == dir + "/home/cosmovisor/upgrades/v3/bin/appd")
                #expect(try String(contentsOfFile: installed, encoding: .utf8) == "#!/bin/sh\necho v3\n")
                #expect(
                    FileManager.default.contents(atPath: dir + "/home/cosmovisor/upgrades/v3/lib/libwasmvm.so")
                        == Self.binary
                )
                #expect(Self.upgradesEntries(dir) == ["v3"])
            }
        }
    }

    @Test("a plan-info document over 1 MiB is refused before it is parsed, and nothing is left behind")
    func oversizedPlanInfo() async throws {
        try await withTemporaryDirectory { dir in
            let document = Data(repeating: UInt8(ascii: " "), count: BinaryDownloader.maxTextBytes + 1)
            try Self.write(document, to: dir + "/www/plan.json")
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let reference = server.baseURL + "/plan.json"
                let preparer = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v2", height: 10, info: reference)
                )
                let error = await #expect(throws: AgentError.self) {
                    _ = try await preparer.prepare(logger: Self.logger)
                }
                #expect(
                    error?.message
                        == "failed to parse upgrade info: could not download url \"\(reference)\": "
                        + "more than 1048576 bytes"
                )
                #expect(Self.upgradesEntries(dir).isEmpty)
            }
        }
    }

    @Test("without curl an http download fails with what to install, and leaves nothing under upgrades/")
    func curlMissing() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/empty-bin", withIntermediateDirectories: true)
            let url = "http://127.0.0.1:1/appd"
            var preparer = try PrepareUpgradeTests.preparer(
                dir,
                plan: UpgradePlan(name: "v2", height: 10, info: Self.planInfo(url))
            )
            preparer.downloader.curl = CurlCommand(searchPath: [dir + "/empty-bin"])
            #expect(preparer.downloader.curl.executable() == nil)
            #expect(CurlCommand().executable() != nil)
            let error = await #expect(throws: AgentError.self) {
                _ = try await preparer.prepare(logger: Self.logger)
            }
            #expect(
                error?.message
                    == "failed to download and verify binary: could not download url \"\(url)\": "
                    + "curl not found (install curl)"
            )
            #expect(Self.upgradesEntries(dir).isEmpty)
        }
    }
}
