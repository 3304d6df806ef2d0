extension InventoryHost {
    /// The variables that hold paths on the node; ``NodePath`` resolves `~` and `$HOME` in them.
    public static let nodePathVariables = ["daemon_home", "agent_path"]

    /// Every variable fleet reads from a host: an Ansible template in any of them is an error when the
    /// inventory is loaded, before any connection.
    public static let fleetVariables = [
        "ansible_host", "ansible_port", "ansible_user", "ansible_ssh_private_key_file", "ansible_private_key_file",
        "ansible_ssh_common_args", "ansible_ssh_extra_args", "daemon_name", "daemon_home", "node_rpc", "agent_path",
        "agent_service", "agent_env", "fleet_role", "cosmovisor_disable_recase", "voting_power", "total_voting_power",
    ]

    /// The first variable fleet reads that it cannot use (in ``fleetVariables`` order): a template, or a
    /// path variable ``NodePath`` refuses (`~user`, `$OTHER`).
    static func unusableVariable(host: String, vars: [String: String]) -> (variable: String, error: NodePathError)? {
        for name in fleetVariables {
            guard let value = vars[name], !value.isEmpty else { continue }
            do throws(NodePathError) {
                if nodePathVariables.contains(name) {
                    _ = try NodePath(value, variable: name, host: host)
                } else if NodePath.isTemplate(value) {
                    throw NodePathError(.template, host: host, variable: name, value: value)
                }
            } catch {
                return (name, error)
            }
        }
        return nil
    }

    /// The inventory error for an unusable variable set at `location`.
    static func unusable(_ error: NodePathError, at location: InventorySourceLocation) -> InventoryError {
        InventoryError(
            error.kind == .template ? InventoryError.Code.template : .nodePath, at: location, error.description)
    }

    /// Whether `daemon_home` or `agent_path` is written relative to the node's home (`~`, `$HOME`).
    public var needsNodeHome: Bool {
        Self.nodePathVariables.contains { name in
            vars[name].map { (try? NodePath($0, variable: name, host: self.name))?.needsHome == true } ?? false
        }
    }

    /// This host with `daemon_home` and `agent_path` resolved against `home`, the login user's home on the node.
    /// - Throws: ``NodePathError`` when a value cannot be resolved (the inventory loader refuses those first).
    public func resolvingNodePaths(home: String) throws(NodePathError) -> InventoryHost {
        var resolved = vars
        for name in Self.nodePathVariables {
            guard let value = vars[name], !value.isEmpty else { continue }
            resolved[name] = try NodePath.resolve(value, home: home, variable: name, host: self.name)
        }
        return InventoryHost(validated: self, vars: resolved)
    }

    /// This host with its path variables resolved on the node `connection` is open to. The node is asked
    /// its home (once per connection, ``SSHConnection/homeDirectory(timeout:)``) only when a value needs it.
    /// - Throws: `SSHError` when the home cannot be read or a value cannot be resolved, naming the host.
    public func resolvingNodePaths(over connection: SSHConnection) async throws(SSHError) -> InventoryHost {
        guard needsNodeHome else { return self }
        let home = try await connection.homeDirectory()
        do throws(NodePathError) {
            return try resolvingNodePaths(home: home)
        } catch {
            throw SSHError(
                .invalidArgument, host: connection.target.host, operation: "resolve \(error.variable)",
                message: error.description)
        }
    }
}
