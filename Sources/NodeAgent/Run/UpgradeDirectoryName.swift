/// Maps an upgrade name to its directory under `upgrades/` (cosmovisor §2: Go `url.PathEscape`) and refuses
/// names that would escape that directory (deliberate fix 5).
///
/// Stand-in for FleetCore's shared `UpgradeName` until the `agent-config` branch provides it; the two must
/// agree (the merger swaps this for the shared function).
enum UpgradeDirectoryName {
    /// Bytes Go's `url.PathEscape` keeps as they are.
    private static let unreserved: Set<UInt8> = {
        var set = Set<UInt8>()
        for range in [UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9")] {
            set.formUnion(range)
        }
        set.formUnion("-_.~$&+:=@".utf8)
        return set
    }()

    /// The escaped directory name: `some spaces` → `some%20spaces`.
    static func escape(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            if unreserved.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// Whether the name can be used: non-empty and its escaped form is neither `.` nor `..`.
    static func isValid(_ name: String) -> Bool {
        let escaped = escape(name)
        return !name.isEmpty && escaped != "." && escaped != ".." && name.utf8.count <= 255
    }
}
