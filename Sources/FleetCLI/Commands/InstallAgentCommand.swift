import ArgumentParser
import FleetCore
import Foundation

/// `fleet install-agent`: put node-agent on every node and have it supervise the daemon.
struct InstallAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-agent",
        abstract: "Push node-agent to every selected node, create the cosmovisor tree if missing, and run the agent.",
        discussion: """
            Pushes the agent to the host's agent_path (default /usr/local/bin/node-agent) with fleet stage's \
            rules: left alone when the sha256 matches, refused when a different file is there unless --force, \
            otherwise verified on the node before it becomes visible. A node without a cosmovisor tree gets \
            --daemon-binary staged as genesis and `node-agent init`. Then the unit `node-agent systemd-unit` \
            prints is written to /etc/systemd/system/<agent_service>.service (agent_service defaults to \
            cosmovisor; sudo -n when the user is not root), and with --enable `systemctl daemon-reload` and \
            `systemctl enable --now` run; or with --no-systemd the agent is started detached (setsid, log in \
            <daemon_home>/cosmovisor/.node-agent/agent.log). The agent runs `run start --home <daemon_home>` \
            with DAEMON_HOME, DAEMON_NAME, NODE_AGENT_RPC=<node_rpc> and the agent_env words (KEY=VALUE) in \
            its environment. An agent already running is left alone; a daemon running outside an agent is \
            refused (stop its service first). Exit codes: 0 every node ok, 1 otherwise, 2 a bad file or \
            inventory.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The node-agent binary to push (default: the node-agent next to this fleet).")
    var agentBinary: String?

    @Option(help: "The daemon binary staged as genesis on nodes without a cosmovisor tree.")
    var daemonBinary: String?

    @Flag(help: "Start the agent detached under setsid instead of installing a systemd unit.")
    var noSystemd = false

    @Flag(help: "systemctl daemon-reload and enable --now the unit.")
    var enable = false

    @Flag(help: "Replace a different agent binary, genesis binary or unit file.")
    var force = false

    func validate() throws {
        if noSystemd && enable { throw ValidationError("--enable and --no-systemd exclude each other") }
    }

    func run() async throws {
        let request = try makeRequest()
        let (_, hosts) = try global.selectedHosts()
        let settings = SSHClientSettings(global)
        let verbose = global.verbose && !global.json
        let reports = await InstallRunner.run(
            request, hosts: hosts, target: { settings.target(for: $0) }, maxConcurrent: global.parallel,
            progress: { host, step in
                if verbose { Terminal.err("\(TerminalText.escaped(host)): \(step)\n") }
            })
        let renderer = InstallRenderer(terminal: .current)
        if global.json {
            Terminal.out(String(decoding: try renderer.json(reports), as: UTF8.self) + "\n")
        } else {
            Terminal.out(renderer.summary(reports))
        }
        if !reports.allSatisfy({ $0.result.succeeded }) { throw ExitCode(1) }
    }

    /// The request; an unreadable binary is printed and becomes exit 2, before any connection.
    private func makeRequest() throws -> InstallRequest {
        do throws(InstallError) {
            var agentPath = agentBinary ?? ""
            if agentBinary == nil { agentPath = try Self.siblingAgent() }
            let agent = try Self.binary(agentPath, option: "--agent-binary")
            var daemon: InstallRequest.Binary?
            if let daemonBinary { daemon = try Self.binary(daemonBinary, option: "--daemon-binary") }
            var request = InstallRequest(
                agent: agent, daemon: daemon, mode: noSystemd ? .detached : .systemd(enable: enable), force: force)
            if let timeout = global.timeout { request.startTimeout = timeout }
            return request
        } catch {
            Terminal.err("fleet: \(TerminalText.escaped(error.message, limit: TerminalText.messageLimit))\n")
            throw ExitCode(2)
        }
    }

    /// `node-agent` in the folder of the running `fleet`.
    private static func siblingAgent() throws(InstallError) -> String {
        let executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let path = (executable as NSString).deletingLastPathComponent + "/node-agent"
        guard access(path, X_OK) == 0 else {
            throw InstallError(
                .localFile,
                "no node-agent next to fleet (\(path)); pass --agent-binary PATH to the node-agent to install")
        }
        return path
    }

    /// The sha256 and size of a non-empty regular file (links followed).
    private static func binary(_ path: String, option: String) throws(InstallError) -> InstallRequest.Binary {
        do throws(StageError) {
            let file = try StageLocalFile.read(path)
            return InstallRequest.Binary(path: path, sha256: file.sha256, bytes: file.bytes)
        } catch {
            throw InstallError(.localFile, "\(option) \(path): \(error.message)")
        }
    }
}
