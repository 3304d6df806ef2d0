import Foundation

/// The file and process work behind ``withBastionLab(hosts:targetPorts:isolation:_:)``.
enum BastionLabSetup {
    static let sshd = "/usr/sbin/sshd"
    static let firstPort = 2222

    /// Runs a short command to completion; throws with its output unless it exits 0.
    @discardableResult
    static func command(_ argv: [String]) throws -> String {
        let result = try LabProcess.run(argv)
        guard result.exitCode == 0 else {
            throw SandboxError(
                message: "\(argv.joined(separator: " ")) failed (\(result.exitCode)): \(result.output)")
        }
        return result.output
    }

    /// Writes keys, authorized_keys, sshd configs and known_hosts for every host.
    static func prepare(
        _ directory: String, hosts count: Int, targetPorts: Int, chain: NetworkNamespaceChain?
    ) throws -> BastionLab {
        guard FileManager.default.isExecutableFile(atPath: sshd) else {
            throw SandboxError(message: "\(sshd) is missing: install the Debian package openssh-server")
        }
        let user = try loginUser()
        let scratch = directory + "/scratch"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let remote = directory + "/remote"
        try FileManager.default.createDirectory(atPath: remote, withIntermediateDirectories: true)
        chmod(remote, 0o1777)
        let clientKey = scratch + "/client_key"
        try keygen(clientKey, comment: "fleet-bastion-lab")
        let clientPub = try String(contentsOfFile: clientKey + ".pub", encoding: .utf8)
        let loopbackBase = "127.\(Int.random(in: 200...254)).\(Int.random(in: 0...255))"
        var hosts: [BastionLab.Host] = []
        var knownHosts = ""
        for index in 0..<count {
            let dir = directory + "/host-\(index)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            chmod(dir, 0o755)
            try keygen(dir + "/ssh_host_ed25519_key", comment: "host-\(index)")
            let pub = try String(contentsOfFile: dir + "/ssh_host_ed25519_key.pub", encoding: .utf8)
            let hostKey = pub.split(separator: " ").prefix(2).joined(separator: " ")
            try clientPub.write(toFile: dir + "/authorized_keys", atomically: true, encoding: .utf8)
            chmod(dir + "/authorized_keys", 0o644)
            let address = chain?.addresses[index] ?? "\(loopbackBase).\(index + 1)"
            let ports = Array(firstPort..<(firstPort + (index == count - 1 ? targetPorts : 1)))
            let config =
                ports.map { "Port \($0)\n" }.joined() + """
                    ListenAddress \(address)
                    HostKey \(dir)/ssh_host_ed25519_key
                    PidFile \(dir)/sshd.pid
                    AuthorizedKeysFile \(dir)/authorized_keys
                    PasswordAuthentication no
                    KbdInteractiveAuthentication no
                    PubkeyAuthentication yes
                    UsePAM no
                    StrictModes no
                    AllowTcpForwarding yes
                    Subsystem sftp /usr/lib/openssh/sftp-server
                    MaxStartups 200:30:400
                    LogLevel DEBUG1
                    PrintMotd no

                    """
            try config.write(toFile: dir + "/sshd_config", atomically: true, encoding: .utf8)
            for port in ports { knownHosts += "[\(address)]:\(port) \(hostKey)\n" }
            hosts.append(
                BastionLab.Host(
                    address: address, ports: ports, dir: dir, log: dir + "/sshd.log", hostKey: hostKey,
                    outgoingAddress: index + 1 < count ? chain?.peerAddresses[index + 1] : nil))
        }
        try knownHosts.write(toFile: scratch + "/known_hosts", atomically: true, encoding: .utf8)
        return BastionLab(
            isolation: chain == nil ? .loopback : .namespaces, hosts: hosts, user: user, clientKey: clientKey,
            knownHosts: scratch + "/known_hosts", scratch: scratch, remoteDirectory: remote)
    }

    /// Starts sshd in the foreground, inside `namespace` when given; returns its PID.
    static func startSSHD(_ host: BastionLab.Host, namespace: String?) throws -> pid_t {
        let config = host.dir + "/sshd_config"
        try command([sshd, "-t", "-f", config])
        if geteuid() == 0 {
            try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        }
        // `ip netns exec` execs sshd in place, so the PID is sshd's.
        let inNamespace = namespace.map { ["/usr/sbin/ip", "netns", "exec", $0] } ?? []
        return try LabProcess.spawn(inNamespace + [sshd, "-D", "-f", config, "-E", host.log])
    }

    /// Kills every sshd with its per-connection children, deletes the namespaces, and checks that no
    /// process of the lab and no namespace is left.
    static func stop(_ processes: [pid_t], chain: NetworkNamespaceChain?, directory: String) async throws {
        for pid in processes {
            for child in ProcessProbe.descendants(of: pid) { kill(child, SIGKILL) }
            kill(pid, SIGKILL)
        }
        chain?.remove()
        for pid in processes { _ = try await runOffPool { LabProcess.wait(pid) } }
        try chain?.checkRemoved()
        try await waitUntil("every sshd of the lab in \(directory) to exit") {
            ProcessProbe.pids(commandLineContaining: directory + "/host-").isEmpty
        }
    }

    /// The login user: `fleetsbx` (created like scripts/sandbox.py does) as root, else this user.
    static func loginUser() throws -> String {
        guard geteuid() == 0 else { return String(cString: getpwuid(geteuid()).pointee.pw_name) }
        if getpwnam("fleetsbx") == nil {
            try command([
                "/usr/sbin/useradd", "--system", "--create-home", "--home-dir", "/var/lib/fleetsbx", "--shell",
                "/bin/sh",
                "fleetsbx",
            ])
            // useradd leaves '!' (locked); with UsePAM no, sshd refuses locked accounts.
            try command(["/usr/sbin/usermod", "-p", "*", "fleetsbx"])
            guard getpwnam("fleetsbx") != nil else { throw SandboxError(message: "cannot create user fleetsbx") }
        }
        return "fleetsbx"
    }

    private static func keygen(_ path: String, comment: String) throws {
        try command(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
        chmod(path, 0o600)
    }
}
