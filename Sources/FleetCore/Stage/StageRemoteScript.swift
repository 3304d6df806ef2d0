public import Foundation

/// The shell commands `fleet stage` runs on a node, and the parsers of what they print. Pure.
///
/// Every interpolated value goes through ``ShellQuote``; the temp-file names are the upload's
/// (`<dir>/.<name>.fleet-<random>.tmp`), so one pattern is recognised and cleaned up by both modes.
///
/// Hashing a staged binary on every rerun would cost as much CPU as the first push, so the sha256 of a
/// file is taken from ``NodeProbe``'s cache on the node when an entry matches the file's device, inode,
/// size, mtime and ctime (nanoseconds): `<key>` written by the probe, or `<key>.sha256` written by
/// ``recheck(target:verified:sha256:)`` for the file a stage just verified and renamed into place. Any
/// write, rename over or chmod changes the ctime, so a changed file is hashed again; the only file
/// recorded younger than the probe's 2 s rule is one whose content was verified under a random temp
/// name before the rename made it reachable.
public enum StageRemoteScript {
    // MARK: - Inspect

    /// Removes leftover temp files of `target`, then reports what is at `target` (one round trip).
    ///
    /// Prints `removed\t<n>`, `space\t<KiB free>` (for the target's nearest existing folder, when `df`
    /// answers), then `target\tmissing|file|symlink|directory|other[\t<sha256>]`.
    public static func inspect(target: String) -> String {
        """
        T=\(ShellQuote.quote(target)); n=0
        for f in \(SessionContext.temporaryGlob(for: target)); do
          if [ -f "$f" ] && rm -f -- "$f"; then n=$((n + 1)); fi
        done
        printf 'removed\\t%s\\n' "$n"
        d=$(dirname -- "$T"); while [ ! -d "$d" ] && [ "$d" != / ]; do d=$(dirname -- "$d"); done
        k=$(df -Pk -- "$d" 2>/dev/null | awk 'NR == 2 { print $4 }')
        case "$k" in ''|*[!0-9]*) ;; *) printf 'space\\t%s\\n' "$k" ;; esac
        if [ -L "$T" ] && [ ! -f "$T" ]; then printf 'target\\tsymlink\\n'
        elif [ -d "$T" ]; then printf 'target\\tdirectory\\n'
        elif [ -f "$T" ]; then
          C=\(NodeProbe.cacheDirectory); s=""
          k=$(stat -L -c \(NodeProbe.cacheKeyFormat) -- "$T" 2>/dev/null) || k=""
          if [ -n "$k" ] && [ -r "$C/$k.sha256" ]; then read -r s < "$C/$k.sha256"
          elif [ -n "$k" ] && [ -r "$C/$k" ]; then read -r s _ < "$C/$k"; fi
          [ ${#s} -eq 64 ] || s=$(\(FileDigest.shellSHA256(of: "\"$T\"")) | cut -c1-64)
          [ -n "$s" ] || exit 3
          printf 'target\\tfile\\t%s\\n' "$s"
        elif [ -e "$T" ]; then printf 'target\\tother\\n'
        else printf 'target\\tmissing\\n'; fi
        """
    }

    /// Parses what ``inspect(target:)`` printed.
    /// - Returns: the facts, or a reason when the output is not the script's (bounded, may be untrusted).
    public static func parseInspection(
        stdout: Data, exitStatus: Int32?, stderr: Data
    ) -> Result<StageRemoteFacts, StageFailure> {
        var removed = 0
        var free: Int64?
        var target: StageRemoteFacts.Target?
        for line in String(decoding: stdout, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch (fields.first, fields.count) {
            case ("removed", 2): removed = Int(fields[1]) ?? 0
            case ("space", 2): free = Int64(fields[1]).flatMap { $0 > Int64.max / 1024 ? nil : $0 * 1024 }
            case ("target", 2):
                switch fields[1] {
                case "missing": target = .missing
                case "symlink": target = .symlink
                case "directory": target = .directory
                case "other": target = .other
                default: break
                }
            case ("target", 3) where fields[1] == "file" && isSHA256(fields[2]):
                target = .file(sha256: fields[2])
            default: break
            }
        }
        guard exitStatus == 0, let target else {
            return .failure(.init(reason: "reading the target failed" + detail(exitStatus, stderr)))
        }
        return .success(StageRemoteFacts(target: target, removedTemporaries: removed, freeBytes: free))
    }

    // MARK: - Recheck

    /// Prints the inode and size of `target` (`<inode> <size>`), or nothing when it is not a regular file;
    /// when they are `verified`'s, records `sha256` for the file in the probe's cache (see above).
    public static func recheck(target: String, verified: StageRemoteFacts.Identity, sha256: String) -> String {
        """
        T=\(ShellQuote.quote(target)); W=\(ShellQuote.quote(sha256.lowercased()))
        if [ -f "$T" ] && [ ! -L "$T" ]; then
          i=$(stat -c '%i %s' -- "$T") || exit 1
          printf '%s\\n' "$i"
          if [ "$i" = \(ShellQuote.quote("\(verified.inode) \(verified.size)")) ]; then
            C=\(NodeProbe.cacheDirectory); k=$(stat -c \(NodeProbe.cacheKeyFormat) -- "$T") && mkdir -p "$C" &&
              printf '%s\\n' "$W" > "$C/$k.sha256.$$" && mv -f "$C/$k.sha256.$$" "$C/$k.sha256"
          fi 2>/dev/null
        fi
        exit 0
        """
    }

    /// What ``recheck(target:)`` printed (nil for no file), or why the check failed.
    public static func parseRecheck(
        stdout: Data, exitStatus: Int32?, stderr: Data
    ) -> Result<StageRemoteFacts.Identity?, StageFailure> {
        guard exitStatus == 0 else {
            return .failure(.init(reason: "re-reading the target failed" + detail(exitStatus, stderr)))
        }
        return .success(identity(String(decoding: stdout, as: UTF8.self)))
    }

    /// `<inode> <size>` as an identity.
    static func identity(_ text: String) -> StageRemoteFacts.Identity? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        guard fields.count == 2, let inode = UInt64(fields[0]), let size = Int64(fields[1]) else { return nil }
        return StageRemoteFacts.Identity(inode: inode, size: size)
    }

    // MARK: - Pull

    /// Exit codes of ``pull(url:sha256:maximumBytes:target:replacing:)`` that name a reason.
    enum PullExit: Int32 {
        case noCurl = 10, download = 11, mismatch = 12, disconnected = 13, appeared = 14
    }

    /// Downloads `url` on the node into a temp name beside `target`, checks its sha256, makes it 0755,
    /// flushes it and renames it into place; on any failure (or a dropped connection, noticed by the
    /// write before the rename) the temp file is removed, `target` is untouched, and the directories the
    /// script created (`bin/` and, when empty, its parent) are removed again.
    ///
    /// `curl --fail --location --proto =http,https --proto-redir =http,https --max-filesize`; without
    /// `replacing`, the rename is a hard link, which fails when a file appeared at `target` meanwhile.
    /// Prints `verified\t<inode> <bytes>` before the rename and `done` after it.
    public static func pull(url: String, sha256: String, maximumBytes: Int64, target: String, replacing: Bool) -> String
    {
        let temporary = SessionContext.temporaryName(for: target)
        let directory = target.lastIndex(of: "/").map { String(target[..<$0]) } ?? "."
        let publish =
            replacing
            ? "mv -f -T -- \"$P\" \"$T\" || exit 1"
            : "ln -- \"$P\" \"$T\" || exit \(PullExit.appeared.rawValue); rm -f -- \"$P\""
        return """
            T=\(ShellQuote.quote(target)); P=\(ShellQuote.quote(temporary)); U=\(ShellQuote.quote(url))
            W=\(ShellQuote.quote(sha256.lowercased())); M=\(ShellQuote.quote(String(maximumBytes)))
            D=\(ShellQuote.quote(directory)); c=0; [ -d "$D" ] || c=1
            trap 'rm -f -- "$P"; if [ $c = 1 ] && [ ! -e "$T" ]; then rmdir -- "$D" && rmdir -- "${D%/*}"; fi 2>/dev/null' EXIT
            trap 'exit 1' HUP INT TERM PIPE
            command -v curl >/dev/null 2>&1 || exit \(PullExit.noCurl.rawValue)
            mkdir -p -- "$D" || exit 1
            ( umask 077; exec curl --fail --location --proto =http,https --proto-redir =http,https \\
              --max-filesize "$M" --silent --show-error --output "$P" --url "$U" ) || exit \(PullExit.download.rawValue)
            s=$(\(FileDigest.shellSHA256(of: "\"$P\"")) | cut -c1-64)
            if [ "$s" != "$W" ]; then printf 'sha256\\t%s\\n' "$s"; exit \(PullExit.mismatch.rawValue); fi
            chmod 0755 -- "$P" || exit 1
            sync -- "$P" 2>/dev/null || sync
            printf 'verified\\t%s\\n' "$(stat -c '%i %s' -- "$P")" || exit \(PullExit.disconnected.rawValue)
            \(publish)
            printf 'done\\n'
            """
    }

    /// The downloaded file's identity (its size is the bytes downloaded), or why the pull failed.
    public static func parsePull(
        stdout: Data, exitStatus: Int32?, stderr: Data, url: String, sha256: String
    ) -> Result<StageRemoteFacts.Identity, StageFailure> {
        let lines = String(decoding: stdout, as: UTF8.self).split(separator: "\n")
        func value(_ key: String) -> String? {
            lines.lazy.map { $0.split(separator: "\t", maxSplits: 1) }.first {
                $0.first == Substring(key) && $0.count == 2
            }
            .map { String($0[1]) }
        }
        if exitStatus == 0, lines.contains("done"), let verified = value("verified").flatMap(identity) {
            return .success(verified)
        }
        switch exitStatus.flatMap(PullExit.init(rawValue:)) {
        case .noCurl:
            return .failure(.init(reason: "curl is not installed on the node; install it or push the file instead"))
        case .download:
            let why = lastLine(stderr)
            return .failure(.init(reason: "downloading \(url) failed" + (why.isEmpty ? "" : ": \(why)")))
        case .mismatch:
            return .failure(
                .init(
                    reason: "the downloaded file has sha256 \(value("sha256") ?? "?"), expected \(sha256.lowercased())")
            )
        case .disconnected:
            return .failure(.init(reason: "the connection dropped before the rename"))
        case .appeared:
            return .failure(.init(reason: "a file appeared at the target during the download; run again"))
        case nil:
            return .failure(.init(reason: "the download script failed" + detail(exitStatus, stderr)))
        }
    }

    // MARK: -

    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    private static func lastLine(_ data: Data) -> String {
        let text = String(decoding: data.suffix(2048), as: UTF8.self)
        return text.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
    }

    private static func detail(_ exitStatus: Int32?, _ stderr: Data) -> String {
        let why = lastLine(stderr)
        return " (exit \(exitStatus.map(String.init) ?? "by signal"))" + (why.isEmpty ? "" : ": \(why)")
    }
}

/// Why one step on a host failed, in words (may quote what the node printed: escape before display).
public struct StageFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The sentence.
    public var reason: String
    /// Creates a failure.
    public init(reason: String) { self.reason = reason }
    public var description: String { reason }
}
