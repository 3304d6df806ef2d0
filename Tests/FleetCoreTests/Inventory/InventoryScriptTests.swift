import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("Dynamic-inventory executables: errors, limits, no orphans", .tags(.processes), .timeLimit(.minutes(1)))
struct InventoryScriptTests {
    /// Writes an executable `script` into `dir` and returns its path.
    private static func script(_ body: String, in dir: String) throws -> String {
        let path = dir + "/inventory.sh"
        // Written through a close-on-exec descriptor: a script another test starts meanwhile must not
        // inherit it, or running this one fails with "text file busy".
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw SandboxError(message: "cannot create \(path): errno \(errno)") }
        let bytes = Array(("#!/bin/sh\n" + body).utf8)
        let written = write(fd, bytes, bytes.count)
        close(fd)
        guard written == bytes.count else { throw SandboxError(message: "cannot write \(path)") }
        return path
    }

    private static func failure(
        _ body: String, options: InventoryLoader.SourceOptions = .init()
    ) async throws -> (path: String, error: InventoryError) {
        try await withTemporaryDirectory { dir in
            let path = try script(body, in: dir)
            let error = try #require(throws: InventoryError.self) {
                try InventoryLoader.load(sources: [path], options: options)
            }
            return (path, error)
        }
    }

    @Test("a non-zero exit names the script and quotes the first lines of stderr, escaped")
    func nonZeroExit() async throws {
        let (path, error) = try await Self.failure(
            #"printf 'cloud API said no \033[2J\n' >&2; for i in 1 2 3 4 5 6 7; do echo "line $i" >&2; done; exit 3"#)
        #expect(error.code == .inventoryScript)
        #expect(error.description.contains("`\(path) --list` exited with status 3"), "\(error)")
        #expect(error.description.contains(#"cloud API said no \x1b[2J"#), "\(error)")
        #expect(error.description.contains("line 4") && !error.description.contains("line 5"), "first lines only")
    }

    @Test("output that is not JSON names the script, line and column")
    func badJSON() async throws {
        let (path, error) = try await Self.failure(#"echo '{"all": {"hosts": ["a",'"#)
        #expect(error.code == .inventoryScript)
        #expect(error.file == path && error.line != nil, "\(error)")
        #expect(error.description.contains("printed invalid JSON"), "\(error)")
    }

    @Test("JSON in a shape Ansible rejects names the group")
    func badShape() async throws {
        let (_, error) = try await Self.failure(#"echo '{"web": {"hosts": "a"}}'"#)
        #expect(error.code == .yamlShape)
        #expect(error.description.contains("web.hosts"), "\(error)")
    }

    @Test("a script past its timeout is killed with its children, and the error says so")
    func timeout() async throws {
        try await withTemporaryDirectory { dir in
            let path = try Self.script("sleep 600 &\necho $! > \"$0.pid\"\nsleep 600\n", in: dir)
            let error = try #require(throws: InventoryError.self) {
                try InventoryLoader.load(sources: [path], options: .init(scriptTimeout: .milliseconds(500)))
            }
            #expect(error.code == .inventoryScript)
            #expect(error.description.contains("did not finish within 500ms"), "\(error)")
            let pid = try #require(
                Int32(
                    try String(contentsOfFile: path + ".pid", encoding: .utf8).trimmingCharacters(
                        in: .whitespacesAndNewlines)))
            try await waitUntil("the script's background child to be gone") { !ProcessProbe.isRunning(pid) }
        }
    }

    @Test("a child the script leaves behind is killed when the script exits")
    func noOrphanAfterSuccess() async throws {
        try await withTemporaryDirectory { dir in
            let path = try Self.script(
                "sleep 600 >/dev/null 2>&1 &\necho $! > \"$0.pid\"\n"
                    + #"echo '{"_meta": {"hostvars": {}}, "web": ["a"]}'"# + "\n", in: dir)
            let inventory = try InventoryLoader.load(sources: [path])
            #expect(inventory.hosts.map(\.name) == ["a"])
            let pid = try #require(
                Int32(
                    try String(contentsOfFile: path + ".pid", encoding: .utf8).trimmingCharacters(
                        in: .whitespacesAndNewlines)))
            try await waitUntil("the script's background child to be gone") { !ProcessProbe.isRunning(pid) }
        }
    }

    @Test("stdout beyond the limit is an error, not a huge inventory")
    func outputLimit() async throws {
        let (_, error) = try await Self.failure(
            "yes x | head -c 5000; echo '{}'", options: .init(scriptOutputLimit: 1000))
        #expect(error.code == .inventoryScript)
        #expect(error.description.contains("printed more than 1000 bytes"), "\(error)")
    }
}
