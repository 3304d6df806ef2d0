import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("AtomicFile")
struct AtomicFileTests {
    @Test("write creates and replaces with the given mode, leaving no temporary file")
    func writeReplaces() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir + "/state.json"
            try AtomicFile.write(Data("one".utf8), to: path, mode: 0o600)
            try AtomicFile.write(Data("two".utf8), to: path, mode: 0o640)
            #expect(try AtomicFile.read(path) == Data("two".utf8))
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o640)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["state.json"])
        }
    }

    @Test("a failed write names the step and leaves the old file")
    func failure() async throws {
        try await withTemporaryDirectory { dir in
            let error = #expect(throws: NodeFileError.self) {
                try AtomicFile.write(Data(), to: dir + "/missing/x", mode: 0o644)
            }
            #expect(error?.code == .write)
            #expect(error?.errno == ENOENT)
            try FileManager.default.createDirectory(atPath: dir + "/d", withIntermediateDirectories: false)
            let rename = #expect(throws: NodeFileError.self) {
                try AtomicFile.write(Data("x".utf8), to: dir + "/d", mode: 0o644)
            }
            #expect(rename?.code == .rename)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["d"])
        }
    }

    @Test("copy streams a file bigger than one chunk byte for byte")
    func copy() async throws {
        try await withTemporaryDirectory { dir in
            let bytes = Data((0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            try bytes.write(to: URL(fileURLWithPath: dir + "/src"))
            try AtomicFile.copy(from: dir + "/src", to: dir + "/dst", mode: 0o755)
            #expect(FileManager.default.contents(atPath: dir + "/dst") == bytes)
            #expect(FileManager.default.isExecutableFile(atPath: dir + "/dst"))
            #expect(throws: NodeFileError.self) {
                try AtomicFile.copy(from: dir + "/none", to: dir + "/x", mode: 0o644)
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/x"))
        }
    }

    @Test("read returns nil for a missing file")
    func readMissing() throws {
        #expect(try AtomicFile.read("/nonexistent/file") == nil)
    }
}
