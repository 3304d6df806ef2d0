import Crypto
import FleetCore
import FleetTestSupport
import Foundation
import Logging
import Testing

@testable import NodeAgent

@Suite("prepare-upgrade and downloads", .tags(.processes), .timeLimit(.minutes(1)))
struct PrepareUpgradeTests {
    /// `QueryCurrentPlanResponse` bytes for a plan, with a `time` field to skip.
    static func planResponse(name: String, height: UInt64, info: String) -> [UInt8] {
        func varint(_ value: UInt64) -> [UInt8] {
            var value = value
            var out: [UInt8] = []
            repeat {
                var byte = UInt8(value & 0x7F)
                value >>= 7
                if value != 0 { byte |= 0x80 }
                out.append(byte)
            } while value != 0
            return out
        }
        func field(_ number: UInt64, _ bytes: [UInt8]) -> [UInt8] {
            varint(number << 3 | 2) + varint(UInt64(bytes.count)) + bytes
        }
        let time = field(2, varint(1 << 3) + varint(0))
        let plan = field(1, Array(name.utf8)) + time + varint(3 << 3) + varint(height) + field(4, Array(info.utf8))
        return field(1, plan)
    }

    static func answer(_ bytes: [UInt8]?) -> Data {
        let value = bytes.map { "\"\(Data($0).base64EncodedString())\"" } ?? "null"
        return Data(#"{"jsonrpc":"2.0","id":-1,"result":{"response":{"code":0,"log":"","value":\#(value)}}}"#.utf8)
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    @Test("abci_query answers decode to the plan, skipping the time field; no value means no plan")
    func decodeAnswers() throws {
        let bytes = Self.planResponse(name: "v2", height: 300, info: #"{"binaries":{}}"#)
        #expect(
            try ChainRPCClient.decodePlanAnswer(Self.answer(bytes))
                == UpgradePlan(name: "v2", height: 300, info: #"{"binaries":{}}"#)
        )
        #expect(try ChainRPCClient.decodePlanAnswer(Self.answer(nil)) == nil)
        #expect(try ChainRPCClient.decodePlanAnswer(Self.answer([])) == nil)
        let failed = #expect(throws: AgentError.self) {
            try ChainRPCClient.decodePlanAnswer(
                Data(#"{"result":{"response":{"code":6,"log":"unknown query path"}}}"#.utf8)
            )
        }
        #expect(failed?.message == "failed to query upgrade info: code 6: unknown query path")
        #expect(throws: AgentError.self) { try ChainRPCClient.decodePlanResponse(Data([0x0A, 0x05, 0x0A])) }
    }

    @Test("plan info: binaries by platform with the any fallback")
    func planInfo() throws {
        let binaries = try PlanBinaries.decode(#" {"binaries":{"linux/amd64":"a","any":"b"},"other":1} "#)
        #expect(try binaries.url(for: "linux/amd64") == "a")
        #expect(try binaries.url(for: "darwin/arm64") == "b")
        let missing = #expect(throws: AgentError.self) { try PlanBinaries(binaries: [:]).url(for: "linux/amd64") }
        #expect(missing?.message == "cannot find binary for os/arch: neither linux/amd64, nor any")
        #expect(
            (#expect(throws: AgentError.self) { try PlanBinaries.decode("  ") })?.message
                == "plan info must not be blank"
        )
        #expect(PlanBinaries.isReference("https://x/y.json?checksum=sha256:00"))
        #expect(PlanBinaries.isReference("/srv/plan.json"))
        #expect(!PlanBinaries.isReference(#"{"binaries":{}}"#))
        #expect(!PlanBinaries.isReference("free text"))
        #expect(["linux/amd64", "linux/arm64"].contains(PlanBinaries.currentPlatform))
    }

    @Test("checksums: typed or guessed from the length; a mismatch names both")
    func checksums() throws {
        let data = Data("abc".utf8)
        try Checksum("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad").verify(data)
        try Checksum("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad").verify(data)
        try Checksum("900150983cd24fb0d6963f7d28e17f72").verify(data)
        let error = #expect(throws: AgentError.self) {
            try Checksum("sha256:" + String(repeating: "0", count: 64)).verify(data)
        }
        #expect(error?.message.hasPrefix("Checksums did not match for sha256. Expected: 0000") == true)
        #expect(BinaryDownloader.url("/srv/bin/appd?checksum=sha256:00")?.path == "/srv/bin/appd")
        #expect(BinaryDownloader.url("https://h/b?checksum=sha256:00&x=1")?.absoluteString == "https://h/b?x=1")
        #expect(ArchiveKind("https://h/a.tar.gz?checksum=x") == .tarGzip)
        #expect(ArchiveKind("/a.zip") == .zip)
        #expect(ArchiveKind("/a.zip?archive=false") == nil)
        #expect(ArchiveKind("/appd") == nil)
    }

    /// A preparer and the plan it is given (as the node's `abci_query` would answer it).
    struct PlanCase {
        var preparer: UpgradePreparer
        var plan: UpgradePlan

        var downloader: BinaryDownloader {
            get { preparer.downloader }
            set { preparer.downloader = newValue }
        }

        func prepare(logger: Logger) async throws -> String? {
            try await preparer.prepare(plan, logger: logger)
        }
    }

    /// A home plus a preparer for `plan`; local sources allowed unless told otherwise.
    static func preparer(
        _ dir: String,
        plan: UpgradePlan,
        mustHaveChecksum: Bool = false,
        allowLocal: Bool = true,
        maxBytes: Int64 = AgentConfiguration.defaultMaxDownloadBytes
    ) throws -> PlanCase {
        try FileManager.default.createDirectory(atPath: dir + "/home/cosmovisor", withIntermediateDirectories: true)
        var configuration = AgentConfiguration(home: dir + "/home", name: "appd")
        configuration.downloadMustHaveChecksum = mustHaveChecksum
        configuration.allowLocalDownloads = allowLocal
        configuration.maxDownloadBytes = maxBytes
        return PlanCase(preparer: UpgradePreparer(configuration: configuration), plan: plan)
    }

    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

    @Test("a plain binary with a good checksum is installed executable under the recased name")
    func plainBinary() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/src/appd", "echo v2", mode: 0o644)
            let url = dir + "/src/appd?checksum=sha256:" + (try Self.sha256(dir + "/src/appd"))
            let info = #"{"binaries":{"\#(PlanBinaries.currentPlatform)":"\#(url)"}}"#
            let preparer = try Self.preparer(dir, plan: UpgradePlan(name: "V2", height: 10, info: info))
            let installed = try await preparer.prepare(logger: Self.logger)
            #expect(installed == dir + "/home/cosmovisor/upgrades/v2/bin/appd")
            #expect(
                FileManager.default.contents(atPath: dir + "/home/cosmovisor/upgrades/v2/bin/appd")
                    == FileManager.default.contents(atPath: dir + "/src/appd")
            )
            #expect(FileManager.default.isExecutableFile(atPath: dir + "/home/cosmovisor/upgrades/v2/bin/appd"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/home/cosmovisor/upgrades") == ["v2"])
        }
    }

    @Test("a bad checksum installs nothing and leaves nothing behind, so a retry is never blocked")
    func badChecksum() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/src/appd", "echo v2")
            let info =
                #"{"binaries":{"any":"file://\#(dir)/src/appd?checksum=sha256:\#(String(repeating: "1", count: 64))"}}"#
            let preparer = try Self.preparer(dir, plan: UpgradePlan(name: "v2", height: 10, info: info))
            await #expect(throws: AgentError.self) { _ = try await preparer.prepare(logger: Self.logger) }
            let upgrades =
                (try? FileManager.default.contentsOfDirectory(atPath: dir + "/home/cosmovisor/upgrades")) ?? []
            #expect(upgrades.isEmpty)
            let good = #"{"binaries":{"any":"file://\#(dir)/src/appd"}}"#
            let retry = try Self.preparer(dir, plan: UpgradePlan(name: "v2", height: 10, info: good))
            #expect(try await retry.prepare(logger: Self.logger) != nil)
        }
    }

    @Test("a tar.gz with bin/<daemon> behind a plan-info reference")
    func archiveBehindReference() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/tree/bin/appd", "echo v3")
            try AgentCLI.script(dir + "/tree/lib/libwasmvm.so", "binary")
            let packed = try ProcessRunner.run([
                "/bin/tar", "-czf", dir + "/appd.tar.gz", "-C", dir + "/tree", "bin", "lib",
            ])
            try #require(packed.exitCode == 0)
            let document =
                #"{"binaries":{"any":"\#(dir)/appd.tar.gz?checksum=\#(try Self.sha256(dir + "/appd.tar.gz"))"}}"#
            try Data(document.utf8).write(to: URL(fileURLWithPath: dir + "/plan.json"))
            let reference = dir + "/plan.json?checksum=sha256:" + (try Self.sha256(dir + "/plan.json"))
            let preparer = try Self.preparer(
                dir,
                plan: UpgradePlan(name: "v3", height: 20, info: reference),
                mustHaveChecksum: true
            )
            let installed = try #require(try await preparer.prepare(logger: Self.logger))
            #expect(try String(contentsOfFile: installed, encoding: .utf8).contains("echo v3"))
            #expect(FileManager.default.fileExists(atPath: dir + "/home/cosmovisor/upgrades/v3/lib/libwasmvm.so"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/home/cosmovisor/upgrades") == ["v3"])
        }
    }

    @Test("a zip with the daemon at its root gets it moved into bin/; an existing upgrade dir only gets the binary")
    func zipWithDaemonAtRoot() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/tree/appd", "echo v5", mode: 0o644)
            let packed = try ProcessRunner.run(
                ["/usr/bin/zip", "-q", "-r", dir + "/x.zip", "appd"],
                directory: dir + "/tree"
            )
            try #require(packed.exitCode == 0)
            try FileManager.default.createDirectory(
                atPath: dir + "/home/cosmovisor/upgrades/v5/keep",
                withIntermediateDirectories: true
            )
            let preparer = try Self.preparer(
                dir,
                plan: UpgradePlan(name: "v5", height: 20, info: #"{"binaries":{"any":"\#(dir)/x.zip"}}"#)
            )
            let installed = try #require(try await preparer.prepare(logger: Self.logger))
            #expect(installed == dir + "/home/cosmovisor/upgrades/v5/bin/appd")
            #expect(FileManager.default.isExecutableFile(atPath: installed))
            #expect(FileManager.default.fileExists(atPath: dir + "/home/cosmovisor/upgrades/v5/keep"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/home/cosmovisor/upgrades") == ["v5"])
        }
    }

    @Test("a zip without the daemon is refused")
    func zipWithoutDaemon() async throws {
        try await withTemporaryDirectory { dir in
            try AgentCLI.script(dir + "/tree/other", "echo no")
            let packed = try ProcessRunner.run(
                ["/usr/bin/zip", "-q", "-r", dir + "/x.zip", "other"],
                directory: dir + "/tree"
            )
            try #require(packed.exitCode == 0)
            let preparer = try Self.preparer(
                dir,
                plan: UpgradePlan(name: "v4", height: 20, info: #"{"binaries":{"any":"\#(dir)/x.zip"}}"#)
            )
            let error = await #expect(throws: AgentError.self) {
                _ = try await preparer.prepare(logger: Self.logger)
            }
            #expect(error?.message.contains("result does not contain a bin/appd or appd file") == true)
        }
    }

    @Test("errors: unparsable info; checksum required on the info URL")
    func errors() async throws {
        try await withTemporaryDirectory { dir in
            let text = try Self.preparer(dir, plan: UpgradePlan(name: "v2", height: 1, info: "not json"))
            let parse = await #expect(throws: AgentError.self) { _ = try await text.prepare(logger: Self.logger) }
            #expect(parse?.message.hasPrefix("failed to parse upgrade info: could not parse plan info") == true)
            let unsigned = try Self.preparer(
                dir,
                plan: UpgradePlan(name: "v2", height: 1, info: "/x.json"),
                mustHaveChecksum: true
            )
            let checksum = await #expect(throws: AgentError.self) {
                _ = try await unsigned.prepare(logger: Self.logger)
            }
            #expect(
                checksum?.message
                    == "failed to parse upgrade info: missing checksum query parameter in url \"/x.json\" "
                    + "(DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM is true)"
            )
            let platform = try Self.preparer(
                dir,
                plan: UpgradePlan(name: "v2", height: 1, info: #"{"binaries":{"plan9/mips":"x"}}"#)
            )
            let missing = await #expect(throws: AgentError.self) {
                _ = try await platform.prepare(logger: Self.logger)
            }
            #expect(
                missing?.message.hasPrefix(
                    "binary URL not found in upgrade plan. Cannot prepare for upgrade: cannot find binary"
                ) == true
            )
        }
    }

    @Test("the command reports an unreachable RPC as a query failure, exit 1")
    func commandWithoutNode() async throws {
        try await withTemporaryDirectory { dir in
            try FileManager.default.createDirectory(atPath: dir + "/home/cosmovisor", withIntermediateDirectories: true)
            let port = try StatusCommandTests.Node.freePort()
            let environment = [
                "DAEMON_HOME": dir + "/home", "DAEMON_NAME": "appd", "UNSAFE_SKIP_BACKUP": "true",
                "NODE_AGENT_RPC": "http://127.0.0.1:\(port)", "COSMOVISOR_COLOR_LOGS": "false",
                "COSMOVISOR_TIMEFORMAT_LOGS": "",
            ]
            let result = try await AgentCLI.run(["prepare-upgrade"], environment: environment)
            #expect(result.exitCode == 1)
            #expect(result.output == "INF Using RPC address address=http://127.0.0.1:\(port) module=cosmovisor\n")
            #expect(result.errorOutput.hasPrefix("Error: failed to query upgrade info: "))
        }
    }
}
