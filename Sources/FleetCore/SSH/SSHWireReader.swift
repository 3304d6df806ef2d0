import Foundation

/// Reads SSH wire-format fields (RFC 4251 `uint32` and `string`) from a byte array.
struct SSHWireReader {
    var storage: [UInt8]
    var offset = 0

    /// The next `count` bytes, or nil when fewer are left.
    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, offset + count <= storage.count else { return nil }
        defer { offset += count }
        return Array(storage[offset..<(offset + count)])
    }

    /// A big-endian uint32.
    mutating func uint32() -> UInt32? {
        take(4).map { $0.reduce(0) { ($0 << 8) | UInt32($1) } }
    }

    /// A length-prefixed byte string.
    mutating func bytes() -> [UInt8]? {
        guard let length = uint32() else { return nil }
        return take(Int(length))
    }

    /// A length-prefixed UTF-8 string.
    mutating func string() -> String? {
        bytes().flatMap { String(bytes: $0, encoding: .utf8) }
    }
}
