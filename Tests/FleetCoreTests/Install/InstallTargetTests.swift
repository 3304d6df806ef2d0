import FleetCore
import FleetTestSupport
import Testing

/// How `fleet install-agent` reads a host's variables.
@Suite(.tags(.pure)) struct InstallTargetTests {
    static func host(_ vars: [String: String]) throws -> InventoryHost {
        try InventoryHost(
            name: "val-1", vars: ["daemon_home": "/home/val/.gaia", "daemon_name": "gaiad"].merging(vars) { $1 })
    }

    @Test func defaultsPutTheAgentOnPathAndReplaceCosmovisorsUnit() throws {
        let target = try InstallTarget(host: Self.host([:]))
        #expect(target.agentPath == "/usr/local/bin/node-agent")
        #expect(target.unitPath == "/etc/systemd/system/cosmovisor.service")
        #expect(target.logFile == "/home/val/.gaia/cosmovisor/.node-agent/agent.log")
        #expect(target.runArguments == ["run", "start", "--home", "/home/val/.gaia"])
        #expect(target.environment.map(\.name) == ["DAEMON_HOME", "DAEMON_NAME", "NODE_AGENT_RPC"])
        #expect(target.environment.map(\.value) == ["/home/val/.gaia", "gaiad", "http://127.0.0.1:26657"])
    }

    @Test func variablesOverrideTheDefaults() throws {
        let target = try InstallTarget(
            host: Self.host([
                "agent_path": "/opt/bin/node-agent", "agent_service": "gaia-agent", "node_rpc": "http://10.0.0.1:26657",
                "agent_env": "UNSAFE_SKIP_BACKUP=true  DAEMON_POLL_INTERVAL=300ms\tEMPTY=",
            ]))
        #expect(target.agentPath == "/opt/bin/node-agent")
        #expect(target.unitPath == "/etc/systemd/system/gaia-agent.service")
        #expect(
            target.environment.map { "\($0.name)=\($0.value)" } == [
                "DAEMON_HOME=/home/val/.gaia", "DAEMON_NAME=gaiad", "NODE_AGENT_RPC=http://10.0.0.1:26657",
                "UNSAFE_SKIP_BACKUP=true", "DAEMON_POLL_INTERVAL=300ms", "EMPTY=",
            ])
    }

    @Test(arguments: [
        (["daemon_home": ""], InstallError.Code.missingVariable, "daemon_home is not set for val-1"),
        (["daemon_name": ""], .missingVariable, "daemon_name is not set for val-1"),
        (
            ["agent_path": "bin/node-agent"], .invalidVariable,
            "agent_path \"bin/node-agent\" of val-1 is not an absolute"
        ),
        (["agent_path": "/usr/local/bin/"], .invalidVariable, "is not an absolute file path"),
        (["daemon_home": "~/.gaia"], .invalidVariable, "daemon_home \"~/.gaia\" of val-1 is not an absolute path"),
        (["agent_service": "../../evil"], .invalidVariable, "is not a unit name"),
        (["agent_service": "a b"], .invalidVariable, "is not a unit name"),
        (["agent_env": "lower=1"], .invalidVariable, "agent_env of val-1: \"lower=1\" is not KEY=VALUE"),
        (["agent_env": "NOVALUE"], .invalidVariable, "\"NOVALUE\" is not KEY=VALUE"),
        (["agent_env": "1X=2"], .invalidVariable, "is not KEY=VALUE"),
    ])
    func badVariablesAreRefusedWithTheirName(vars: [String: String], code: InstallError.Code, message: String) throws {
        let error = #expect(throws: InstallError.self) { try InstallTarget(host: Self.host(vars)) }
        #expect(error?.code == code)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }
}

/// The stage requests `fleet install-agent` hands to the stage machinery.
@Suite(.tags(.pure)) struct InstallRequestTests {
    @Test func theAgentGoesToAgentPathAndTheDaemonToGenesisWithTheSameForce() throws {
        let host = try InventoryHost(
            name: "n1", vars: ["daemon_home": "/srv/n1", "daemon_name": "gaiad", "agent_path": "/srv/bin/node-agent"])
        let agent = InstallRequest.Binary(
            path: "/build/node-agent", sha256: String(repeating: "A", count: 64), bytes: 7)
        let daemon = InstallRequest.Binary(path: "/build/gaiad", sha256: String(repeating: "b", count: 64), bytes: 9)
        let request = InstallRequest(agent: agent, daemon: daemon, mode: .detached, force: true)
        let stage = request.agentStage(for: try InstallTarget(host: host))
        #expect(stage.targetPath(for: host) == .success("/srv/bin/node-agent"))
        #expect(stage.sha256 == String(repeating: "a", count: 64))
        #expect(stage.source == .file(path: "/build/node-agent"))
        #expect(stage.force)
        let genesis = request.genesisStage(daemon)
        #expect(genesis.targetPath(for: host) == .success("/srv/n1/cosmovisor/genesis/bin/gaiad"))
        #expect(genesis.bytes == 9)
        // A path destination needs no daemon variables.
        let bare = try InventoryHost(name: "n2")
        #expect(stage.targetPath(for: bare) == .success("/srv/bin/node-agent"))
    }
}
