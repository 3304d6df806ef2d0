extension SessionContext {
    /// The command that prints the login user's home directory, as sshd set it for the session.
    static let homeCommand = #"printf %s "$HOME""#

    /// The login user's home directory on the node, read once per session with ``homeCommand`` and
    /// checked by ``NodePath/checkedHome(_:host:)`` (absolute, bounded, no control characters).
    func homeDirectory(deadline: OperationDeadline) throws(SSHError) -> String {
        if let nodeHome { return nodeHome }
        let result = try exec(Self.homeCommand, stdin: nil, outputLimit: NodePath.maximumHomeBytes, deadline: deadline)
        guard result.succeeded, !result.stdoutTruncated else {
            throw SSHError(
                .remoteCommand, host: target.host, operation: "read the home directory",
                message: result.stdoutTruncated
                    ? "the node's $HOME is longer than \(NodePath.maximumHomeBytes) bytes"
                    : "`\(Self.homeCommand)` exited \(result.exitStatus.map(String.init) ?? "by a signal")")
        }
        do throws(NodePathError) {
            let home = try NodePath.checkedHome(Array(result.stdout), host: target.host)
            nodeHome = home
            return home
        } catch {
            throw SSHError(
                .remoteCommand, host: target.host, operation: "read the home directory", message: error.message,
                hint: "Write daemon_home and agent_path as absolute paths in the inventory")
        }
    }
}
