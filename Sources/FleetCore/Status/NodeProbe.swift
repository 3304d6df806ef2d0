public import Foundation

/// One round trip that reads a node's whole state: `node-agent status --json` where the agent is
/// installed, otherwise plain POSIX shell probes (`readlink`, `sha256sum`, `stat`, `df`, the RPC).
///
/// A binary's sha256 and `version` output are kept in `${XDG_CACHE_HOME:-$HOME/.cache}/fleet-probe` on the
/// node, keyed by device, inode, size, mtime and ctime (nanoseconds): any write, rename over or chmod
/// changes the ctime, which no user can set back, so a changed file is hashed again. As git does with its
/// index, a file changed less than `cacheMinimumAge` (2 s) ago is not cached, so a write within one
/// timestamp tick of the probe cannot hide behind an entry. Without a writable cache every probe hashes
/// and asks every binary.
///
/// The probe reports raw observations only (the `current` link as written, the binaries, the bytes of
/// the plan files); what they mean (the selected binary, a pending plan) is derived by ``NodeFacts``, as
/// `node-agent status` derives it.
///
/// ``command(for:cacheMinimumAge:)`` builds the remote command (every interpolated value shell-quoted);
/// ``parse(stdout:exitStatus:target:collectedAt:)`` turns its output into a ``NodeStatus``. Both are pure.
public enum NodeProbe {
    /// Where the node keeps things, from the inventory.
    public struct Target: Sendable, Equatable {
        /// `DAEMON_HOME` on the node.
        public var daemonHome: String
        /// `DAEMON_NAME`.
        public var daemonName: String
        /// CometBFT RPC as the node sees it.
        public var nodeRPC: String
        /// node-agent's path on the node, when known.
        public var agentPath: String?

        /// Creates a target.
        public init(daemonHome: String, daemonName: String, nodeRPC: String, agentPath: String?) {
            self.daemonHome = daemonHome
            self.daemonName = daemonName
            self.nodeRPC = nodeRPC
            self.agentPath = agentPath
        }
    }

    /// The node's cache folder, as a shell word (expanded on the node).
    public static let cacheDirectory = #""${XDG_CACHE_HOME:-$HOME/.cache}/fleet-probe""#
    /// The `stat -c` format of a cache key (device, inode, size, mtime, ctime), quoted as one shell word.
    public static let cacheKeyFormat = "'%d_%i_%s_%.9Y_%.9Z'"

    /// The remote command for `target`.
    ///
    /// - Parameter cacheMinimumAge: seconds a binary must be unchanged before its facts are cached.
    public static func command(for target: Target, cacheMinimumAge: Int = 2) -> String {
        let agent = target.agentPath ?? "node-agent"
        return """
            H=\(ShellQuote.quote(target.daemonHome)); N=\(ShellQuote.quote(target.daemonName)); \
            RPC=\(ShellQuote.quote(target.nodeRPC)); A=\(ShellQuote.quote(agent))
            case "$A" in */*) ;; *) A=$(command -v "$A" 2>/dev/null || true) ;; esac
            if [ -n "$A" ] && [ -x "$A" ]; then
              echo '#agent'
              DAEMON_HOME="$H" DAEMON_NAME="$N" NODE_AGENT_RPC="$RPC" COSMOVISOR_DISABLE_LOGS=true "$A" status --json
              exit $?
            fi
            echo '#probe'
            b64() { base64 -w0 2>/dev/null || base64 | tr -d '\\n'; }
            p() { printf '%s' "$1" | b64; }
            printf 'now\\t%s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
            L="$H/cosmovisor/current"
            if [ -L "$L" ]; then
              k=none; if [ -d "$L" ]; then k=dir; elif [ -e "$L" ]; then k=file; fi
              printf 'current\\t%s\\t%s\\n' "$k" "$(p "$(readlink "$L")")"
            elif [ -e "$L" ]; then printf 'current\\tnotlink\\t\\n'; fi
            C=\(cacheDirectory); mkdir -p "$C" 2>/dev/null || C=""
            for d in "$H/cosmovisor/genesis" "$H/cosmovisor/upgrades"/*; do
              [ -d "$d" ] || continue
              b="$d/bin/$N"; n=$(basename "$d")
              if [ -f "$b" ]; then
                x=0; [ -x "$b" ] && x=1; k=$(stat -L -c \(cacheKeyFormat) "$b"); z=$(echo "$k" | cut -d_ -f3); s=""; v=""
                if [ -n "$C" ] && [ -r "$C/$k" ]; then read -r s v < "$C/$k"; fi
                if [ -z "$s" ]; then
                  s=$(sha256sum "$b" | cut -c1-64)
                  if [ "$x" = 1 ]; then v=$(timeout 5 "$b" version 2>/dev/null </dev/null | head -n1); v=$(p "$v"); fi
                  c=$(stat -L -c %Z "$b"); t=$(date +%s)
                  if [ -n "$C" ] && [ $((t - c)) -ge \(max(0, cacheMinimumAge)) ] && { [ -n "$v" ] || [ "$x" = 0 ]; }; then
                    printf '%s %s\\n' "$s" "$v" > "$C/$k.$$" && mv -f "$C/$k.$$" "$C/$k"
                  fi
                fi
                printf 'binary\\t%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' "$(p "$n")" "$(p "$b")" "$s" "$x" "$z" "$v"
              else
                printf 'binary\\t%s\\t\\t\\t0\\t\\t\\n' "$(p "$n")"
              fi
            done
            if [ -f "$H/data/upgrade-info.json" ]; then printf 'plan\\t%s\\n' "$(b64 < "$H/data/upgrade-info.json")"; fi
            if [ -f "$H/cosmovisor/current/upgrade-info.json" ]; then
              printf 'applied\\t%s\\n' "$(b64 < "$H/cosmovisor/current/upgrade-info.json")"
            fi
            k="$H/config/priv_validator_key.json"
            if [ -r "$k" ]; then
              printf 'address\\t%s\\n' "$(sed -n 's/.*"address"[[:space:]]*:[[:space:]]*"\\([0-9A-Fa-f]*\\)".*/\\1/p' "$k" | head -n1)"
            fi
            c="$H/config/config.toml"
            if [ -r "$c" ]; then
              printf 'signer\\t%s\\n' "$(p "$(sed -n 's/^[[:space:]]*priv_validator_laddr[[:space:]]*=[[:space:]]*"\\(.*\\)".*/\\1/p' "$c" | head -n1)")"
            fi
            printf 'df\\t%s\\n' "$(df -Pk "$H" 2>/dev/null | awk 'NR==2 {print $2" "$4}')"
            if command -v curl >/dev/null 2>&1; then r=$(curl -fsS -m 3 "$RPC/status" 2>&1)
            elif command -v wget >/dev/null 2>&1; then r=$(wget -q -T 3 -O - "$RPC/status" 2>&1)
            else r='no curl or wget on the node'; fi
            printf 'rpc\\t%s\\n' "$(p "$r")"
            """
    }

    /// Parses the output of ``command(for:)``.
    ///
    /// - Returns: the status and whether it came from the agent or the probes.
    /// - Throws: ``NodeProbe/ParseError`` when the output is neither.
    public static func parse(
        stdout: Data,
        exitStatus: Int32,
        target: Target,
        collectedAt: String
    ) throws(ParseError) -> (NodeStatus, HostObservation.Source) {
        let text = String(decoding: stdout, as: UTF8.self)
        if text.hasPrefix("#agent\n") {
            let body = Data(text.dropFirst("#agent\n".count).utf8)
            do {
                return (try NodeStatus.decode(body), .agent)
            } catch {
                let excerpt = String(decoding: body.prefix(200), as: UTF8.self)
                throw ParseError(
                    reason: "node-agent status --json exited \(exitStatus) with unreadable output: \(excerpt)")
            }
        }
        guard text.hasPrefix("#probe\n") else {
            throw ParseError(reason: "unexpected probe output: \(text.prefix(200))")
        }
        return (parseProbe(text, target: target, collectedAt: collectedAt), .probe)
    }

    /// Output that is neither an agent document nor probe lines.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What was wrong.
        public var reason: String
        public var description: String { reason }
    }

    // MARK: - probe lines

    private static func parseProbe(_ text: String, target: Target, collectedAt: String) -> NodeStatus {
        var status = NodeStatus(
            collectedAt: collectedAt, daemonName: target.daemonName, daemonHome: target.daemonHome,
            current: .init(target: nil)
        )
        var current = CurrentLinkObservation.missing
        var plan: Data?
        var applied: Data?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true).dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "now": status.collectedAt = fields[safe: 1] ?? collectedAt
            case "current": current = currentObservation(kind: fields[safe: 1], target: decode64(fields[safe: 2]))
            case "binary":
                guard fields.count >= 7 else { continue }
                let path = decode64(fields[2]).flatMap { $0.isEmpty ? nil : $0 }
                status.binaries.append(
                    .init(
                        name: decode64(fields[1]) ?? "?", path: path,
                        sha256: fields[3].isEmpty ? nil : fields[3],
                        version: decode64(fields[6]).flatMap { $0.isEmpty ? nil : $0 },
                        executable: fields[4] == "1", size: Int64(fields[5])
                    )
                )
            case "plan": plan = fields[safe: 1].flatMap { Data(base64Encoded: $0) }
            case "applied": applied = fields[safe: 1].flatMap { Data(base64Encoded: $0) }
            case "address": status.consensus.address = fields[safe: 1].flatMap { $0.isEmpty ? nil : $0.uppercased() }
            case "signer": status.consensus.remoteSigner = decode64(fields[safe: 1]).flatMap { $0.isEmpty ? nil : $0 }
            case "df":
                let parts = (fields[safe: 1] ?? "").split(separator: " ").compactMap { Int64($0) }
                if parts.count == 2 { status.disk = .init(freeBytes: parts[1] * 1024, totalBytes: parts[0] * 1024) }
            case "rpc":
                let body = decode64(fields[safe: 1]) ?? ""
                if let comet = try? CometBFTStatus.parse(Data(body.utf8)) {
                    status.chain = .init(
                        height: comet.height, catchingUp: comet.catchingUp,
                        latestBlockTime: comet.latestBlockTime, network: comet.network
                    )
                } else {
                    let reason = body.split(separator: "\n").first.map(String.init) ?? "no answer"
                    status.chain = .init(height: nil, catchingUp: nil, error: reason)
                }
            default: continue
            }
        }
        if status.consensus.remoteSigner != nil { status.consensus.address = nil }
        let facts = NodeFacts(
            layout: CosmovisorLayout(home: target.daemonHome, daemonName: target.daemonName),
            current: current, binaries: status.binaries, plan: plan, appliedRecord: applied, disableRecase: false
        )
        status.current = facts.current
        status.pendingPlan = facts.pendingPlan
        return status
    }

    /// The probe's `current` line: `dir`, `file` or `none` for a link (what following it reaches) and its
    /// target (cut at ``CurrentLinkObservation/maximumTargetLength`` bytes, as the agent reads it), or `notlink`.
    private static func currentObservation(kind: String?, target: String?) -> CurrentLinkObservation {
        if kind == "notlink" { return .notASymlink }
        let destination = kind.flatMap(CurrentLinkObservation.Destination.init(rawValue:)) ?? .nothing
        let bounded = (target ?? "").utf8.prefix(CurrentLinkObservation.maximumTargetLength)
        return .symlink(target: String(decoding: bounded, as: UTF8.self), destination: destination)
    }

    private static func decode64(_ text: String?) -> String? {
        guard let text, let data = Data(base64Encoded: text) else { return text?.isEmpty == true ? "" : nil }
        return String(decoding: data, as: UTF8.self)
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
