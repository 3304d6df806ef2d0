import Crypto
public import Foundation

/// Digests of local files, read in 1 MiB chunks, as `fleet stage` compares with the host's `sha256sum`
/// and `node-agent` checks downloaded upgrade binaries.
public enum FileDigest {
    /// The hash functions a digest can be taken with (the checksum types go-getter accepts).
    public enum Algorithm: String, Sendable, CaseIterable {
        case sha256, sha512, sha1, md5
    }

    /// The lowercase hex SHA-256 of the file at `path` (what `sha256sum` prints).
    ///
    /// Blocking file I/O: call it from a thread that may block, not in a tight loop on the cooperative pool.
    /// - Throws: `SSHError` with code `.localFile` when the file cannot be read.
    public static func sha256(ofFile path: String) throws(SSHError) -> String {
        try hex(.sha256, ofFile: path)
    }

    /// The lowercase hex digest of the file at `path` with `algorithm` (what `<algorithm>sum` prints).
    ///
    /// Blocking file I/O, like ``sha256(ofFile:)``.
    /// - Throws: `SSHError` with code `.localFile` when the file cannot be read.
    public static func hex(_ algorithm: Algorithm, ofFile path: String) throws(SSHError) -> String {
        switch algorithm {
        case .sha256: try hexDigest(SHA256(), ofFile: path, algorithm: algorithm)
        case .sha512: try hexDigest(SHA512(), ofFile: path, algorithm: algorithm)
        case .sha1: try hexDigest(Insecure.SHA1(), ofFile: path, algorithm: algorithm)
        case .md5: try hexDigest(Insecure.MD5(), ofFile: path, algorithm: algorithm)
        }
    }

    /// A shell command that prints the lowercase hex SHA-256 of the file `word` names as the first 64
    /// characters of its output, for a node to check what it received.
    ///
    /// `word` is one shell word: a ``ShellQuote``-quoted path or a `"$VARIABLE"`. The file is read from
    /// standard input, so no name is echoed back (or escaped, as `sha256sum` does for a `\\` or a newline).
    /// `openssl dgst` comes first: OpenSSL uses the CPU's SHA extensions, where coreutils 9.1's
    /// `sha256sum` (Debian 12) uses none, 0.28 against 1.78 s of CPU for 256 MiB, which decided the node
    /// side of a 16-node push; without a working `openssl` it falls back to `sha256sum`.
    public static func shellSHA256(of word: String) -> String {
        "{ openssl dgst -sha256 -r < \(word) 2>/dev/null || sha256sum < \(word); }"
    }

    /// The lowercase hex digest of `data` with `algorithm`.
    public static func hex(_ algorithm: Algorithm, of data: Data) -> String {
        switch algorithm {
        case .sha256: hex(SHA256.hash(data: data))
        case .sha512: hex(SHA512.hash(data: data))
        case .sha1: hex(Insecure.SHA1.hash(data: data))
        case .md5: hex(Insecure.MD5.hash(data: data))
        }
    }

    private static func hexDigest<Hasher: HashFunction>(
        _ initial: Hasher,
        ofFile path: String,
        algorithm: Algorithm
    ) throws(SSHError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, algorithm) }
        defer { close(fd) }
        var hasher = initial
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, algorithm)
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return hex(hasher.finalize())
    }

    /// Lowercase hex of a digest's bytes, two characters per byte.
    private static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(128)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func failure(_ path: String, _ algorithm: Algorithm) -> SSHError {
        SSHError(
            .localFile, host: "localhost", operation: "\(algorithm.rawValue) \(path)",
            message: GoText.errno(errno, capitalized: true),
            hint: "Check the local file path and its permissions")
    }
}
