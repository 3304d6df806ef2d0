import FleetCore
import Foundation

/// Fetches an upgrade binary (plain file or archive) with its checksum and installs it atomically under
/// `upgrades/<dir>/bin/<daemon>`.
///
/// Supported: `http(s)://` (through the system `curl`); `file://` and plain absolute paths only when
/// ``allowLocal`` is set (a plan must not make the agent copy local files such as a validator key);
/// `?checksum=[sha256:|sha512:|sha1:|md5:]<hex>` (type guessed from the length when omitted), required
/// on every reference when ``mustHaveChecksum`` is set; `.zip`, `.tar`, `.tar.gz`/`.tgz` archives (by
/// extension or `?archive=zip|tar|tar.gz`) holding `bin/<daemon>` or `<daemon>`. Downloads and extracted
/// archives are capped at ``maxBytes``. The download streams into a temporary directory inside
/// `upgrades/`, is verified there and then moved into place, so a failed download leaves nothing behind
/// and never blocks a retry; a binary is never held in memory.
struct BinaryDownloader: Sendable {
    /// Runs `curl` for `http(s)://` references.
    var curl = CurlCommand()
    /// `DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM`: refuse any reference without `?checksum=`.
    var mustHaveChecksum = false
    /// `NODE_AGENT_ALLOW_LOCAL_DOWNLOADS`: accept absolute paths and `file://` URLs.
    var allowLocal = false
    /// `NODE_AGENT_MAX_DOWNLOAD_BYTES`: the largest download and the largest extracted archive.
    var maxBytes: Int64 = AgentConfiguration.defaultMaxDownloadBytes

    /// The largest plan-info document accepted (they are a few hundred bytes of JSON).
    static let maxTextBytes = 1 << 20

    /// A downloader with the defaults: checksums optional, no local sources, 2 GiB.
    init() {}

    /// A downloader with the configuration's checksum, local-source and size policies.
    init(_ configuration: AgentConfiguration) {
        mustHaveChecksum = configuration.downloadMustHaveChecksum
        allowLocal = configuration.allowLocalDownloads
        maxBytes = configuration.maxDownloadBytes
    }

    /// The text behind a plan-info reference (`could not download url "<url>": …`, `no content returned by "<url>"`).
    ///
    /// - Parameter parent: the directory (`upgrades/`) that holds the temporary download.
    func text(at reference: String, stagingIn parent: String) async throws(AgentError) -> String {
        let staging = try Self.makeStagingDirectory(in: parent)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let file = staging + "/document"
        try await fetchVerified(reference, to: file, limit: Int64(Self.maxTextBytes))
        let data: Data?
        do {
            data = try AtomicFile.read(file)
        } catch {
            throw AgentError(.download, "could not download url \(GoDuration.goQuote(reference)): \(error)")
        }
        let text = String(decoding: data ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw AgentError(.download, "no content returned by \(GoDuration.goQuote(reference))") }
        return text
    }

    /// Downloads `reference` and installs `bin/<daemon>` in `upgradeDirectory`.
    ///
    /// - Returns: the installed binary's path.
    func install(
        _ reference: String, daemonName: String, into upgradeDirectory: String
    ) async throws(AgentError)
        -> String
    {
        let staging = try Self.makeStagingDirectory(in: (upgradeDirectory as NSString).deletingLastPathComponent)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let kind = ArchiveKind(reference)
        let downloaded = staging + (kind == nil ? "/binary" : "/archive")
        try await fetchVerified(reference, to: downloaded, limit: maxBytes)
        let destination = upgradeDirectory + "/bin/" + daemonName
        if let kind {
            let tree = try await extract(downloaded, kind: kind, daemonName: daemonName, reference: reference)
            try await Self.offPool { () throws(AgentError) in
                try Self.installTree(tree, daemonName: daemonName, into: upgradeDirectory)
            }
        } else {
            try await Self.offPool { () throws(AgentError) in
                do {
                    try FileManager.default.createDirectory(
                        atPath: upgradeDirectory + "/bin",
                        withIntermediateDirectories: true
                    )
                    try AtomicFile.install(downloaded, at: destination, mode: 0o755)
                } catch {
                    throw AgentError(.download, "cannot download binary. \(error)")
                }
            }
        }
        return destination
    }

    // MARK: - Steps

    /// Checks `reference` against the policies, streams it into `file` (at most `limit` bytes) and checks
    /// its checksum, if it has one.
    ///
    /// - Throws: ``AgentError`` naming the reference: a missing checksum, a local source not allowed,
    ///   an unsupported scheme, a body over `limit`, a failed transfer or a checksum mismatch.
    private func fetchVerified(_ reference: String, to file: String, limit: Int64) async throws(AgentError) {
        let quoted = GoDuration.goQuote(reference)
        guard let url = Self.url(reference) else {
            throw AgentError(.download, "could not download url \(quoted): invalid URL")
        }
        let checksumText = PlanBinaries.checksum(of: reference) ?? ""
        if mustHaveChecksum, checksumText.isEmpty {
            throw AgentError(
                .download,
                "missing checksum query parameter in url \(quoted) (DAEMON_DOWNLOAD_MUST_HAVE_CHECKSUM is true)"
            )
        }
        // An unsupported checksum type fails before anything is fetched.
        var checksum: Checksum?
        if !checksumText.isEmpty { checksum = try Checksum(checksumText) }
        if url.isFileURL {
            guard allowLocal else {
                throw AgentError(
                    .download,
                    "could not download url \(quoted): local paths and file:// URLs from a plan are refused "
                        + "(set NODE_AGENT_ALLOW_LOCAL_DOWNLOADS=true to allow them)"
                )
            }
            try await Self.offPool { () throws(AgentError) in
                var info = stat()
                if stat(url.path, &info) == 0, Int64(info.st_size) > limit {
                    throw AgentError(.download, "could not download url \(quoted): more than \(limit) bytes")
                }
                do {
                    try AtomicFile.copy(from: url.path, to: file, mode: 0o644)
                } catch {
                    throw AgentError(.download, "could not download url \(quoted): \(error)")
                }
            }
        } else {
            try await curl.download(url, to: file, reference: reference, maxBytes: limit)
        }
        var info = stat()
        guard stat(file, &info) == 0 else {
            throw AgentError(.download, "could not download url \(quoted): nothing was written")
        }
        guard Int64(info.st_size) <= limit else {
            throw AgentError(.download, "could not download url \(quoted): more than \(limit) bytes")
        }
        if let checksum {
            try await Self.offPool { () throws(AgentError) in try checksum.verify(file: file) }
        }
    }

    /// The URL to fetch: query removed for files, as go-getter does.
    static func url(_ reference: String) -> URL? {
        if reference.hasPrefix("/") {
            return URL(fileURLWithPath: String(reference.prefix { $0 != "?" }))
        }
        guard var components = URLComponents(string: reference) else { return nil }
        if components.scheme == "file" {
            components.query = nil
            return components.url
        }
        components.queryItems = components.queryItems?.filter { $0.name != "checksum" && $0.name != "archive" }
        if components.queryItems?.isEmpty == true { components.queryItems = nil }
        return components.url
    }

    /// A fresh `.download-<pid>-<random>` directory in `parent` (created too when missing).
    private static func makeStagingDirectory(in parent: String) throws(AgentError) -> String {
        let staging = parent + "/.download-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            throw AgentError(
                .download, "cannot download binary. cannot create \(staging): \(error.localizedDescription)")
        }
        return staging
    }

    /// Runs blocking file work on its own thread, never on the cooperative pool.
    static func offPool<T: Sendable>(
        _ work: @escaping @Sendable () throws(AgentError) -> T
    ) async throws(AgentError) -> T {
        let outcome = await BlockingWork.run { () -> Result<T, AgentError> in
            do throws(AgentError) {
                return .success(try work())
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
