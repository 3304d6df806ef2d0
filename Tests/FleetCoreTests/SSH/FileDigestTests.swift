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

    @Test("the node-side sha256 command prints the digest with openssl, and with sha256sum when openssl is missing")
    func shellSHA256UsesOpenSSLOrFallsBack() async throws {
        try await withTemporaryDirectory { dir in
            // A name sha256sum would escape in its output (backslash, newline), to show no name is printed.
            let path = dir + "/odd \\ name\n'$(x)'"
            let bytes = Data((0..<(3 << 20 + 5)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) })
            try bytes.write(to: URL(fileURLWithPath: path))
            let want = FileDigest.hex(.sha256, of: bytes)
            // PATH holds only the tools named, so each line of the command is shown to work on its own.
            for tools in [["openssl"], ["sha256sum"], ["openssl", "sha256sum"], []] {
                let bin = dir + "/bin-" + tools.joined(separator: "-")
                try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
                for tool in tools {
                    try FileManager.default.createSymbolicLink(
                        atPath: bin + "/" + tool, withDestinationPath: "/usr/bin/" + tool)
                }
                let script = "P=\(ShellQuote.quote(path)); \(FileDigest.shellSHA256(of: "\"$P\""))"
                let result = try await ProcessRunner.runAsync(["/bin/sh", "-c", script], environment: ["PATH": bin])
                if tools.isEmpty {
                    #expect(result.exitCode != 0, "\(result.output)")
                } else {
                    #expect(result.exitCode == 0, "\(tools): \(result.errorOutput)")
                    #expect(String(result.output.prefix(64)) == want, "\(tools): \(result.output)")
                }
            }
        }
    }

    @Test("an unreadable file is a localFile error naming the algorithm and the path")
    func missingFile() throws {
        let error = #expect(throws: SSHError.self) { try FileDigest.hex(.md5, ofFile: "/nonexistent/blob") }
        #expect(error?.code == .localFile)
        #expect(error?.operation == "md5 /nonexistent/blob")
    }
}
