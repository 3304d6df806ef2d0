import Foundation
import Synchronization

/// A chain of Linux network namespaces where each one reaches only its neighbours: the first is joined
/// to this (root) namespace by a veth pair, each next one only to the one before it. So the root
/// namespace has no route into the second and later ones: only a path through the first gets there.
///
/// Needs root (`ip netns add`). Names carry this process's PID (`fleetlab-<pid>-<n>-<i>`), so
/// ``removeLeftovers()`` can tell a dead run's namespaces from a live one's.
public struct NetworkNamespaceChain: Sendable {
    /// The namespaces, first (joined to the root namespace) first.
    public var names: [String]
    /// The address of namespace `i` on the link to the one before it (the root namespace for `i` = 0).
    public var addresses: [String]
    /// The address the namespace before `i` has on that link (where `i`'s peer connects from).
    public var peerAddresses: [String]

    private static let prefix = "fleetlab-"
    private static let counter = Atomic<Int>(0)

    /// Whether this process may create namespaces (root, and `ip netns add` works here).
    public static let available: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = "\(prefix)\(getpid())-probe"
        guard (try? ip(["netns", "add", probe])) != nil else { return false }
        _ = try? ip(["netns", "del", probe])
        return true
    }()

    /// Creates `count` namespaces linked in a chain, with loopback up in each.
    /// - Throws: ``SandboxError`` with `ip`'s message; what was created is removed first.
    public static func create(_ count: Int) throws -> NetworkNamespaceChain {
        try removeLeftovers()
        let run = counter.add(1, ordering: .relaxed).newValue
        let id = "\(getpid())-\(run)"
        // 10.a.b.0/24 per link; a random block so parallel runs on this machine do not collide.
        let a = Int.random(in: 64...127)
        let b = Int.random(in: 0...(250 - count))
        var chain = NetworkNamespaceChain(names: [], addresses: [], peerAddresses: [])
        do {
            for index in 0..<count {
                let name = "\(prefix)\(id)-\(index)"
                try ip(["netns", "add", name])
                chain.names.append(name)
                try ip(["-n", name, "link", "set", "lo", "up"])
                let left = "fl\(String(getpid(), radix: 36))\(String(run, radix: 36))x\(index)a"
                let right = "fl\(String(getpid(), radix: 36))\(String(run, radix: 36))x\(index)b"
                let subnet = "10.\(a).\(b + index)"
                try ip(["link", "add", left, "type", "veth", "peer", "name", right, "netns", name])
                if index > 0 { try ip(["link", "set", left, "netns", chain.names[index - 1]]) }
                let leftSide = index > 0 ? ["-n", chain.names[index - 1]] : []
                try ip(leftSide + ["addr", "add", "\(subnet).1/24", "dev", left])
                try ip(leftSide + ["link", "set", left, "up"])
                try ip(["-n", name, "addr", "add", "\(subnet).2/24", "dev", right])
                try ip(["-n", name, "link", "set", right, "up"])
                chain.addresses.append("\(subnet).2")
                chain.peerAddresses.append("\(subnet).1")
            }
        } catch {
            chain.remove()
            throw error
        }
        return chain
    }

    /// Kills every process inside the namespaces and deletes them (their veth pairs go with them).
    public func remove() {
        for name in names.reversed() { Self.delete(name) }
    }

    /// Deletes namespaces a dead test process left behind, and throws if one of this process's
    /// removed namespaces is still there.
    public static func removeLeftovers() throws {
        for name in try list() {
            let pid = name.dropFirst(prefix.count).split(separator: "-").first.flatMap { Int32($0) }
            if let pid, !ProcessProbe.isRunning(pid) { delete(name) }
        }
    }

    /// Throws if any of these namespaces still exists.
    public func checkRemoved() throws {
        let left = Set(try Self.list()).intersection(names)
        guard left.isEmpty else {
            throw SandboxError(message: "network namespaces left behind: \(left.sorted().joined(separator: ", "))")
        }
    }

    /// Our namespaces that exist now.
    static func list() throws -> [String] {
        try ip(["netns", "list"]).split(separator: "\n").compactMap { line in
            let name = line.split(separator: " ").first.map(String.init) ?? ""
            return name.hasPrefix(prefix) ? name : nil
        }
    }

    private static func delete(_ name: String) {
        let pids = (try? ip(["netns", "pids", name])) ?? ""
        for pid in pids.split(separator: "\n").compactMap({ Int32($0) }) { kill(pid, SIGKILL) }
        _ = try? ip(["netns", "del", name])
    }

    /// Runs `ip` and returns its stdout.
    @discardableResult
    static func ip(_ arguments: [String]) throws -> String {
        try BastionLabSetup.command(["/usr/sbin/ip"] + arguments)
    }
}
