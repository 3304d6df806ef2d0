/// Temporary bridge until the shared `UpgradeName` lands: cosmovisor's name → directory mapping.
enum UpgradeDirectory {
    static func name(for plan: String) -> String { shellSafeEscape(plan.lowercased()) }

    private static func shellSafeEscape(_ text: String) -> String {
        let keep = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~$&+:=@".utf8)
        var out = ""
        for byte in text.utf8 {
            if keep.contains(byte) {
                out.append(Character(UnicodeScalar(byte)))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
