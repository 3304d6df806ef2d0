import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// One `DAEMON_HOME` in a temporary directory and the `node-agent run` processes started on it.
///
/// Agents are spawned with raw posix_spawn (clean signal mask), stdout and stderr go to files, and
/// ``cleanUp()`` kills every process whose command line mentions the home, so no test leaves one behind.
final class AgentHarness: @unchecked Sendable {  // used from one test task at a time
    let directory: String
    let home: String
    let daemon: String
    private var agents: [ChildProcess] = []
    private var runs = 0

    init(daemon: String = "dummyd") throws {
        directory = try TestPaths.makeTemporaryDirectory("fleet-test.run")
        home = directory + "/home"
        self.daemon = daemon
        for path in ["cosmovisor/genesis/bin", "data"] {
            try FileManager.default.createDirectory(atPath: home + "/" + path, withIntermediateDirectories: true)
        }
    }

    var root: String { home + "/cosmovisor" }
    var infoPath: String { home + "/data/upgrade-info.json" }
    var currentTarget: String? { try? FileManager.default.destinationOfSymbolicLink(atPath: root + "/current") }

    /// Writes an executable (mode 0775) at `cosmovisor/<relative>/bin/<daemon>`.
    func installBinary(_ relative: String, script: String) throws {
        try installFile("cosmovisor/\(relative)/bin/\(daemon)", script)
    }

    /// Writes an executable file under the home.
    func installFile(_ relative: String, _ text: String) throws {
        let path = home + "/" + relative
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        // O_CLOEXEC: a write descriptor inherited by a process spawned concurrently by another test would
        // make executing this file fail with ETXTBSY.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o775)
        guard fd >= 0 else { throw HarnessError("open \(path): \(errno)") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw HarnessError("write \(path)") }
        chmod(path, 0o775)
    }

    /// Copies a file (a mockchaind release) to `cosmovisor/<relative>/bin/<daemon>`.
    func installCopy(_ relative: String, from source: String) throws {
        try installFile("cosmovisor/\(relative)/bin/\(daemon)", String(contentsOfFile: source, encoding: .utf8))
    }

    /// Starts `node-agent run <arguments>` with cosmovisor settings in `environment`.
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> AgentProcess {
        runs += 1
        let out = directory + "/agent-\(runs).out"
        let err = directory + "/agent-\(runs).err"
        let outFD = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let errFD = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let nullFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { [outFD, errFD, nullFD].forEach { close($0) } }
        var env = ProcessInfo.processInfo.environment
        env["DAEMON_HOME"] = home
        env["DAEMON_NAME"] = daemon
        env["UNSAFE_SKIP_BACKUP"] = "true"
        env["DAEMON_POLL_INTERVAL"] = "100ms"
        env["NODE_AGENT_RPC_URL"] = "http://127.0.0.1:1"
        env["COSMOVISOR_COLOR_LOGS"] = "false"
        env.merge(environment) { _, new in new }
        let agent = try ChildProcess.spawn(
            TestPaths.product("node-agent"),
            arguments: ["run"] + arguments,
            environment: env,
            stdin: nullFD,
            stdout: outFD,
            stderr: errFD
        )
        agents.append(agent)
        let statePath = CosmovisorLayout(home: home, daemonName: daemon).stateFile
        return AgentProcess(process: agent, stdoutPath: out, stderrPath: err, statePath: statePath)
    }

    /// Runs one agent to completion.
    func run(
        _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws
        -> AgentProcess
    {
        let agent = try start(arguments, environment: environment)
        _ = try await agent.wait(timeout: timeout)
        return agent
    }

    /// Kills everything this test started and removes the directory.
    func cleanUp() {
        for agent in agents where agent.exited == nil { agent.signalGroup(SIGKILL) }
        for _ in 0..<3 {
            let left = ProcessProbe.pids(commandLineContaining: directory)
            if left.isEmpty { break }
            for pid in left {
                killpg(pid, SIGKILL)
                kill(pid, SIGKILL)
            }
            usleep(50_000)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The runtime state file, decoded.
    func state() -> AgentRuntimeState? {
        try? AgentRuntimeState.read(from: CosmovisorLayout(home: home, daemonName: daemon).stateFile)
    }
}

/// One agent process and its captured output.
struct AgentProcess: Sendable {
    let process: ChildProcess
    let stdoutPath: String
    let stderrPath: String
    /// The agent's runtime state file, shown when a wait times out.
    var statePath: String? = nil

    /// Everything written to stdout so far: child output and agent log lines mixed.
    var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// stdout without the agent's own log lines: what the child printed.
    var childOutput: String {
        stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains(" module=cosmovisor") }
            .joined(separator: "\n")
    }

    /// The agent's log lines.
    var logLines: [String] {
        stdout.split(separator: "\n").filter { $0.contains(" module=cosmovisor") }.map(String.init)
    }

    /// Waits for the agent to exit; kills it and throws on timeout.
    @discardableResult
    func wait(timeout: Duration = .seconds(60)) async throws -> ChildExit {
        try? await waitUntil("the agent to exit", timeout: timeout) { process.exited != nil }
        guard let status = process.exited else {
            process.signalGroup(SIGKILL)
            let state = statePath.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? "-"
            throw HarnessError(
                "agent did not exit within \(timeout); stdout:\n\(stdout)\nstderr:\n\(stderr)\nstate: \(state)")
        }
        return status
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// ``waitUntil(_:timeout:_:)`` with `agent`'s output in the timeout error when given.
func eventually(
    _ what: String,
    timeout: Duration = .seconds(30),
    agent: AgentProcess? = nil,
    _ condition: () throws -> Bool
) async throws {
    do {
        try await waitUntil(what, timeout: timeout) { try condition() }
    } catch let timedOut as SandboxError {
        let output = agent.map { "\nagent stdout:\n\($0.stdout)\nagent stderr:\n\($0.stderr)" } ?? ""
        throw HarnessError("\(timedOut.message)\(output)")
    }
}
