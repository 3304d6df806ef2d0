import FleetCore
import Foundation

/// Fetches an upgrade binary (plain file or archive) with its checksum and installs it atomically under
/// `upgrades/<dir>/bin/<daemon>`.
///
/// Supported: `http(s)://` (through the system `curl`), `file://` and plain absolute paths;
/// `?checksum=[sha256:|sha512:|sha1:|md5:]<hex>` (type guessed from the length when omitted); `.zip`,
/// `.tar`, `.tar.gz`/`.tgz` archives (by extension or `?archive=zip|tar|tar.gz`) holding `bin/<daemon>` or
/// `<daemon>`. The download streams into a temporary directory inside `upgrades/`, is verified there and
/// then moved into place, so a failed download leaves nothing behind and never blocks a retry; a binary
/// is never held in memory.
struct BinaryDownloader: Sendable {
    /// Runs `curl` for `http(s)://` references.
    var curl = CurlCommand()

    /// The largest plan-info document accepted (they are a few hundred bytes of JSON).
    static let maxTextBytes = 1 << 20

    /// The text behind a plan-info reference (`could not download url "<url>": …`, `no content returned by "<url>"`).
    ///
    /// - Parameter parent: the directory (`upgrades/`) that holds the temporary download.
    func text(at reference: String, mustHaveChecksum: Bool, stagingIn parent: String) async throws(DownloadError)
        -> String
    {
        if mustHaveChecksum, (PlanBinaries.checksum(of: reference) ?? "").isEmpty {
            throw DownloadError("missing checksum query parameter")
        }
        let staging = try Self.makeStagingDirectory(in: parent)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let file = staging + "/document"
        try await fetchVerified(reference, to: file)
        var info = stat()
        guard stat(file, &info) == 0 else {
            throw DownloadError("could not download url \(GoDuration.goQuote(reference)): nothing was written")
        }
        guard info.st_size <= Self.maxTextBytes else {
            throw DownloadError(
                "could not download url \(GoDuration.goQuote(reference)): \(info.st_size) bytes, "
                    + "more than the \(Self.maxTextBytes) a plan-info document may have"
            )
        }
        let data: Data?
        do {
            data = try AtomicFile.read(file)
        } catch {
            throw DownloadError("could not download url \(GoDuration.goQuote(reference)): \(error)")
        }
        let text = String(decoding: data ?? Data(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw DownloadError("no content returned by \(GoDuration.goQuote(reference))") }
        return text
    }

    /// Downloads `reference` and installs `bin/<daemon>` in `upgradeDirectory`.
    ///
    /// - Returns: the installed binary's path.
    func install(_ reference: String, daemonName: String, into upgradeDirectory: String) async throws(DownloadError)
        -> String
    {
        let staging = try Self.makeStagingDirectory(in: (upgradeDirectory as NSString).deletingLastPathComponent)
        defer { try? FileManager.default.removeItem(atPath: staging) }
        let kind = ArchiveKind(reference)
        let downloaded = staging + (kind == nil ? "/binary" : "/archive")
        try await fetchVerified(reference, to: downloaded)
        let destination = upgradeDirectory + "/bin/" + daemonName
        return try await Self.offPool { () throws(DownloadError) -> String in
            if let kind {
                let tree = try Self.extract(downloaded, kind: kind, daemonName: daemonName, reference: reference)
                try Self.installTree(tree, daemonName: daemonName, into: upgradeDirectory)
            } else {
                do {
                    try FileManager.default.createDirectory(
                        atPath: upgradeDirectory + "/bin",
                        withIntermediateDirectories: true
                    )
                    try AtomicFile.install(downloaded, at: destination, mode: 0o755)
                } catch {
                    throw DownloadError("cannot download binary. \(error)")
                }
            }
            return destination
        }
    }

    // MARK: - Steps

    /// Streams `reference` into `file` and checks its checksum, if it has one.
    private func fetchVerified(_ reference: String, to file: String) async throws(DownloadError) {
        guard let url = Self.url(reference) else {
            throw DownloadError("could not download url \(GoDuration.goQuote(reference)): invalid URL")
        }
        // An unsupported checksum type fails before anything is fetched.
        let checksum = try PlanBinaries.checksum(of: reference).flatMap { $0.isEmpty ? nil : $0 }.map {
            (text: String) throws(DownloadError) -> Checksum in try Checksum(text)
        }
        if url.isFileURL {
            try await Self.offPool { () throws(DownloadError) in
                do {
                    try AtomicFile.copy(from: url.path, to: file, mode: 0o644)
                } catch {
                    throw DownloadError("could not download url \(GoDuration.goQuote(reference)): \(error)")
                }
            }
        } else {
            try await curl.download(url, to: file, reference: reference)
        }
        if let checksum {
            try await Self.offPool { () throws(DownloadError) in try checksum.verify(file: file) }
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
    private static func makeStagingDirectory(in parent: String) throws(DownloadError) -> String {
        let staging = parent + "/.download-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
        } catch {
            throw DownloadError("cannot download binary. \(error.localizedDescription)")
        }
        return staging
    }

    /// Runs blocking file or child-process work on its own thread, never on the cooperative pool.
    private static func offPool<T: Sendable>(
        _ work: @escaping @Sendable () throws(DownloadError) -> T
    ) async throws(DownloadError) -> T {
        let outcome = await BlockingWork.run { () -> Result<T, DownloadError> in
            do throws(DownloadError) {
                return .success(try work())
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
