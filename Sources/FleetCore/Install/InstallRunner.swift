import Foundation

/// Installs the agent on many hosts: the I/O shell around ``InstallInspection`` and ``InstallScript``.
///
/// Per host, on one connection: inspect (who runs the node, is there a cosmovisor tree, systemd, root),
/// refuse when the daemon runs outside an agent, push the agent to `agent_path` with ``StageRunner`` (the
/// same skip, refusal and on-node sha256 rules as `fleet stage`), stage the daemon binary as genesis and
/// run `node-agent init` when there is no tree, then either install the unit (systemd) or start the agent
/// detached, and wait until the agent answers `status` on its control socket with its child running.
/// An agent that already runs is never restarted. At most `maxConcurrent` hosts at once; one host's
/// failure never touches another.
public enum InstallRunner {
    /// Installs per `request` on every host; one report per host, in the order of `hosts`.
    public static func run(
        _ request: InstallRequest,
        hosts: [InventoryHost],
        target: @escaping @Sendable (InventoryHost) -> SSHTarget,
        maxConcurrent: Int,
        progress: @escaping @Sendable (String, String) -> Void = { _, _ in }
    ) async -> [InstallHostReport] {
        await forEachHost(hosts, maxConcurrent: maxConcurrent) { host in
            var report = InstallHostReport(host: host.name, result: .failed)
            let connection: SSHConnection
            do throws(SSHError) {
                connection = try await SSHConnection.connect(target(host))
            } catch {
                report.error = error.description
                return report
            }
            let resolved: InventoryHost
            let node: InstallTarget
            do {
                // `~` and `$HOME` in daemon_home and agent_path are the node's home: resolved before any path is built.
                resolved = try await host.resolvingNodePaths(over: connection)
                node = try InstallTarget(host: resolved)
            } catch {
                report.error = String(describing: error)
                await connection.close()
                return report
            }
            report.agentPath = node.agentPath
            await install(request, host: resolved, node: node, over: connection, report: &report) {
                progress(host.name, $0)
            }
            await connection.close()
            return report
        }.map(\.1)
    }

    private static func install(
        _ request: InstallRequest, host: InventoryHost, node: InstallTarget, over connection: SSHConnection,
        report: inout InstallHostReport, progress: (String) -> Void
    ) async {
        do throws(InstallFailure) {
            progress("inspecting")
            let inspection = InstallInspection.parse(try await exec(connection, InstallScript.inspect(node)).stdout)
            let occupancy = inspection.occupancy(for: node)
            if case .foreignDaemon(let process) = occupancy {
                throw InstallFailure(.refused, InstallScript.foreignDaemonMessage(process, target: node))
            }
            if !inspection.hasLayout && request.daemon == nil {
                throw InstallFailure(
                    .failed,
                    "no cosmovisor tree at \(node.layout.root) (no current link, no genesis binary): pass "
                        + "--daemon-binary PATH to stage it as genesis and run node-agent init")
            }
            if case .systemd = request.mode, !inspection.hasSystemd {
                throw InstallFailure(
                    .failed, "this node does not run systemd (no /run/systemd/system or systemctl); use --no-systemd")
            }

            progress("pushing the agent")
            let agent = await StageRunner.stage(request.agentStage(for: node), on: host, over: connection)
            report.agent = agent.result
            if !agent.result.succeeded {
                throw InstallFailure(
                    agent.result == .refused ? .refused : .failed,
                    "agent binary \(node.agentPath): \(agent.error ?? agent.result.rawValue)")
            }
            if !inspection.hasLayout, let daemon = request.daemon {
                progress("staging genesis")
                let genesis = await StageRunner.stage(request.genesisStage(daemon), on: host, over: connection)
                report.genesis = genesis.result
                if !genesis.result.succeeded {
                    throw InstallFailure(
                        genesis.result == .refused ? .refused : .failed,
                        "genesis binary \(node.layout.genesisBinary): \(genesis.error ?? genesis.result.rawValue)")
                }
                progress("node-agent init")
                try await check(connection, InstallScript.initialize(node), "node-agent init")
                report.initialized = true
            }

            var running: Int32?
            if case .agent(let pid) = occupancy { running = pid }
            switch request.mode {
            case .detached:
                if let running {
                    report.pid = running
                    report.result = .alreadyRunning
                    return
                }
                progress("starting")
                try await check(connection, InstallScript.startDetached(node), "starting the agent")
            case .systemd(let enable):
                progress("writing the unit")
                report.unitPath = node.unitPath
                let unit = try await check(connection, InstallScript.unitText(node), "node-agent systemd-unit")
                let written = try await check(
                    connection, InstallScript.writeUnit(node, sudo: inspection.needsSudo, force: request.force),
                    "writing \(node.unitPath)", stdin: unit.stdout
                ).output.trimmingCharacters(in: .whitespacesAndNewlines)
                switch written {
                case "unchanged": report.unit = .unchanged
                case "written": report.unit = .written
                case "differs":
                    throw InstallFailure(
                        .refused,
                        "\(node.unitPath) exists with other content; use --force to replace it (or set agent_service)")
                default:
                    throw InstallFailure(.failed, "writing \(node.unitPath): unexpected answer \(written)")
                }
                if enable {
                    progress("enabling")
                    try await check(
                        connection, InstallScript.enable(node, sudo: inspection.needsSudo, start: running == nil),
                        "systemctl enable \(node.serviceName).service")
                }
                if let running {
                    report.pid = running
                    report.result = .alreadyRunning
                    return
                }
                if !enable {
                    report.result = .installed
                    return
                }
            }
            progress("waiting for the agent")
            report.pid = try await awaitAgent(
                connection, node, timeout: request.startTimeout, logTail: request.mode == .detached)
            report.result = .started
        } catch {
            report.result = error.result
            report.error = error.reason
        }
    }

    /// Polls `node-agent status --json` until the running agent answers with its child up; its pid.
    private static func awaitAgent(
        _ connection: SSHConnection, _ node: InstallTarget, timeout: Duration, logTail: Bool
    ) async throws(InstallFailure) -> Int32 {
        let deadline = ContinuousClock.now + timeout
        var last = "no answer"
        while true {
            let result = try await exec(connection, InstallScript.status(node))
            if let status = try? NodeStatus.decode(result.stdout) {
                if status.source == .agent, let pid = status.agent?.pid, status.child?.pid != nil { return pid }
                last = status.source == .agent ? "the agent answers but its child is not running" : "no agent answers"
            } else {
                last = "node-agent status exited \(result.exitStatus ?? -1): \(result.errorOutput.prefix(300))"
            }
            if ContinuousClock.now >= deadline { break }
            do { try await Task.sleep(for: .milliseconds(250)) } catch { throw InstallFailure(.failed, "cancelled") }
        }
        var reason = "the agent did not answer status with its child running within \(timeout) (\(last))"
        if logTail, let tail = try? await exec(connection, InstallScript.logTail(node)) {
            reason += "; \(node.logFile) ends with:\n" + tail.output
        }
        throw InstallFailure(.failed, reason)
    }

    /// Runs `command`; a non-zero exit is a failure naming `what` with the end of its stderr.
    @discardableResult
    private static func check(
        _ connection: SSHConnection, _ command: String, _ what: String, stdin: Data? = nil
    ) async throws(InstallFailure) -> ExecResult {
        let result = try await exec(connection, command, stdin: stdin)
        guard result.succeeded else {
            let stderr = result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            if let sudo = InstallScript.sudoProblem(stderr: stderr, host: connection.target.host) {
                throw InstallFailure(.failed, sudo)
            }
            let detail = stderr.isEmpty ? result.output : stderr
            throw InstallFailure(
                .failed, "\(what) exited \(result.exitStatus ?? -1): \(String(detail.suffix(600)))")
        }
        return result
    }

    private static func exec(
        _ connection: SSHConnection, _ command: String, stdin: Data? = nil
    ) async throws(InstallFailure) -> ExecResult {
        do throws(SSHError) {
            return try await connection.exec(command, stdin: stdin, outputLimit: 1 << 20)
        } catch {
            throw InstallFailure(.failed, error.description)
        }
    }
}
