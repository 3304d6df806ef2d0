import FleetCore
import Foundation
import Glibc
import Logging

/// Sends sd_notify(3) messages to `NOTIFY_SOCKET` (a path, or `@name` for an abstract socket): one
/// datagram per message, never blocking the supervisor (a full or missing socket drops the message).
/// ``SystemdNotifications`` decides what to send.
///
/// Like `sd_notify(unset_environment: 1)`, creating it removes `NOTIFY_SOCKET`, `WATCHDOG_USEC` and
/// `WATCHDOG_PID` from the process environment, so the node and the upgrade scripts do not inherit them.
final class SystemdNotifier {
    private let fd: Int32
    private let address: [UInt8]
    private var notifications: SystemdNotifications

    /// The notifier for this process, or `nil` when systemd gave no (usable) `NOTIFY_SOCKET`.
    ///
    /// - Parameters:
    ///   - environment: the process environment (read once).
    ///   - pollInterval: the loop's tick, which paces the watchdog and the extensions.
    ///   - logger: receives one warning when the tick is too slow for the watchdog.
    init?(environment: [String: String], pollInterval: Duration, logger: Logger) {
        defer {
            for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { unsetenv(name) }
        }
        guard let value = environment["NOTIFY_SOCKET"], let address = Self.socketAddress(value) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            logger.warning("cannot open a socket for NOTIFY_SOCKET", metadata: ["error": "\(GoText.errno(errno))"])
            return nil
        }
        self.fd = fd
        self.address = address
        let watchdog = Self.watchdog(environment, pid: getpid())
        if let watchdog, pollInterval * 2 > watchdog {
            logger.warning(
                "DAEMON_POLL_INTERVAL is longer than half of the systemd watchdog period; systemd may kill the agent",
                metadata: ["poll": "\(GoDuration.format(pollInterval))", "watchdog": "\(GoDuration.format(watchdog))"]
            )
        }
        let timing = SystemdNotifications.Timing(
            watchdog: watchdog,
            timeoutExtension: SystemdNotifications.Timing.timeoutExtension(pollInterval: pollInterval)
        )
        notifications = SystemdNotifications(timing: timing, now: .now)
    }

    deinit { close(fd) }

    /// Reports a snapshot of the supervisor (ready, status, extension, stopping) when it shows something new.
    func observe(_ snapshot: Supervisor.StateMachine.Snapshot) {
        if let message = notifications.observe(snapshot, now: .now) { send(message) }
    }

    /// One tick of the supervisor's loop: the watchdog ping and the running step's extension, when due.
    func tick() {
        if let message = notifications.tick(now: .now) { send(message) }
    }

    /// Sends one message as one datagram; failures are ignored, as sd_notify's callers do.
    func send(_ message: String) {
        var storage = sockaddr_un()
        storage.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &storage.sun_path) { path in
            path.copyBytes(from: address.prefix(path.count))
        }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + address.count)
        let bytes = Array(message.utf8)
        _ = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(fd, bytes, bytes.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL), socketAddress, length)
            }
        }
    }

    /// The `sun_path` bytes for a `NOTIFY_SOCKET` value: a path (NUL-terminated) or `@name` (abstract:
    /// a leading NUL, no terminator); `nil` for anything else (vsock addresses) or one too long.
    static func socketAddress(_ value: String) -> [UInt8]? {
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        let bytes: [UInt8]
        if value.hasPrefix("/") {
            bytes = Array(value.utf8) + [0]
        } else if value.hasPrefix("@"), value.utf8.count > 1 {
            bytes = [0] + Array(value.utf8.dropFirst())
        } else {
            return nil
        }
        return bytes.count <= capacity ? bytes : nil
    }

    /// `WATCHDOG_USEC` when it is meant for the process `pid` (`WATCHDOG_PID` unset or equal), as
    /// sd_watchdog_enabled(3) decides.
    static func watchdog(_ environment: [String: String], pid: Int32) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        return .microseconds(usec)
    }
}
