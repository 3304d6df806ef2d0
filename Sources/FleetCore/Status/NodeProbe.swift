public import Foundation

/// One round trip that reads a node's whole state: `node-agent status --json` where the agent is
/// installed, otherwise shell probes (`readlink`, `stat`, `df`, the RPC; the sha256 (``FileDigest/shellSHA256(of:)``:
/// `openssl`, else `sha256sum`) and `<bin> version` only for a binary not in the cache), run by bash where the node
/// has it, else by POSIX sh.
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
/// ``command(for:cacheMinimumAge:bash:)`` builds the remote command (every interpolated value shell-quoted);
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
    /// Where the probe looks for bash, which saves it `date` and `curl` (see ``command(for:cacheMinimumAge:bash:)``).
    public static let bashPaths = ["/bin/bash", "/usr/bin/bash"]

    /// The remote command for `target`.
    ///
    /// The probe is one script held in a variable: run by bash where the node has it (the login shell, or
    /// `exec`ed in its place, with no rc file), otherwise by the login shell as POSIX sh. Under bash it
    /// forks only `readlink`, one `stat` per binary and `df` in steady state: the clock is `printf %()T`,
    /// the key address a `[[ =~ ]]` match, and a loopback `http://` RPC (``loopbackRPC(_:)``) is read
    /// through bash's `/dev/tcp` instead of `curl`, whose start-up alone costs more CPU than the rest of the
    /// probe. Names and paths travel as `=text` when they hold only safe bytes, in base64 otherwise.
    ///
    /// - Parameters:
    ///   - cacheMinimumAge: seconds a binary must be unchanged before its facts are cached.
    ///   - bash: where to look for bash when the login shell is not bash; empty leaves it to the login shell.
    public static func command(for target: Target, cacheMinimumAge: Int = 2, bash: [String] = bashPaths) -> String {
        let script = body(for: target, cacheMinimumAge: cacheMinimumAge)
        let candidates = bash.map(ShellQuote.quote).joined(separator: " ")
        let launch =
            bash.isEmpty
            ? ""
            : #"case ${BASH_VERSION:-} in '') for b in \#(candidates); do if [ -x "$b" ]; then "#
                + #"unset BASH_ENV SSH_CLIENT SSH2_CLIENT; exec "$b" --norc --noprofile -c "$S"; fi; done ;; esac"#
                + "\n"
        return "S=\(ShellQuote.quote(script))\n" + launch + #"eval "$S""#
    }

    /// The host, port and request path of `/status` when `rpc` is a plain `http://` URL on the node's own
    /// loopback (where a connect is answered or refused at once, so bash's unbounded connect cannot hang).
    public static func loopbackRPC(_ rpc: String) -> (host: String, port: Int, path: String)? {
        guard let url = URLComponents(string: rpc), url.scheme?.lowercased() == "http", url.user == nil,
            url.password == nil, url.query == nil, url.fragment == nil, let host = url.host?.lowercased()
        else { return nil }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        let loopback =
            host == "localhost"
            || (octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil })
        guard loopback, url.percentEncodedPath.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { return nil }
        return (host, url.port ?? 80, url.percentEncodedPath + "/status")
    }

    private static func body(for target: Target, cacheMinimumAge: Int) -> String {
        let agent = target.agentPath ?? "node-agent"
        let direct = loopbackRPC(target.nodeRPC)
        return #"""
            H=\#(ShellQuote.quote(target.daemonHome)); N=\#(ShellQuote.quote(target.daemonName)); \#
            RPC=\#(ShellQuote.quote(target.nodeRPC)); A=\#(ShellQuote.quote(agent))
            RH=\#(ShellQuote.quote(direct?.host ?? "")); RP=\#(direct?.port ?? 0); RQ=\#(ShellQuote.quote(direct?.path ?? ""))
            if [ -n "${BASH_VERSION:-}" ]; then set +o posix; fi
            case "$A" in */*) ;; *) a=$A; A=; o=$IFS; IFS=:; set -f
              for d in $PATH; do if [ -f "${d:-.}/$a" ] && [ -x "${d:-.}/$a" ]; then A=${d:-.}/$a; break; fi; done
              set +f; IFS=$o ;; esac
            if [ -n "$A" ] && [ -x "$A" ]; then
              echo '#agent'
              DAEMON_HOME="$H" DAEMON_NAME="$N" NODE_AGENT_RPC="$RPC" COSMOVISOR_DISABLE_LOGS=true "$A" status --json
              exit $?
            fi
            echo '#probe'
            b64() { base64 -w0 2>/dev/null || base64 | tr -d '\n'; }
            p() { printf '%s' "$1" | b64; }
            e() { case $1 in *[!A-Za-z0-9._/:@+,=-]*) E=$(p "$1") ;; *) E="=$1" ;; esac; }
            if [ -n "${BASH_VERSION:-}" ]; then TZ=UTC0 printf -v t '%(%Y-%m-%dT%H:%M:%SZ)T' -1
            else t=$(date -u +%Y-%m-%dT%H:%M:%SZ); fi
            printf 'now\t%s\n' "$t"
            L="$H/cosmovisor/current"
            if [ -L "$L" ]; then
              k=none; if [ -d "$L" ]; then k=dir; elif [ -e "$L" ]; then k=file; fi
              e "$(readlink "$L")"; printf 'current\t%s\t%s\n' "$k" "$E"
            elif [ -e "$L" ]; then printf 'current\tnotlink\t\n'; fi
            C=\#(cacheDirectory); [ -d "$C" ] || mkdir -p "$C" 2>/dev/null || C=""
            for d in "$H/cosmovisor/genesis" "$H/cosmovisor/upgrades"/*; do
              [ -d "$d" ] || continue
              b="$d/bin/$N"; e "${d##*/}"; n=$E
              if [ -f "$b" ]; then
                x=0; [ -x "$b" ] && x=1; k=$(stat -L -c \#(cacheKeyFormat) "$b"); z=${k#*_*_}; z=${z%%_*}; s=""; v=""
                if [ -n "$C" ] && [ -r "$C/$k" ]; then read -r s v < "$C/$k"; fi
                if [ -z "$s" ]; then
                  s=$(\#(FileDigest.shellSHA256(of: "\"$b\"")) | cut -c1-64)
                  if [ "$x" = 1 ]; then v=$(timeout 5 "$b" version 2>/dev/null </dev/null | head -n1); v=$(p "$v"); fi
                  c=$(stat -L -c %Z "$b"); t=$(date +%s)
                  if [ -n "$C" ] && [ $((t - c)) -ge \#(max(0, cacheMinimumAge)) ] && { [ -n "$v" ] || [ "$x" = 0 ]; }; then
                    printf '%s %s\n' "$s" "$v" > "$C/$k.$$" && mv -f "$C/$k.$$" "$C/$k"
                  fi
                fi
                e "$b"; printf 'binary\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$E" "$s" "$x" "$z" "$v"
              else
                printf 'binary\t%s\t\t\t0\t\t\n' "$n"
              fi
            done
            if [ -f "$H/data/upgrade-info.json" ]; then printf 'plan\t'; b64 < "$H/data/upgrade-info.json"; echo; fi
            if [ -f "$H/cosmovisor/current/upgrade-info.json" ]; then
              printf 'applied\t'; b64 < "$H/cosmovisor/current/upgrade-info.json"; echo
            fi
            k="$H/config/priv_validator_key.json"
            if [ -r "$k" ]; then
              if [ -n "${BASH_VERSION:-}" ]; then
                r=; IFS= read -r -d '' c < "$k"; x='"address"[[:space:]]*:[[:space:]]*"([0-9A-Fa-f]*)"'
                if [[ $c =~ $x ]]; then r=${BASH_REMATCH[1]}; fi
              else r=$(sed -n '/.*"address"[[:space:]]*:[[:space:]]*"\([0-9A-Fa-f]*\)".*/{s//\1/p;q;}' "$k"); fi
              printf 'address\t%s\n' "$r"
            fi
            c="$H/config/config.toml"
            if [ -r "$c" ]; then
              e "$(sed -n '/^[[:space:]]*priv_validator_laddr[[:space:]]*=[[:space:]]*"\(.*\)".*/{s//\1/p;q;}' "$c")"
              printf 'signer\t%s\n' "$E"
            fi
            set -f; set -- $(LC_ALL=C df -Pk "$H" 2>/dev/null); set +f
            printf 'df\t%s\n' "${9:-} ${11:-}"
            if [ -n "${BASH_VERSION:-}" ] && [ -n "$RH" ] && { exec 3<>"/dev/tcp/$RH/$RP"; } 2>/dev/null; then
              printf 'GET %s HTTP/1.0\r\nHost: %s:%s\r\nConnection: close\r\n\r\n' "$RQ" "$RH" "$RP" >&3
              r=; IFS= read -r -d '' -t 3 -N \#(maximumRPCBytes) r <&3; exec 3<&-
              printf 'rpc-http\n%s' "$r"
            else
              echo 'rpc-raw'
              if command -v curl >/dev/null 2>&1; then curl -fsS -m 3 --max-filesize \#(maximumRPCBytes) "$RPC/status" 2>&1
              elif command -v wget >/dev/null 2>&1; then wget -q -T 3 -O - "$RPC/status" 2>&1
              else echo 'no curl or wget on the node'; fi
            fi
            """#
    }

    /// The most of the RPC's answer the probe reads.
    static let maximumRPCBytes = 1 << 20

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
        let (lines, rpc) = splitRPCSection(text)
        for line in lines.split(separator: "\n", omittingEmptySubsequences: true).dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch fields.first {
            case "now": status.collectedAt = fields[safe: 1] ?? collectedAt
            case "current": current = currentObservation(kind: fields[safe: 1], target: decodeField(fields[safe: 2]))
            case "binary":
                guard fields.count >= 7 else { continue }
                let path = decodeField(fields[2]).flatMap { $0.isEmpty ? nil : $0 }
                status.binaries.append(
                    .init(
                        name: decodeField(fields[1]) ?? "?", path: path,
                        sha256: fields[3].isEmpty ? nil : fields[3],
                        version: decodeField(fields[6]).flatMap { $0.isEmpty ? nil : $0 },
                        executable: fields[4] == "1", size: Int64(fields[5])
                    )
                )
            case "plan": plan = fields[safe: 1].flatMap { Data(base64Encoded: $0) }
            case "applied": applied = fields[safe: 1].flatMap { Data(base64Encoded: $0) }
            case "address": status.consensus.address = fields[safe: 1].flatMap { $0.isEmpty ? nil : $0.uppercased() }
            case "signer":
                status.consensus.remoteSigner = decodeField(fields[safe: 1]).flatMap { $0.isEmpty ? nil : $0 }
            case "df":
                let parts = (fields[safe: 1] ?? "").split(separator: " ").compactMap { Int64($0) }
                if parts.count == 2 { status.disk = .init(freeBytes: parts[1] * 1024, totalBytes: parts[0] * 1024) }
            default: continue
            }
        }
        if let rpc {
            switch rpc {
            case .success(let body):
                if let comet = try? CometBFTStatus.parse(Data(body.utf8)) {
                    status.chain = .init(
                        height: comet.height, catchingUp: comet.catchingUp,
                        latestBlockTime: comet.latestBlockTime, network: comet.network
                    )
                } else {
                    let reason = body.split(separator: "\n").first.map(String.init) ?? "no answer"
                    status.chain = .init(height: nil, catchingUp: nil, error: reason)
                }
            case .failure(let error):
                status.chain = .init(height: nil, catchingUp: nil, error: error.reason)
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

    /// A field written as `=text` (only safe bytes) or as base64; nil when it is neither.
    private static func decodeField(_ text: String?) -> String? {
        guard let text else { return nil }
        if text.hasPrefix("=") { return String(text.dropFirst()) }
        guard let data = Data(base64Encoded: text) else { return text.isEmpty ? "" : nil }
        return String(decoding: data, as: UTF8.self)
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
