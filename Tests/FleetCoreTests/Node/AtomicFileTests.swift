import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("AtomicFile", .tags(.files))
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

    @Test("install moves the staged file into place (same inode, new mode) and keeps the old file on failure")
    func install() async throws {
        try await withTemporaryDirectory { dir in
            let staged = dir + "/staged"
            let path = dir + "/appd"
            try AtomicFile.write(Data("old".utf8), to: path, mode: 0o755)
            try AtomicFile.write(Data("new binary".utf8), to: staged, mode: 0o600)
            let stagedInode = try FileManager.default.attributesOfItem(atPath: staged)[.systemFileNumber] as? Int
            try AtomicFile.install(staged, at: path, mode: 0o755)
            #expect(try AtomicFile.read(path) == Data("new binary".utf8))
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.posixPermissions] as? Int == 0o755)
            #expect(attributes[.systemFileNumber] as? Int == stagedInode)
            #expect(!FileManager.default.fileExists(atPath: staged))
            let missing = #expect(throws: NodeFileError.self) {
                try AtomicFile.install(dir + "/nothing", at: path, mode: 0o755)
            }
            #expect(missing?.errno == ENOENT)
            #expect(try AtomicFile.read(path) == Data("new binary".utf8))
        }
    }

    @Test("read returns nil for a missing file")
    func readMissing() throws {
        #expect(try AtomicFile.read("/nonexistent/file") == nil)
    }
}
