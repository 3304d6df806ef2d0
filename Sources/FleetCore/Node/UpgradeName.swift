/// An upgrade name and the `upgrades/` directory name it maps to.
///
/// This is the one validation shared by `node-agent` and `fleet`: every name that becomes a path goes
/// through ``init(_:recase:)``. The mapping is cosmovisor's (spec §2): Unicode lower-casing unless
/// recasing is disabled, then Go `url.PathEscape` (keep `A–Z a–z 0–9 - _ . ~ $ & + : = @`, `%XX`
/// uppercase for every other UTF-8 byte). On top of that, names are refused when they are empty,
/// `.` or `..`, contain NUL or any control character, or escape to more than 255 bytes, so the
/// directory is always a single component directly inside `upgrades/`.
///
/// ```swift
/// let name = try UpgradeName("V2 Fix")   // directory "v2%20fix"
/// let raw = try UpgradeName("myUpgrade", recase: false)  // directory "myUpgrade"
/// ```
public struct UpgradeName: Sendable, Hashable, CustomStringConvertible {
    /// The name as given (from a plan, a command line or the fleet).
    public let original: String
    /// The name after recasing (equal to ``original`` when recasing is off).
    public let recased: String
    /// The escaped directory name under `upgrades/`.
    public let directory: String

    /// The longest directory name accepted, in bytes (the usual `NAME_MAX`).
    public static let maximumDirectoryLength = 255

    /// Validates `name` and computes its directory.
    ///
    /// - Parameters:
    ///   - name: the upgrade name.
    ///   - recase: lower-case it first (cosmovisor's default; off with `COSMOVISOR_DISABLE_RECASE`).
    /// - Throws: ``UpgradeNameError`` when the name is empty, `.`/`..`, has control characters or is too long.
    public init(_ name: String, recase: Bool = true) throws(UpgradeNameError) {
        if name.isEmpty { throw .empty }
        if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .controlCharacter(name)
        }
        let recased = recase ? Self.lowercase(name) : name
        let directory = Self.escape(recased)
        if directory == "." || directory == ".." { throw .dotName(name) }
        if directory.utf8.count > Self.maximumDirectoryLength {
            throw .tooLong(name, bytes: directory.utf8.count)
        }
        self.original = name
        self.recased = recased
        self.directory = directory
    }

    public var description: String { recased }

    /// Go `strings.ToLower`: per Unicode scalar, simple lower-case mapping.
    ///
    /// Swift's `lowercased()` applies full (multi-scalar) mappings such as `İ` → `i̇`; Go maps each rune to
    /// one rune. We take the first scalar of the full mapping, which equals Go's simple mapping for
    /// every scalar whose full mapping is longer than one.
    public static func lowercase(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            scalars.append(scalar.properties.lowercaseMapping.unicodeScalars.first ?? scalar)
        }
        return String(scalars)
    }

    /// Go `url.PathEscape`: the escaped form of one URL path segment.
    public static func escape(_ segment: String) -> String {
        var out = ""
        out.reserveCapacity(segment.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in segment.utf8 {
            if isUnescaped(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
            }
        }
        return out
    }

    private static func isUnescaped(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "$"),
            UInt8(ascii: "&"), UInt8(ascii: "+"), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "@"):
            return true
        default:
            return false
        }
    }
}
