/// What `fleet stage` puts on every node: which file, where, and whether an existing file may be replaced.
///
/// Pure: built once from the command line, before any connection, then asked for each host's target path
/// (from the host's `daemon_home`, `daemon_name` and `cosmovisor_disable_recase` inventory variables).
///
/// ```swift
/// let request = try StageRequest(
///     destination: .upgrade(try StageRequest.checkedName("v2")),
///     source: .file(path: "./build/gaiad"), sha256: digest, bytes: size, force: false)
/// let path = try request.targetPath(for: host).get()   // <home>/cosmovisor/upgrades/v2/bin/gaiad
/// ```
public struct StageRequest: Sendable, Hashable {
    /// Which binary slot of the cosmovisor tree is written.
    public enum Destination: Sendable, Hashable {
        /// `cosmovisor/upgrades/<dir>/bin/<daemon_name>`, `<dir>` as the agent maps the name.
        case upgrade(String)
        /// `cosmovisor/genesis/bin/<daemon_name>`, for fresh nodes.
        case genesis
        /// An absolute path the caller chose (`fleet install-agent`: the host's `agent_path`).
        case path(String)
    }

    /// Where the bytes come from.
    public enum Source: Sendable, Hashable {
        /// A local file, pushed over SFTP.
        case file(path: String)
        /// A URL each node downloads itself with `curl`, at most `maximumBytes` long.
        case url(String, maximumBytes: Int64)
    }

    /// The slot written on every node.
    public var destination: Destination
    /// Where the bytes come from.
    public var source: Source
    /// The lowercase hex sha256 every node must end up holding.
    public var sha256: String
    /// The file's size when known (push mode).
    public var bytes: Int64?
    /// Replace a different file already at the target.
    public var force: Bool

    /// Creates a request; `sha256` must be 64 hex digits (see ``checkedSHA256(_:)``).
    public init(destination: Destination, source: Source, sha256: String, bytes: Int64?, force: Bool) {
        self.destination = destination
        self.source = source
        self.sha256 = sha256.lowercased()
        self.bytes = bytes
        self.force = force
    }

    /// The largest download accepted in pull mode unless the caller says otherwise: 4 GiB.
    public static let defaultMaximumDownloadBytes: Int64 = 4 << 30

    /// `name` when it can name an upgrade directory under both recasing settings and holds no `/`.
    ///
    /// The agent escapes a `/` (`a/b` becomes `a%2Fb`), but on a command line it is almost always a path
    /// typed in the wrong place, so staging refuses it rather than create a directory nobody meant.
    /// - Throws: ``StageError`` with code `.invalidName`, naming the name (escaped when printed).
    public static func checkedName(_ name: String) throws(StageError) -> String {
        if name.utf8.contains(UInt8(ascii: "/")) {
            throw StageError(.invalidName, "invalid upgrade name \(name.debugDescription): it must not contain \"/\"")
        }
        do {
            _ = try UpgradeName(name, recase: true)
            _ = try UpgradeName(name, recase: false)
        } catch {
            throw StageError(.invalidName, error.description)
        }
        return name
    }

    /// `value` lower-cased when it is 64 hex digits.
    /// - Throws: ``StageError`` with code `.invalidChecksum`.
    public static func checkedSHA256(_ value: String) throws(StageError) -> String {
        let hex = value.lowercased()
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
        else {
            throw StageError(.invalidChecksum, "--sha256 \(value.debugDescription) is not 64 hexadecimal digits")
        }
        return hex
    }

    /// The path this request writes on `host`, or why the inventory cannot say.
    public func targetPath(for host: InventoryHost) -> Result<String, StageError> {
        if case .path(let path) = destination { return .success(path) }
        guard let home = host.daemonHome else { return .failure(.missingVariable("daemon_home", host: host.name)) }
        guard let daemon = host.daemonName else { return .failure(.missingVariable("daemon_name", host: host.name)) }
        let layout = CosmovisorLayout(home: home, daemonName: daemon)
        switch destination {
        case .genesis:
            return .success(layout.genesisBinary)
        case .path(let path):
            return .success(path)
        case .upgrade(let name):
            let recase = !Self.isTrue(host.vars["cosmovisor_disable_recase"] ?? "")
            do {
                return .success(layout.upgradeBinary(for: try UpgradeName(name, recase: recase)))
            } catch {
                return .failure(StageError(.invalidName, error.description))
            }
        }
    }

    /// Go's `strconv.ParseBool` true spellings, as the agent reads `COSMOVISOR_DISABLE_RECASE`.
    static func isTrue(_ value: String) -> Bool { ["1", "t", "T", "TRUE", "true", "True"].contains(value) }
}
