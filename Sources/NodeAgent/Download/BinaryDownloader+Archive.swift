import FleetCore
import Foundation

extension BinaryDownloader {
    /// Unpacks the downloaded `archive` into `tree/` next to it with the system `unzip` or `tar`.
    ///
    /// Blocking: runs the extractor to completion.
    /// - Returns: the extracted tree, with the daemon moved to `bin/` when the archive had it at its root.
    static func extract(
        _ archive: String,
        kind: ArchiveKind,
        daemonName: String,
        reference: String
    ) throws(DownloadError) -> String {
        let tree = (archive as NSString).deletingLastPathComponent + "/tree"
        do {
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

    /// Moves an extracted tree into place: a new upgrade directory gets the whole tree (libraries next to
    /// the binary included) in one rename; an existing one only gets its binary replaced.
    ///
    /// Blocking file I/O.
    static func installTree(_ tree: String, daemonName: String, into upgradeDirectory: String) throws(DownloadError) {
        do {
            try ExecutableFile.ensure(tree + "/bin/" + daemonName)
            if !FileManager.default.fileExists(atPath: upgradeDirectory), rename(tree, upgradeDirectory) == 0 {
                return
            }
            try FileManager.default.createDirectory(
                atPath: upgradeDirectory + "/bin",
                withIntermediateDirectories: true
            )
            try AtomicFile.install(
                tree + "/bin/" + daemonName,
                at: upgradeDirectory + "/bin/" + daemonName,
                mode: 0o755
            )
        } catch {
            throw DownloadError("downloaded binary doesn't check out: \(error)")
        }
    }
}
