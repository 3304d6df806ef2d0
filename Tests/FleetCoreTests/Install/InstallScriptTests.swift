import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The remote commands of `fleet install-agent`: what they run, with every value quoted.
@Suite(.tags(.pure)) struct InstallScriptTests {
    // Quote, backtick and semicolon: a `$` would already be refused by the inventory (NodePath).
    static let hostile = "/srv/it's `touch /tmp/owned`; id \\"
    static let target = try! InstallTarget(
        host: try! InventoryHost(
            name: "n1",
            vars: [
                "daemon_home": hostile, "daemon_name": "gaiad", "agent_path": "/opt/a b/node-agent",
                "agent_service": "gaia-agent", "agent_env": "UNSAFE_SKIP_BACKUP=true",
            ]))

    @Test func enableRunsDaemonReloadThenEnableNowWithSudoWhenNotRoot() {
        #expect(
            InstallScript.enable(Self.target, sudo: false, start: true)
                == "'systemctl' 'daemon-reload' && 'systemctl' 'enable' '--now' 'gaia-agent.service'")
        #expect(
            InstallScript.enable(Self.target, sudo: true, start: true)
                == "'sudo' '-n' 'systemctl' 'daemon-reload' && 'sudo' '-n' 'systemctl' 'enable' '--now' 'gaia-agent.service'"
        )
        // An agent already runs: enabled for the next boot, nothing started.
        #expect(!InstallScript.enable(Self.target, sudo: true, start: false).contains("--now"))
    }

    @Test func theDetachedAgentRunsInItsOwnSessionWithNoTerminalAndALog() {
        let home = ShellQuote.quote(Self.hostile)
        #expect(
            InstallScript.startDetached(Self.target)
                == "mkdir -p \(ShellQuote.quote(Self.hostile + "/cosmovisor/.node-agent")) && cd \(home) && setsid -f "
                + "'env' 'DAEMON_HOME=\(Self.hostile.replacingOccurrences(of: "'", with: #"'\''"#))' 'DAEMON_NAME=gaiad' "
                + "'NODE_AGENT_RPC=http://127.0.0.1:26657' 'UNSAFE_SKIP_BACKUP=true' '/opt/a b/node-agent' 'run' 'start' "
                + "'--home' \(home) </dev/null >>\(ShellQuote.quote(Self.hostile + "/cosmovisor/.node-agent/agent.log")) 2>&1"
        )
    }

    @Test func everyCommandQuotesTheHome() {
        let quoted = ShellQuote.quote(Self.hostile)
        let inspect = InstallScript.inspect(Self.target)
        #expect(inspect.hasPrefix("H=\(quoted); N='gaiad'; A='/opt/a b/node-agent'\n"))
        #expect(!inspect.replacingOccurrences(of: quoted, with: "").contains("touch"))
        #expect(
            InstallScript.logTail(Self.target)
                == "tail -n 20 \(ShellQuote.quote(Self.hostile + "/cosmovisor/.node-agent/agent.log")) 2>&1")
        #expect(
            InstallScript.initialize(Self.target).contains(
                "'init' \(ShellQuote.quote(Self.hostile + "/cosmovisor/genesis/bin/gaiad"))"))
        #expect(
            InstallScript.unitText(Self.target).hasSuffix(
                "'/opt/a b/node-agent' 'systemd-unit' '--exec' '/opt/a b/node-agent' </dev/null"))
        #expect(
            InstallScript.status(Self.target).contains(
                "'COSMOVISOR_DISABLE_LOGS=true' '/opt/a b/node-agent' 'status' '--json'"))
    }

    @Test func theUnitIsWrittenThroughATempNameWithSudoAndRefusedWhenDifferentUnlessForced() {
        let plain = InstallScript.writeUnit(Self.target, sudo: false, force: false)
        #expect(plain.contains("U='/etc/systemd/system/gaia-agent.service'; S=''\n"))
        #expect(plain.contains("[ 0 != 1 ]; then echo differs"))
        #expect(plain.contains(#"$S install -m 0644 "$T" "$U.fleet-new" && $S mv -f "$U.fleet-new" "$U""#))
        let sudo = InstallScript.writeUnit(Self.target, sudo: true, force: true)
        #expect(sudo.contains("S='sudo -n'\n"))
        #expect(sudo.contains("[ 1 != 1 ]"))
    }

    @Test func sudoAskingForAPasswordIsSaidPlainly() {
        let message = InstallScript.sudoProblem(stderr: "sudo: a password is required", host: "n1")
        #expect(message?.contains("sudo on n1 needs a password") == true)
        #expect(message?.contains("ansible_user=root") == true)
        #expect(
            InstallScript.sudoProblem(stderr: "Failed to enable unit: Unit file x.service does not exist.", host: "n1")
                == nil)
    }
}
