import CSSH2
import Foundation

/// Owns one `LIBSSH2_CHANNEL` (an exec session); used only on its session's thread.
final class LibSSH2Channel {
    private let raw: OpaquePointer
    private let session: LibSSH2Session

    /// Opens a session channel.
    init(session: LibSSH2Session, deadline: OperationDeadline) throws(SSHError) {
        let pointer = try session.retryingPointer(deadline, operation: "open channel") {
            cssh2_channel_open_session(session.raw)
        }
        guard let pointer else {
            let rc = libssh2_session_last_errno(session.raw)
            throw session.error(
                rc: rc, operation: "open channel", code: .channel,
                hint: "sshd refused a new channel (MaxSessions reached?)")
        }
        self.raw = pointer
        self.session = session
    }

    deinit {
        // Freeing sends CHANNEL_CLOSE if we have not; on a broken session libssh2_session_free frees it instead.
        guard session.broken == nil else { return }
        let deadline = OperationDeadline(after: .seconds(2))
        _ = try? session.retrying(deadline, operation: "free channel") { libssh2_channel_free(raw) }
    }

    /// Runs `command`, feeding `stdin` and reading stdout and stderr interleaved until the channel closes.
    ///
    /// Both streams are drained in the same loop, so neither can fill the 2 MiB channel window and
    /// stall the other. Each keeps at most `outputLimit` bytes; past that, output is still read (so
    /// the command is never blocked on a full window) but dropped, and the result says so.
    /// `deadline` bounds the whole call.
    func exec(
        _ command: String, stdin: Data?, outputLimit: Int, deadline: OperationDeadline
    ) throws(SSHError) -> ExecResult {
        let operation = "exec"
        let rc = try session.retrying(deadline, operation: operation) { cssh2_channel_exec(raw, command) }
        try LibSSH2.check(rc, session: session, operation: operation, code: .channel)
        var stdinBytes = stdin.map { [UInt8]($0) } ?? []
        var stdinOffset = 0
        var stdinClosed = false
        var output = [Data(), Data()]
        var truncated = [false, false]
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            var progressed = false
            if !stdinClosed {
                if stdinOffset < stdinBytes.count {
                    let written = stdinBytes.withUnsafeBufferPointer { all in
                        all.baseAddress!.advanced(by: stdinOffset).withMemoryRebound(to: CChar.self, capacity: 1) {
                            cssh2_channel_write(raw, $0, min(all.count - stdinOffset, 256 * 1024))
                        }
                    }
                    if written > 0 {
                        stdinOffset += written
                        progressed = true
                    } else if written < 0 && written != Int(LIBSSH2_ERROR_EAGAIN) {
                        // The command closed its stdin early; keep collecting its output.
                        stdinClosed = true
                    }
                }
                if stdinOffset >= stdinBytes.count && !stdinClosed {
                    // Any answer but EAGAIN ends our side: success, or the command already closed its stdin.
                    if libssh2_channel_send_eof(raw) != LIBSSH2_ERROR_EAGAIN {
                        stdinClosed = true
                        stdinBytes = []
                    }
                }
            }
            for stream in [0, 1] {
                let count = buffer.withUnsafeMutableBufferPointer { all in
                    all.baseAddress!.withMemoryRebound(to: CChar.self, capacity: all.count) {
                        stream == 0
                            ? cssh2_channel_read(raw, $0, all.count) : cssh2_channel_read_stderr(raw, $0, all.count)
                    }
                }
                if count > 0 {
                    let kept = min(count, max(0, outputLimit - output[stream].count))
                    output[stream].append(contentsOf: buffer[0..<kept])
                    if kept < count { truncated[stream] = true }
                    progressed = true
                } else if count < 0 && count != Int(LIBSSH2_ERROR_EAGAIN) {
                    throw session.error(rc: Int32(count), operation: operation, code: .channel)
                }
            }
            if progressed { continue }
            if libssh2_channel_eof(raw) != 0 { break }
            try session.waitSocket(deadline, operation: operation)
        }
        try LibSSH2.check(
            try session.retrying(deadline, operation: operation) { libssh2_channel_close(raw) },
            session: session, operation: operation, code: .channel)
        try LibSSH2.check(
            try session.retrying(deadline, operation: operation) { libssh2_channel_wait_closed(raw) },
            session: session, operation: operation, code: .channel)
        let signal = exitSignal()
        let status = libssh2_channel_get_exit_status(raw)
        return ExecResult(
            stdout: output[0], stderr: output[1], exitStatus: signal == nil ? status : nil, exitSignal: signal,
            stdoutTruncated: truncated[0], stderrTruncated: truncated[1])
    }

    /// The name of the signal that killed the command, if one did.
    private func exitSignal() -> String? {
        var name: UnsafeMutablePointer<CChar>?
        var length = 0
        guard libssh2_channel_get_exit_signal(raw, &name, &length, nil, nil, nil, nil) == 0, let name else {
            return nil
        }
        defer { libssh2_free(session.raw, name) }
        return length > 0 ? String(cString: name) : nil
    }
}

@available(*, unavailable)
extension LibSSH2Channel: Sendable {}
