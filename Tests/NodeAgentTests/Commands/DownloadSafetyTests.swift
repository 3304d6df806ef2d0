import FleetCore
import FleetTestSupport
import Foundation
import Logging
import Testing

@testable import NodeAgent

/// What a plan may make `prepare-upgrade` fetch and unpack: checksums on every binary URL, no local files
/// unless the operator allows them, archives checked before extraction, no owners or setuid bits, size caps.
@Suite("download safety", .tags(.processes), .serialized, .timeLimit(.minutes(1)))
struct DownloadSafetyTests {
    static let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    typealias Member = ArchiveFixture.Member

    static func upgradesEntries(_ dir: String) -> [String] {
        HTTPDownloadTests.upgradesEntries(dir)
    }

    static func configuration(_ environment: [String: String]) throws -> AgentConfiguration {
        try AgentConfiguration.fromEnvironment(environment, validation: .minimal)
    }

    static func message(_ body: () async throws -> String?) async -> String {
        do {
            _ = try await body()
            return "no error"
        } catch let error as AgentError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("with DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM every binary URL needs a checksum, not only the info document")
    func checksumOnEveryBinary() async throws {
        try await withTemporaryDirectory { dir in
            let bytes = Data("#!/bin/sh\necho v2\n".utf8)
            try HTTPDownloadTests.write(bytes, to: dir + "/www/appd")
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let unsigned = server.baseURL + "/appd"
                let inline = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v2", height: 10, info: HTTPDownloadTests.planInfo(unsigned)),
                    mustHaveChecksum: true
                )
                #expect(
                    await Self.message { try await inline.prepare(logger: Self.logger) }
                        == "failed to parse upgrade info: binaries[\"any\"]: missing checksum query parameter "
                        + "in url \"\(unsigned)\""
                )
                // Our platform's entry is signed, another one is not: the plan is refused as a whole.
                let signed = unsigned + "?checksum=sha256:" + FileDigest.hex(.sha256, of: bytes)
                let info =
                    #"{"binaries":{"\#(PlanBinaries.currentPlatform)":"\#(signed)","plan9/mips":"\#(unsigned)"}}"#
                let mixed = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v2", height: 10, info: info),
                    mustHaveChecksum: true
                )
                #expect(
                    await Self.message { try await mixed.prepare(logger: Self.logger) }
                        == "failed to parse upgrade info: binaries[\"plan9/mips\"]: missing checksum query "
                        + "parameter in url \"\(unsigned)\""
                )
                #expect(Self.upgradesEntries(dir).isEmpty)
                // The info document's binaries are held to the same rule.
                let document = HTTPDownloadTests.planInfo(unsigned)
                try HTTPDownloadTests.write(Data(document.utf8), to: dir + "/www/plan.json")
                let digest = FileDigest.hex(.sha256, of: Data(document.utf8))
                let reference = server.baseURL + "/plan.json?checksum=" + digest
                let behind = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v2", height: 10, info: reference),
                    mustHaveChecksum: true
                )
                #expect(
                    await Self.message { try await behind.prepare(logger: Self.logger) }
                        == "failed to parse upgrade info: binaries[\"any\"]: missing checksum query parameter "
                        + "in url \"\(unsigned)\""
                )
                #expect(Self.upgradesEntries(dir).isEmpty)
            }
        }
    }

    @Test("a plan naming a local file (path or file://) is refused unless NODE_AGENT_ALLOW_LOCAL_DOWNLOADS is true")
    func localSourcesRefused() async throws {
        try await withTemporaryDirectory { dir in
            let key = dir + "/home/config/priv_validator_key.json"
            try HTTPDownloadTests.write(Data(#"{"priv_key":"secret"}"#.utf8), to: key)
            for reference in [key, "file://" + key] {
                let plan = UpgradePlan(name: "v2", height: 10, info: HTTPDownloadTests.planInfo(reference))
                let refused = try PrepareUpgradeTests.preparer(dir, plan: plan, allowLocal: false)
                #expect(
                    await Self.message { try await refused.prepare(logger: Self.logger) }
                        == "failed to download and verify binary: could not download url \"\(reference)\": local "
                        + "paths and file:// URLs from a plan are refused (set NODE_AGENT_ALLOW_LOCAL_DOWNLOADS=true "
                        + "to allow them)"
                )
                #expect(Self.upgradesEntries(dir).isEmpty)
            }
            // A local info document is refused the same way.
            let document = UpgradePlan(name: "v2", height: 10, info: dir + "/plan.json")
            let refused = try PrepareUpgradeTests.preparer(dir, plan: document, allowLocal: false)
            #expect(
                await Self.message { try await refused.prepare(logger: Self.logger) }.hasPrefix(
                    "failed to parse upgrade info: could not download url \"\(dir)/plan.json\": local paths"
                )
            )
            // The operator's opt-in, read from the environment.
            var environment = ["DAEMON_HOME": dir + "/home", "DAEMON_NAME": "appd"]
            #expect(try Self.configuration(environment).allowLocalDownloads == false)
            environment["NODE_AGENT_ALLOW_LOCAL_DOWNLOADS"] = "true"
            let allowed = try Self.configuration(environment)
            #expect(allowed.allowLocalDownloads)
            try AgentCLI.script(dir + "/src/appd", "echo v2")
            let plan = UpgradePlan(name: "v2", height: 10, info: HTTPDownloadTests.planInfo(dir + "/src/appd"))
            var opted = try PrepareUpgradeTests.preparer(dir, plan: plan)
            opted.preparer = UpgradePreparer(configuration: allowed)
            #expect(try await opted.prepare(logger: Self.logger) == dir + "/home/cosmovisor/upgrades/v2/bin/appd")
        }
    }

    /// Archives each holding one member a plan must not be able to unpack, with what the refusal says.
    static let hostileArchives: [(ArchiveFixture.Format, Member, String)] = [
        (.tgz, Member(name: "bin/appd", kind: .symlink, link: "/etc/passwd"), "\"bin/appd\" is a symbolic link"),
        (.tar, Member(name: "bin/evil", kind: .hardlink, link: "bin/appd"), "\"bin/evil\" is a hard link"),
        (.tar, .file("../escaped", "x"), "\"../escaped\" contains \"..\""),
        (.tgz, .file("bin/../../escaped", "x"), "\"bin/../../escaped\" contains \"..\""),
        (.tar, .file("/tmp/absolute", "x"), "\"/tmp/absolute\" is an absolute path"),
        (.zip, Member(name: "bin/link", kind: .symlink, link: "/root/.ssh"), "\"bin/link\" is a symbolic link"),
        (.zip, .file("../escaped", "x"), "\"../escaped\" contains \"..\""),
    ]

    @Test("archive members that are links, absolute or contain .. are refused before anything is extracted")
    func hostileMembersRefused() async throws {
        for (index, (format, member, problem)) in Self.hostileArchives.enumerated() {
            try await withTemporaryDirectory { dir in
                let archive = dir + "/src/appd-\(index)." + (format == .tgz ? "tar.gz" : format.rawValue)
                try await ArchiveFixture.write(
                    [.file("bin/appd", "#!/bin/sh\necho v2\n", mode: 0o755), member],
                    format: format,
                    to: archive
                )
                let preparer = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v2", height: 10, info: HTTPDownloadTests.planInfo(archive))
                )
                #expect(
                    await Self.message { try await preparer.prepare(logger: Self.logger) }
                        == "failed to download and verify binary: archive \"\(archive)\": entry \(problem); "
                        + "refused before extraction"
                )
                #expect(Self.upgradesEntries(dir).isEmpty)
                #expect(!FileManager.default.fileExists(atPath: dir + "/home/cosmovisor/escaped"))
            }
        }
    }

    @Test("an archive's owners and setuid, setgid and sticky bits are not restored; modes become 0755 or 0644")
    func noOwnersOrSetuid() async throws {
        for format in [ArchiveFixture.Format.tgz, .zip] {
            try await withTemporaryDirectory { dir in
                let archive = dir + "/src/appd." + (format == .tgz ? "tar.gz" : "zip")
                try await ArchiveFixture.write(
                    [
                        Member(name: "bin", kind: .directory, mode: 0o1777, uid: 4321),
                        Member(name: "bin/appd", text: "#!/bin/sh\necho v2\n", mode: 0o4755, uid: 4321),
                        Member(name: "lib/libwasmvm.so", text: "lib", mode: 0o6666, uid: 4321),
                    ],
                    format: format,
                    to: archive
                )
                let preparer = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v2", height: 10, info: HTTPDownloadTests.planInfo(archive))
                )
                let installed = try #require(try await preparer.prepare(logger: Self.logger))
                let upgrade = dir + "/home/cosmovisor/upgrades/v2"
                #expect(installed == upgrade + "/bin/appd")
                for (path, mode) in [("/bin/appd", 0o755), ("/lib/libwasmvm.so", 0o644), ("/bin", 0o755)] {
                    var info = stat()
                    try #require(lstat(upgrade + path, &info) == 0)
                    #expect(Int(info.st_mode & 0o7777) == mode, "\(format) \(path)")
                    #expect(info.st_uid == getuid(), "\(format) \(path)")
                }
            }
        }
    }

    @Test("downloads and extracted archives are capped at NODE_AGENT_MAX_DOWNLOAD_BYTES, naming the URL")
    func sizeCaps() async throws {
        try await withTemporaryDirectory { dir in
            try HTTPDownloadTests.write(HTTPDownloadTests.binary, to: dir + "/www/appd")
            // 8 MiB of zeros compress to a few KiB: the archive is small, what it unpacks to is not.
            try await ArchiveFixture.write(
                [.file("bin/appd", "#!/bin/sh\n", mode: 0o755), Member(name: "lib/zeros", zeros: 8 << 20)],
                format: .tgz,
                to: dir + "/www/bomb.tar.gz"
            )
            try await StaticHTTPServer.serving(dir + "/www") { server in
                let limit: Int64 = 1 << 20
                let url = server.baseURL + "/appd"
                let big = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v2", height: 10, info: HTTPDownloadTests.planInfo(url)),
                    maxBytes: limit
                )
                #expect(
                    await Self.message { try await big.prepare(logger: Self.logger) }
                        == "failed to download and verify binary: could not download url \"\(url)\": "
                        + "more than \(limit) bytes"
                )
                let bomb = server.baseURL + "/bomb.tar.gz"
                let unpacked = try PrepareUpgradeTests.preparer(
                    dir,
                    plan: UpgradePlan(name: "v3", height: 10, info: HTTPDownloadTests.planInfo(bomb)),
                    maxBytes: limit
                )
                #expect(
                    await Self.message { try await unpacked.prepare(logger: Self.logger) }
                        == "failed to download and verify binary: archive \"\(bomb)\": more than \(limit) bytes "
                        + "once extracted (NODE_AGENT_MAX_DOWNLOAD_BYTES); refused before extraction"
                )
                #expect(Self.upgradesEntries(dir).isEmpty)
                var environment = ["DAEMON_HOME": dir + "/home", "DAEMON_NAME": "appd"]
                #expect(
                    try Self.configuration(environment).maxDownloadBytes == 2 << 30
                )
                environment["NODE_AGENT_MAX_DOWNLOAD_BYTES"] = "1048576"
                #expect(try Self.configuration(environment).maxDownloadBytes == limit)
                environment["NODE_AGENT_MAX_DOWNLOAD_BYTES"] = "2G"
                #expect(throws: AgentError.self) {
                    try Self.configuration(environment)
                }
            }
        }
    }

    @Test("archive listings: names from the short listing, kinds and sizes from the verbose one")
    func listings() throws {
        let tar = try ArchiveListing.tar(
            names: "./\n./a b\n./bin/appd\n./bin/link\nfifo\n",
            verbose: """
                drwxr-xr-x root/root         0 2026-12-01 04:03 ./
                -rw-r--r-- root/root         2 2026-12-01 04:03 ./a b
                hrwsr-xr-x root/root         0 2026-12-01 04:03 ./bin/appd link to ./hard
                lrwxrwxrwx root/root         0 2026-12-01 04:03 ./bin/link -> /etc/passwd
                prw-r--r-- 0/0               0 1970-01-01 00:00 fifo

                """,
            reference: "r"
        )
        #expect(tar.entries.map(\.kind) == [.directory, .file, .hardLink, .symbolicLink, .special("p")])
        #expect(tar.entries.map(\.name) == ["./", "./a b", "./bin/appd", "./bin/link", "fifo"])
        #expect(tar.entries[1].size == 2)
        let zip = try ArchiveListing.zip(
            names: "a b\nbin/\n",
            verbose: """
                -rw-r--r--  3.0 unx        2 tx stor 26-Dec-01 04:03 a b
                drwxr-xr-x  3.0 unx        0 bx stor 26-Dec-01 04:03 bin/
                """,
            reference: "r"
        )
        #expect(
            zip.entries == [.init(name: "a b", kind: .file, size: 2), .init(name: "bin/", kind: .directory, size: 0)]
        )
        #expect(throws: AgentError.self) {
            try ArchiveListing.zip(names: "a\nb\n", verbose: "-rw 1 u 2 t d x y a\n", reference: "r")
        }
        #expect(throws: AgentError.self) { try tar.check(maxBytes: 1 << 30, reference: "r") }
        #expect(throws: Never.self) { try zip.check(maxBytes: 2, reference: "r") }
        #expect(throws: AgentError.self) { try zip.check(maxBytes: 1, reference: "r") }
    }
}
