extension InventoryHost {
    /// What a secret's value is shown as.
    public static let maskedValue = "********"

    /// Whether a variable's value is a secret that fleet never prints: its name contains `pass` (password,
    /// passphrase, `ansible_become_pass`, `ansible_ssh_pass`), `secret`, `token` or `mnemonic`, in any case.
    public static func isSecret(variable name: String) -> Bool {
        let lower = name.lowercased()
        return ["pass", "secret", "token", "mnemonic"].contains { lower.contains($0) }
    }

    /// This host with the value of every secret variable (see ``isSecret(variable:)``) replaced by
    /// ``maskedValue``, for display; empty values stay empty.
    public var redacted: InventoryHost {
        InventoryHost(
            validated: self,
            vars: vars.reduce(into: [:]) { out, entry in
                out[entry.key] =
                    Self.isSecret(variable: entry.key) && !entry.value.isEmpty ? Self.maskedValue : entry.value
            }
        )
    }

    /// `host` with other variables; its port and role stay those already validated.
    init(validated host: InventoryHost, vars: [String: String]) {
        self.name = host.name
        self.groups = host.groups
        self.vars = vars
        self.port = host.port
        self.role = host.role
    }
}
