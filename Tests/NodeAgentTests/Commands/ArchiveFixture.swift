import FleetTestSupport
import Foundation
import Testing

/// Builds real `.tar`, `.tar.gz` and `.zip` archives with Python's `tarfile`/`zipfile`, which write members
/// that `tar`/`zip` on the command line refuse to create (`../x`, `/abs`, links, setuid bits, other owners).
enum ArchiveFixture {
    /// One member.
    struct Member: Encodable {
        enum Kind: String, Encodable { case file, directory, symlink, hardlink }
        var name: String
        var kind: Kind = .file
        /// File content (a file of `zeros` zero bytes when `nil`).
        var text: String? = nil
        var zeros: Int = 0
        var mode: Int = 0o644
        var uid: Int = 0
        /// A link's target.
        var link: String = ""

        static func file(_ name: String, _ text: String, mode: Int = 0o644) -> Member {
            Member(name: name, text: text, mode: mode)
        }
    }

    enum Format: String { case tar, tgz, zip }

    private static let script = #"""
        import io, json, sys, tarfile, zipfile
        out, fmt, members = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
        def body(m):
            return m["text"].encode() if m.get("text") is not None else bytes(m["zeros"])
        if fmt == "zip":
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
                for m in members:
                    info = zipfile.ZipInfo(m["name"] + ("/" if m["kind"] == "directory" else ""))
                    info.create_system = 3
                    kind = {"file": 0o100000, "directory": 0o040000, "symlink": 0o120000}[m["kind"]]
                    info.external_attr = (kind | m["mode"]) << 16
                    data = m["link"].encode() if m["kind"] == "symlink" else body(m)
                    z.writestr(info, b"" if m["kind"] == "directory" else data)
        else:
            with tarfile.open(out, "w:gz" if fmt == "tgz" else "w") as t:
                for m in members:
                    info = tarfile.TarInfo(m["name"])
                    info.mode, info.uid, info.gid = m["mode"], m["uid"], m["uid"]
                    info.type = {"file": tarfile.REGTYPE, "directory": tarfile.DIRTYPE,
                                 "symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE}[m["kind"]]
                    info.linkname = m["link"]
                    data = body(m) if m["kind"] == "file" else b""
                    info.size = len(data)
                    t.addfile(info, io.BytesIO(data))
        """#

    /// Writes `members` as a `format` archive at `path`.
    static func write(_ members: [Member], format: Format, to path: String) async throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true
        )
        let json = String(decoding: try JSONEncoder().encode(members), as: UTF8.self)
        let result = try await ProcessRunner.runAsync(["/usr/bin/python3", "-c", script, path, format.rawValue, json])
        try #require(result.exitCode == 0, "\(result.errorOutput)")
    }
}
