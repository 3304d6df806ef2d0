import Foundation
import Glibc

extension SessionContext {
    /// Bytes handed to one `libssh2_sftp_write` call: 32 × 30000, libssh2 1.10's packet size.
    static let writeWindow = 960_000

    /// Uploads `source` to `remotePath` without ever exposing a partial file there.
    ///
    /// 1. Write to `.<name>.fleet-<random>.tmp` in the target directory (mode 0600 while written),
    ///    keeping about 960 000 bytes in flight: unacknowledged bytes are passed again, unchanged,
    ///    with new bytes behind them, so the pipeline never drains between blocks.
    /// 2. Optionally `fsync`, then set `mode` exactly with setstat on the handle, then close.
    /// 3. Optionally check the temp file's sha256 on the host (``FileDigest/shellSHA256(of:)``) against
    ///    `expectedSHA256`, reading its inode in the same round trip (the rename keeps it, so a caller
    ///    can re-check the final path by identity without hashing it again).
    /// 4. Make it visible: SFTP `rename` when nothing is at the final path (OpenSSH does link+unlink,
    ///    so the final name appears complete). OpenSSH's SFTP v3 rename refuses to replace an
    ///    existing file and libssh2 1.10 has no posix-rename, so when the rename fails we run
    ///    `mv -f -T tmp final`, whose rename(2) replaces the old file atomically (never unlink+rename,
    ///    which would leave a moment with no file).
    ///
    /// On failure the temp file is removed when the connection still works; if the connection died
    /// a stray temp file stays behind (the final path is untouched) until the next file upload to the
    /// same path removes it.
    /// `deadline` bounds each step and is renewed whenever the server acknowledges data.
    func upload(
        _ source: UploadReader.Source,
        to remotePath: String,
        mode: UInt32,
        fsync: Bool,
        expectedSHA256: String?,
        progress: (@Sendable (UploadProgress) -> Void)?,
        deadline: OperationDeadline
    ) throws(SSHError) -> UInt64? {
        let reader = try UploadReader(source, host: target.host)
        let sftp = try sftp(deadline)
        if case .file = source { removeStaleTemporaries(of: remotePath, deadline: deadline) }
        let temporary = Self.temporaryName(for: remotePath)
        let handle = try sftp.open(
            temporary, .createExclusive, mode: 0o600, deadline: deadline)
        do throws(SSHError) {
            try send(reader, to: handle, remotePath: remotePath, progress: progress, deadline: deadline)
            if fsync { try handle.fsync(deadline.renewed()) }
            try handle.setPermissions(mode, deadline: deadline.renewed())
            try handle.close(deadline.renewed())
            var inode: UInt64?
            if let expectedSHA256 {
                inode = try verifySHA256(
                    temporary, expected: expectedSHA256, finalPath: remotePath, deadline: deadline.renewed())
            }
            try publish(temporary, as: remotePath, sftp: sftp, deadline: deadline.renewed())
            return inode
        } catch {
            if session.broken == nil {
                try? sftp.unlink(temporary, deadline: OperationDeadline(after: .seconds(5)))
            }
            throw error
        }
    }

    private func send(
        _ reader: UploadReader,
        to handle: LibSSH2SFTPHandle,
        remotePath: String,
        progress: (@Sendable (UploadProgress) -> Void)?,
        deadline: OperationDeadline
    ) throws(SSHError) {
        let window = Self.writeWindow
        // Room for four windows: the unacknowledged tail moves to the front once per three windows sent.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4 * window, alignment: 16)
        defer { buffer.deallocate() }
        var start = 0
        var end = 0
        var atEOF = false
        var sent: Int64 = 0
        var reported: Int64 = 0
        var deadline = deadline
        while true {
            if start >= buffer.count - window {
                buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
                end -= start
                start = 0
            }
            // Refill only once less than a window is buffered: a few large reads instead of one per ack.
            while !atEOF && end - start < window && end < buffer.count {
                let count = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
                if count == 0 { atEOF = true } else { end += count }
            }
            if start == end { break }
            let acked = try handle.writeOnce(UnsafeRawBufferPointer(rebasing: buffer[start..<min(end, start + window)]))
            if acked > 0 {
                try handle.throwIfCancelled(deadline)  // acknowledgements can keep coming with no wait to notice Ctrl-C
                start += acked
                sent += Int64(acked)
                deadline = deadline.renewed()
                if let progress, sent - reported >= 1 << 20 || sent == reader.size {
                    reported = sent
                    progress(UploadProgress(bytesSent: sent, totalBytes: reader.size))
                }
            } else {
                try handle.wait(deadline)
            }
        }
        if let progress, reported != sent || sent == 0 {
            progress(UploadProgress(bytesSent: sent, totalBytes: reader.size))
        }
    }

    private func verifySHA256(
        _ temporary: String, expected: String, finalPath: String, deadline: OperationDeadline
    ) throws(SSHError) -> UInt64? {
        let script = "P=\(ShellQuote.quote(temporary)); \(FileDigest.shellSHA256(of: "\"$P\"")) && stat -c %i -- \"$P\""
        let result = try exec(script, stdin: nil, deadline: deadline)
        let lines = result.output.split(separator: "\n")
        let actual = lines.first?.split(separator: " ").first.map { String($0).lowercased() } ?? ""
        guard result.succeeded else {
            let why = result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            throw SSHError(
                .remoteCommand, host: target.host, operation: "verify \(finalPath)",
                message: "hashing the uploaded file failed (exit \(result.exitStatus ?? -1))"
                    + (why.isEmpty ? "" : ": \(why)"))
        }
        guard actual == expected.lowercased() else {
            throw SSHError(
                .remoteCommand, host: target.host, operation: "verify \(finalPath)",
                message: "the uploaded file has sha256 \(actual), expected \(expected.lowercased())",
                hint: "The local file changed during the upload or the transfer was corrupted; upload again")
        }
        return lines.count > 1 ? UInt64(lines[1].trimmingCharacters(in: .whitespaces)) : nil
    }

    private func publish(
        _ temporary: String, as finalPath: String, sftp: LibSSH2SFTP, deadline: OperationDeadline
    ) throws(SSHError) {
        do throws(SSHError) {
            try sftp.rename(temporary, to: finalPath, deadline: deadline)
        } catch  where error.code == .sftp {
            _ = try run(
                ["mv", "-f", "-T", "--", temporary, finalPath], operation: "replace \(finalPath)", deadline: deadline)
        }
    }

    /// Removes temp files an earlier upload to the same path left when its connection died.
    ///
    /// One `rm -f` over exec (a few milliseconds); the glob only matches `.<name>.fleet-*.tmp`, and
    /// every fixed part of it is quoted. Failures are ignored: the upload itself does not need it.
    private func removeStaleTemporaries(of remotePath: String, deadline: OperationDeadline) {
        _ = try? exec("rm -f -- \(Self.temporaryGlob(for: remotePath))", stdin: nil, deadline: deadline)
    }

    /// `<dir>/.<name>.fleet-<16 hex>.tmp`, next to the final path so the rename stays on one file system.
    static func temporaryName(for remotePath: String) -> String {
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        return temporaryPrefix(for: remotePath) + random + ".tmp"
    }

    /// A shell glob matching every ``temporaryName(for:)`` of `remotePath` and nothing else; its fixed
    /// parts are quoted, so it is one word for `sh` whatever the path holds.
    static func temporaryGlob(for remotePath: String) -> String {
        ShellQuote.quote(temporaryPrefix(for: remotePath)) + "*" + ShellQuote.quote(".tmp")
    }

    /// `<dir>/.<name>.fleet-`, the fixed start of every temporary name of `remotePath`.
    private static func temporaryPrefix(for remotePath: String) -> String {
        let slash = remotePath.lastIndex(of: "/")
        let directory = slash.map { String(remotePath[...$0]) } ?? ""
        let name = slash.map { String(remotePath[remotePath.index(after: $0)...]) } ?? remotePath
        return "\(directory).\(name).fleet-"
    }
}
