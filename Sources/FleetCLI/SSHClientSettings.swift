import FleetCore
import Foundation

/// The local side of every SSH connection `fleet` makes: read once from the environment and
/// `~/.ssh/config`, then turned into a target per inventory host.
struct SSHClientSettings: Sendable {
    var client: SSHTarget.ClientEnvironment
    var config: SSHConfigFile?
    /// `--timeout`: also caps the connect timeout (of every bastion on the route too).
    var timeout: Duration?

    /// Reads `HOME`, `USER`, `SSH_AUTH_SOCK`, `FLEET_SSH_PASSPHRASE` and `~/.ssh/config` (saying once on
    /// stderr that its `Match` blocks are ignored, when it has any).
    init(_ global: GlobalOptions) {
        let env = ProcessInfo.processInfo.environment
        let home = env["HOME"] ?? NSHomeDirectory()
        client = SSHTarget.ClientEnvironment(
            homeDirectory: home,
            localUser: env["USER"] ?? NSUserName(),
            agentSocket: env["SSH_AUTH_SOCK"].flatMap { $0.isEmpty ? nil : $0 },
            passphrase: env["FLEET_SSH_PASSPHRASE"],
            knownHostsFile: global.knownHosts,
            acceptNewHostKeys: global.acceptNewHostKeys
        )
        timeout = global.timeout
        config = (try? String(contentsOfFile: home + "/.ssh/config", encoding: .utf8)).map {
            SSHConfigFile.parse($0)
        }
        if let note = config?.matchNote { Terminal.err("fleet: \(note)\n") }
    }

    /// The target for `host`: inventory variables beat `~/.ssh/config`, which beats defaults; a
    /// `ProxyJump` in `ansible_ssh_common_args` / `ansible_ssh_extra_args` beats the config's.
    func target(for host: InventoryHost) -> SSHTarget {
        let target = SSHTarget.resolve(
            alias: host.name,
            inventory: .init(
                host: host.vars["ansible_host"].flatMap { $0.isEmpty ? nil : $0 },
                port: host.vars["ansible_port"] == nil ? nil : host.port,
                user: host.user,
                identityFile: host.privateKeyFile,
                sshCommonArgs: host.vars["ansible_ssh_common_args"],
                sshExtraArgs: host.vars["ansible_ssh_extra_args"]
            ),
            config: config,
            client: client
        )
        return timeout.map { target.cappingConnectTimeout($0) } ?? target
    }
}
