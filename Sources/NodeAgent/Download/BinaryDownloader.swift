import Crypto
import FleetCore
import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Fetches an upgrade binary (plain file or archive) with its checksum and installs it atomically under
/// `upgrades/<dir>/bin/<daemon>`.
///
/// Supported: `http(s)://`, `file://` and plain absolute paths; `?checksum=[sha256:|sha512:]<hex>`
/// (type guessed from the length when omitted); `.zip`, `.tar`, `.tar.gz`/`.tgz` archives (by extension
/// or `?archive=zip|tar|tar.gz`) holding `bin/<daemon>` or `<daemon>`. Everything is staged in a
/// temporary directory inside `upgrades/` and renamed into place, so a failed download leaves nothing
/// behind and never blocks a retry.
struct BinaryDownloader: Sendable {
    /// Reads the bytes behind a URL.
    var fetch: @Sendable (URL) async throws -> Data = BinaryDownloader.defaultFetch

    /// `file://` and paths through the file system, everything else through URLSession.
    static let defaultFetch: @Sendable (URL) async throws -> Data = { url in
        if url.isFileURL { return try Data(contentsOf: url) }
        let (data, response) = try await URLSession.shared.data(from: url)
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw DownloadError("bad response code: \(http.statusCode)")
        }
        return data
    }

    /// The text behind a plan-info reference (`could not download url "<url>": …`, `no content returned by "<url>"`).
    func text(at reference: String, mustHaveChecksum: Bool) async throws(DownloadError) -> String {
        if mustHaveChecksum, (PlanBinaries.checksum(of: reference) ?? "").isEmpty {
            throw DownloadError("missing checksum query parameter")
        }
        let data = try await verifiedData(reference)
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw DownloadError("no content returned by \(GoDuration.goQuote(reference))") }
        return text
    }

    /// Downloads `reference` and installs `bin/<daemon>` in `upgradeDirectory`.
    ///
    /// - Returns: the installed binary's path.
    func install(_ reference: String, daemonName: String, into upgradeDirectory: String) async throws(DownloadError)
        -> String
    {
        let data = try await verifiedData(reference)
        let parent = (upgradeDirectory as NSString).deletingLastPathComponent
        let staging = parent + "/.download-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: staging) }
        do {
            try FileManager.default.createDirectory(atPath: staging + "/bin", withIntermediateDirectories: true)
        } catch {
            throw DownloadError("cannot download binary. \(error.localizedDescription)")
        }
        let destination = upgradeDirectory + "/bin/" + daemonName
        if let kind = ArchiveKind(reference) {
            let tree = try extract(data, kind: kind, daemonName: daemonName, into: staging, reference: reference)
            do {
                try ExecutableFile.ensure(tree + "/bin/" + daemonName)
                // A new upgrade directory gets the whole archive (libraries next to the binary included),
                // renamed into place in one step; an existing one only gets its binary replaced.
                if !FileManager.default.fileExists(atPath: upgradeDirectory) {
                    if rename(tree, upgradeDirectory) == 0 { return destination }
                }
                try FileManager.default.createDirectory(
                    atPath: upgradeDirectory + "/bin",
                    withIntermediateDirectories: true
                )
                try AtomicFile.copy(from: tree + "/bin/" + daemonName, to: destination, mode: 0o755)
            } catch {
                throw DownloadError("downloaded binary doesn't check out: \(error)")
            }
            return destination
        }
        let staged = staging + "/bin/" + daemonName
        do {
            try AtomicFile.write(data, to: staged, mode: 0o755)
            try FileManager.default.createDirectory(
                atPath: upgradeDirectory + "/bin",
                withIntermediateDirectories: true
            )
            try AtomicFile.copy(from: staged, to: destination, mode: 0o755)
        } catch {
            throw DownloadError("cannot download binary. \(error)")
        }
        return destination
    }

    // MARK: - Steps

    private func verifiedData(_ reference: String) async throws(DownloadError) -> Data {
        guard let url = Self.url(reference) else {
            throw DownloadError("could not download url \(GoDuration.goQuote(reference)): invalid URL")
        }
        let data: Data
        do {
            data = try await fetch(url)
        } catch {
            throw DownloadError(
                "could not download url \(GoDuration.goQuote(reference)): \(error.localizedDescription)"
            )
        }
        if let checksum = PlanBinaries.checksum(of: reference), !checksum.isEmpty {
            try Self.verify(data, checksum: checksum)
        }
        return data
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

    /// Checks `[type:]hex` against the data (`Checksums did not match …`).
    static func verify(_ data: Data, checksum: String) throws(DownloadError) {
        let parts = checksum.split(separator: ":", maxSplits: 1).map(String.init)
        let expected = (parts.count == 2 ? parts[1] : parts[0]).lowercased()
        let kind = parts.count == 2 ? parts[0].lowercased() : Self.guessKind(expected)
        let actual: String
        switch kind {
        case "sha256": actual = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        case "sha512": actual = SHA512.hash(data: data).map { String(format: "%02x", $0) }.joined()
        case "sha1": actual = Insecure.SHA1.hash(data: data).map { String(format: "%02x", $0) }.joined()
        case "md5": actual = Insecure.MD5.hash(data: data).map { String(format: "%02x", $0) }.joined()
        default: throw DownloadError("unsupported checksum type: \(kind)")
        }
        if actual != expected {
            throw DownloadError("Checksums did not match for \(kind). Expected: \(expected) Got: \(actual)")
        }
    }

    private static func guessKind(_ hex: String) -> String {
        switch hex.count {
        case 32: "md5"
        case 40: "sha1"
        case 128: "sha512"
        default: "sha256"
        }
    }

    private func extract(
        _ data: Data,
        kind: ArchiveKind,
        daemonName: String,
        into staging: String,
        reference: String
    ) throws(DownloadError) -> String {
        // Returns the extracted tree, with the daemon moved to `bin/` when the archive had it at its root.
        let archive = staging + "/archive"
        let tree = staging + "/tree"
        do {
            try data.write(to: URL(fileURLWithPath: archive))
            try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        } catch {
            throw DownloadError("cannot download binary. \(error.localizedDescription)")
        }
        let argv: [String] =
            switch kind {
            case .zip: ["/usr/bin/unzip", "-q", "-o", archive, "-d", tree]
            case .tar: ["/bin/tar", "-xf", archive, "-C", tree]
            case .tarGzip: ["/bin/tar", "-xzf", archive, "-C", tree]
            }
        let result: ChildCommand.Result
        do {
            result = try ChildCommand.run(argv[0], Array(argv.dropFirst()), captureOutput: true, timeout: .seconds(120))
        } catch {
            throw DownloadError("cannot download binary. \(error)")
        }
        if result.status != 0 { throw DownloadError("cannot download binary. \(argv[0]) exited with \(result.status)") }
        var info = stat()
        if lstat(tree + "/bin/" + daemonName, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { return tree }
        if lstat(tree + "/" + daemonName, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            if mkdir(tree + "/bin", 0o755) == 0 || errno == EEXIST,
                rename(tree + "/" + daemonName, tree + "/bin/" + daemonName) == 0
            {
                return tree
            }
            throw DownloadError("could not move \(tree)/\(daemonName) to the bin directory")
        }
        throw DownloadError(
            "url \(GoDuration.goQuote(reference)) result does not contain a bin/\(daemonName) or \(daemonName) file"
        )
    }
}
