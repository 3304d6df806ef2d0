import FleetCore
import FleetTestSupport
import Foundation
import Glibc
import Testing

@testable import NodeAgent

/// `NODE_AGENT_LISTEN`: `/metrics` read by a real Prometheus text parser (python `prometheus_client`,
/// scripts/python-venv.sh), `/status` equal to `status --json`, `/healthz`, and the listener's limits.
@Suite(.tags(.processes), .timeLimit(.minutes(3)))
struct AgentHTTPTests {
    /// `curl` of one URL: HTTP status and body.
    func get(_ url: String, _ extra: [String] = []) async throws -> (status: Int, body: String) {
        let result = try await ProcessRunner.runAsync(
            ["curl", "-sS", "-m", "10", "-w", "\n%{http_code}"] + extra + [url])
        guard result.exitCode == 0 else { throw HarnessError("curl \(url): \(result.errorOutput)") }
        let text = result.output
        let split = try #require(text.lastIndex(of: "\n"))
        return (Int(text[text.index(after: split)...]) ?? 0, String(text[..<split]))
    }

    /// The venv's python with prometheus_client (created by scripts/python-venv.sh when missing).
    func python() async throws -> String {
        let made = try await ProcessRunner.runAsync([TestPaths.scripts + "/python-venv.sh"])
        guard made.exitCode == 0 else {
            throw HarnessError("scripts/python-venv.sh failed (it needs python3-venv and pip): \(made.errorOutput)")
        }
        return made.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every sample of `/metrics` as parsed by prometheus_client: `name{label=value,…}` → value.
    func scrape(_ url: String) async throws -> [String: Double] {
        let parser = """
            import json, sys, urllib.request
            from prometheus_client.parser import text_string_to_metric_families
            text = urllib.request.urlopen(sys.argv[1], timeout=10).read().decode()
            out = {}
            for family in text_string_to_metric_families(text):
                for s in family.samples:
                    labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
                    out[s.name + ("{" + labels + "}" if labels else "")] = s.value
            print(json.dumps(out))
            """
        let result = try await ProcessRunner.runAsync([try await python(), "-c", parser, url])
        guard result.exitCode == 0 else {
            throw HarnessError("prometheus_client could not parse \(url): \(result.errorOutput)")
        }
        return try JSONDecoder().decode([String: Double].self, from: result.stdout)
    }

    @Test func metricsStatusAndHealthOverHTTP() async throws {
        let h = try AgentHarness(daemon: "mockchaind")
        defer { h.cleanUp() }
        let rpc = try await h.setUpMockchain(blockInterval: "60ms")
        let port = try TestPorts.free()
        let base = "http://127.0.0.1:\(port)"
        let agent = try h.start(
            ["start", "--home", h.home],
            environment: ["NODE_AGENT_RPC_URL": rpc, "NODE_AGENT_LISTEN": "127.0.0.1:\(port)"]
        )
        try await eventually("v1 running", agent: agent) {
            h.blocks().count >= 3 && h.state()?.child.state == "running"
        }
        let health = try await get(base + "/healthz")
        #expect(health.status == 200 && health.body == "ok\n")

        let switched = try await h.agentCommand(["switch", "v2"])
        #expect(switched.exitCode == 0, "\(switched.errorOutput)")
        let metrics = try await scrape(base + "/metrics")
        #expect(metrics["node_agent_child_up"] == 1)
        #expect(metrics["node_agent_child_restarts_total"] == 1)
        #expect(metrics["node_agent_upgrades_applied_total"] == 0)
        #expect(metrics["node_agent_switches_total{outcome=ok}"] == 1)
        #expect(metrics["node_agent_staged_upgrades"] == 2, "v2 and v3")
        #expect((metrics["node_agent_chain_height"] ?? 0) >= 3)
        #expect((metrics["node_agent_last_switch_duration_seconds"] ?? 0) > 0)
        let info = metrics.keys.first { $0.hasPrefix("node_agent_info{") } ?? ""
        #expect(info.contains("current=v2") && info.contains("daemon_name=mockchaind"), "\(metrics)")
        #expect(info.contains("version=\(FleetVersion.current)"))

        // /status is the document `status --json` prints (less what changes between two reads).
        let overHTTP = try NodeStatus.decode(Data(try await get(base + "/status").body.utf8))
        let fromCLI = try await h.statusDocument(rpc: rpc)
        #expect(Self.stable(overHTTP) == Self.stable(fromCLI))
        #expect(overHTTP.source == .agent && overHTTP.current.upgrade == "v2")

        agent.process.signalGroup(SIGTERM)
        #expect(try await agent.wait() == .exited(0))
    }

    @Test func theListenerServesGetOnlyAndBoundsRequests() async throws {
        let h = try AgentHarness()
        defer { h.cleanUp() }
        try h.installSleeper("genesis", name: "genesis")
        let port = try TestPorts.free()
        let base = "http://127.0.0.1:\(port)"
        let agent = try h.start(["start"], environment: ["NODE_AGENT_LISTEN": "\(port)"])
        try await eventually("listening", agent: agent) { TestPorts.accepts(port: port) }
        #expect(try await get(base + "/metrics", ["-X", "POST"]).status == 405)
        #expect(try await get(base + "/status", ["-X", "DELETE"]).status == 405)
        #expect(try await get(base + "/nothing").status == 404)
        let huge = String(repeating: "a", count: 9000)
        #expect(try await get(base + "/metrics", ["-H", "X-Big: \(huge)"]).status == 431)
        #expect(try await get(base + "/metrics").status == 200, "still serving")

        // A client that sends nothing holds a connection until the read timeout, never the agent.
        let idle = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(idle) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(idle, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0)
        #expect(try await get(base + "/healthz").status == 200)
    }

    @Test(arguments: [
        ("127.0.0.1:26680", "127.0.0.1:26680"), ("26680", "127.0.0.1:26680"), (":26680", "127.0.0.1:26680"),
        ("[::1]:9", "[::1]:9"), ("0.0.0.0:80", "0.0.0.0:80"),
    ])
    func listenAddresses(text: String, parsed: String) throws {
        #expect(try ListenAddress.parse(text).description == parsed)
    }

    @Test(arguments: ["localhost:26680", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", "::1:9", "x"])
    func badListenAddresses(text: String) {
        #expect(throws: ConfigurationProblem.self) { try ListenAddress.parse(text) }
    }

    @Test func listenSettingIsValidatedWithTheOthers() throws {
        let base = ["DAEMON_HOME": "/h", "DAEMON_NAME": "d"]
        #expect(try AgentConfiguration.fromEnvironment(base, validation: .minimal).listen == nil, "off by default")
        let set = try AgentConfiguration.fromEnvironment(
            base.merging(["NODE_AGENT_LISTEN": "26680"]) { $1 }, validation: .minimal)
        #expect(set.listen == ListenAddress(host: "127.0.0.1", port: 26680))
        #expect(set.settings["node_agent_listen"] == "127.0.0.1:26680")
        do {
            _ = try AgentConfiguration.fromEnvironment(
                base.merging(["NODE_AGENT_LISTEN": "localhost:1", "DAEMON_POLL_INTERVAL": "x"]) { $1 },
                validation: .minimal
            )
            Issue.record("a bad NODE_AGENT_LISTEN is a configuration error")
        } catch {
            #expect(error.problems.count == 2, "reported with the other problems: \(error)")
            #expect(
                error.description.contains(
                    #"NODE_AGENT_LISTEN must be <ip>:<port> or a port (loopback), e.g. 127.0.0.1:26680, got "localhost:1""#
                ))
        }
    }

    /// The document without the parts that change between two reads.
    static func stable(_ status: NodeStatus) -> NodeStatus {
        var copy = status
        copy.collectedAt = ""
        copy.chain = nil
        copy.disk = nil
        copy.child?.uptimeSeconds = nil
        return copy
    }
}
