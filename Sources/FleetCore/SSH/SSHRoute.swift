/// How the TCP stream to a host is made.
public enum SSHRoute: Sendable, Hashable {
    /// A TCP connection from here.
    case direct
    /// Through these bastions, first hop first (`ProxyJump`): each hop is an SSH session of its own,
    /// with its own host-key check, and the next hop (then the host) is reached over a `direct-tcpip`
    /// channel of the previous one. Every hop's own route is `.direct`.
    case jump([SSHTarget])
    /// Never attempted: connecting throws this error (`ProxyCommand`, an unusable `ProxyJump`).
    case refused(SSHError)

    /// The bastions, first hop first; empty unless the route is `.jump`.
    public var jumpHosts: [SSHTarget] {
        if case .jump(let hops) = self { return hops }
        return []
    }
}
