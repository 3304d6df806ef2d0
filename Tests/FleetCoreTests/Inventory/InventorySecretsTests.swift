import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// Secrets in the inventory are never shown: `fleet inventory list` prints ``InventoryHost/redacted``.
@Suite("Inventory secrets", .tags(.pure))
struct InventorySecretsTests {
    @Test(
        "names with pass, password, secret, token or mnemonic in any case are secrets",
        arguments: [
            ("ansible_password", true), ("ansible_become_pass", true), ("ansible_ssh_pass", true),
            ("ansible_become_password", true), ("ansible_ssh_private_key_passphrase", true), ("Vault_SECRET", true),
            ("api_token", true), ("wallet_mnemonic", true), ("ansible_host", false), ("daemon_home", false),
            ("ansible_ssh_private_key_file", false), ("ansible_user", false),
        ])
    func secretNames(name: String, secret: Bool) {
        #expect(InventoryHost.isSecret(variable: name) == secret)
    }

    @Test("redacted masks every secret value, keeps the rest, and its JSON holds no secret")
    func redacted() throws {
        let inventory = try InventoryParser.parse(
            text: """
                [validators]
                val-1 ansible_host=10.0.0.5 ansible_password=hunter2 ansible_become_pass=sudo-pw daemon_home=/h
                [all:vars]
                ansible_ssh_pass=ssh-pw
                key_passphrase=kp-pw
                my_Secret=s3cr3t
                empty_password=
                """,
            format: .ini, fileName: "inventory.ini"
        )
        let host = try #require(inventory.host(named: "val-1")).redacted
        for name in ["ansible_password", "ansible_become_pass", "ansible_ssh_pass", "key_passphrase", "my_Secret"] {
            #expect(host.vars[name] == InventoryHost.maskedValue, "\(name)")
        }
        #expect(host.vars["empty_password"] == "")
        #expect(host.vars["ansible_host"] == "10.0.0.5")
        #expect(host.daemonHome == "/h" && host.role == .validator && host.port == 22)
        let json = String(decoding: try JSONEncoder().encode(host), as: UTF8.self)
        for secret in ["hunter2", "sudo-pw", "ssh-pw", "kp-pw", "s3cr3t"] {
            #expect(!json.contains(secret), "\(secret) in \(json)")
        }
    }
}
