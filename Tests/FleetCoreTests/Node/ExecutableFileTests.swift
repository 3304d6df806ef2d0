import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Upstream TestEnsureBin: chain2 ok; nobin and missing fail.
@Suite("ExecutableFile", .tags(.files))
struct ExecutableFileTests {
    @Test("TestEnsureBin")
    func ensureBin() async throws {
        try await withTemporaryDirectory { dir in
            let bin = dir + "/upgrades/chain2/bin"
            try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                atPath: dir + "/upgrades/nobin/bin/dummyd",
                withIntermediateDirectories: true
            )
            _ = FileManager.default.createFile(
                atPath: bin + "/dummyd",
                contents: Data("#!/bin/sh\n".utf8),
                attributes: [.posixPermissions: 0o640]
            )
            try ExecutableFile.ensure(bin + "/dummyd")
            let mode = try FileManager.default.attributesOfItem(atPath: bin + "/dummyd")[.posixPermissions] as? Int
            #expect(mode == 0o751)
            let notRegular = #expect(throws: ExecutableFileError.self) {
                try ExecutableFile.ensure(dir + "/upgrades/nobin/bin/dummyd")
            }
            #expect(notRegular?.description == "dummyd is not a regular file")
            let missing = #expect(throws: ExecutableFileError.self) {
                try ExecutableFile.ensure(dir + "/upgrades/missing/bin/dummyd")
            }
            #expect(missing?.code == .missing)
            #expect(
                missing?.description
                    == "cannot stat dir \(dir)/upgrades/missing/bin/dummyd: stat \(dir)/upgrades/missing/bin/dummyd: no such file or directory"
            )
        }
    }
}
