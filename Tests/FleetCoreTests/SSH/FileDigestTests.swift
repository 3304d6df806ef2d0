import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// File and in-memory digests against the coreutils `<algorithm>sum` tools.
@Suite(.tags(.processes), .timeLimit(.minutes(1)))
struct FileDigestTests {
    @Test("every algorithm matches coreutils on a file spanning several 1 MiB chunks, and on its bytes")
    func matchesCoreutils() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/blob"
            let bytes = Data((0..<(2 << 20 + 777)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) })
            try bytes.write(to: URL(fileURLWithPath: path))
            for algorithm in FileDigest.Algorithm.allCases {
                let tool = try await ProcessRunner.runAsync(["/usr/bin/\(algorithm.rawValue)sum", path])
                try #require(tool.exitCode == 0, "\(tool.errorOutput)")
                let expected = String(tool.output.prefix { $0 != " " })
                let fromFile = try await runOffPool { try FileDigest.hex(algorithm, ofFile: path) }
                #expect(fromFile == expected, "\(algorithm)")
                #expect(FileDigest.hex(algorithm, of: bytes) == expected, "\(algorithm)")
            }
            #expect(try await runOffPool { try FileDigest.sha256(ofFile: path) } == FileDigest.hex(.sha256, of: bytes))
        }
    }

    @Test("an unreadable file is a localFile error naming the algorithm and the path")
    func missingFile() throws {
        let error = #expect(throws: SSHError.self) { try FileDigest.hex(.md5, ofFile: "/nonexistent/blob") }
        #expect(error?.code == .localFile)
        #expect(error?.operation == "md5 /nonexistent/blob")
    }
}
