import Synchronization

/// The process's bastion connections, one per distinct hop chain, shared by every host behind it.
///
/// `SSHConnection` asks the pool for a tunnel when its target's route is `.jump`; the pool starts the
/// chain's ``BastionConnection`` on first use (and, for a two-hop chain, the first hop's through the
/// same pool), so sixteen hosts behind one bastion make one connection to it, not sixteen.
///
/// Channels per bastion connection: at most ``channelsPerBastion`` (10, sshd's default `MaxSessions`).
/// OpenSSH does not count `direct-tcpip` channels against `MaxSessions`, but every tunnel carries a
/// whole host session through one TCP connection, so the bound keeps one bastion from multiplexing an
/// unbounded share of a large fleet and keeps a waiting host's turn predictable; hosts past it wait.
///
/// Long-lived tunnels (sessions kept open for a whole run by ``PersistentSessions``, as `status --watch`
/// does) never end, so under that bound an eleventh host would wait forever. They have their own cap,
/// ``longLivedChannelsPerBastion`` (256): they carry one small exec per refresh, so many of them share one
/// connection cheaply, and they never take one of the 10 channels short sessions take turns on.
final class BastionPool: Sendable {
    /// The pool every connection uses.
    static let shared = BastionPool()

    /// Tunnels open at once through one bastion connection.
    static let channelsPerBastion = 10
    /// Long-lived tunnels open at once through one bastion connection, beside ``channelsPerBastion``.
    static let longLivedChannelsPerBastion = 256
    /// How long an unused bastion connection stays open for the next host.
    static let idleLinger: Duration = .seconds(2)

    private let connections = Mutex<[[SSHTarget]: BastionConnection]>([:])
    /// Every connection whose thread still runs, in the pool or not (retired ones say goodbye after leaving).
    private let running = Mutex<[ObjectIdentifier: BastionConnection]>([:])

    /// Opens a tunnel through the bastions of `chain` to `host`:`port` and returns the socket a session
    /// to the host runs over (the caller owns it).
    ///
    /// Blocks the calling thread (a session thread, never the cooperative pool) while the request waits
    /// for a free channel (at most `queueTimeout`) and while the bastion opens it (at most `openTimeout`).
    /// `longLived` tunnels count against ``longLivedChannelsPerBastion`` instead of ``channelsPerBastion``.
    /// - Throws: the bastion's own failure (unreachable, timed out, host key, authentication) with the
    ///   bastion named and the requesting host as the error's host (``TunnelRequest/throughBastion(_:bastion:)``);
    ///   `.timedOut`, `.cancelled`, or `.connect` when the bastion cannot reach the host.
    func openTunnel(
        through chain: [SSHTarget],
        to host: String,
        port: Int,
        longLived: Bool = false,
        queueTimeout: Duration,
        openTimeout: Duration,
        cancel: CancelFlag?
    ) throws(SSHError) -> Int32 {
        let request = TunnelRequest(host: host, port: port, longLived: longLived)
        let bastion = connections.withLock { connections in
            let connection =
                connections[chain] ?? startConnection(chain)
            connections[chain] = connection
            connection.enqueue(request)
            return connection.name
        }
        return try request.wait(
            bastion: bastion, queueTimeout: queueTimeout, openTimeout: openTimeout, cancel: cancel)
    }

    private func startConnection(_ chain: [SSHTarget]) -> BastionConnection {
        _ = LibSSH2.initialized  // Registers the exit hook before any bastion thread exists.
        let connection = BastionConnection(
            chain: chain, maxChannels: Self.channelsPerBastion, maxLongLivedChannels: Self.longLivedChannelsPerBastion,
            idleLinger: Self.idleLinger, pool: self)
        running.withLock { $0[ObjectIdentifier(connection)] = connection }
        connection.start()
        return connection
    }

    /// Called by a connection's thread when it is done with libssh2.
    func threadEnded(_ connection: BastionConnection) {
        _ = running.withLock { $0.removeValue(forKey: ObjectIdentifier(connection)) }
    }

    /// Removes `connection` if it is idle with nothing queued; the connection then closes itself.
    func retire(_ connection: BastionConnection) -> Bool {
        connections.withLock { connections in
            guard connections[connection.chain] === connection, !connection.hasIncoming else { return false }
            connections[connection.chain] = nil
            return true
        }
    }

    /// Closes every connection before the process exits: each says goodbye to its bastion (waiting at most
    /// `limit` in all) and makes no libssh2 call afterwards, since OpenSSL tears itself down at exit.
    func closeAllForExit(within limit: Duration = .seconds(1)) {
        connections.withLock { $0 = [:] }
        let open = running.withLock { Array($0.values) }
        let deadline = ContinuousClock.now + limit
        for connection in open {
            connection.closeForExit(within: max(.zero, ContinuousClock.now.duration(to: deadline)))
        }
    }

    /// Removes `connection` after it failed, so the next request starts a fresh one.
    func forget(_ connection: BastionConnection) {
        connections.withLock { connections in
            if connections[connection.chain] === connection { connections[connection.chain] = nil }
        }
    }
}
