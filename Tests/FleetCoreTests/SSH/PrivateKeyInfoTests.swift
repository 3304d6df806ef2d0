import FleetCore
import FleetTestSupport
import Testing

/// Key type and encryption read from private key files as ssh-keygen writes them.
@Suite(.tags(.processes)) struct PrivateKeyInfoTests {
    @Test(arguments: [
        (["-t", "ed25519"], "", "ssh-ed25519", false),
        (["-t", "ed25519"], "pass phrase", "ssh-ed25519", true),
        (["-t", "ecdsa"], "", "ecdsa-sha2-nistp256", false),
        (["-t", "rsa", "-b", "2048"], "x", "ssh-rsa", true),
        (["-t", "rsa", "-b", "2048", "-m", "PEM"], "", "ssh-rsa", false),
    ])
    func inspectsKeysFromSSHKeygen(options: [String], passphrase: String, type: String, encrypted: Bool) throws {
        try withTemporaryDirectoryBlocking { directory in
            let path = directory + "/key"
            try SSHTestSupport.sh(["ssh-keygen", "-q", "-N", passphrase, "-f", path] + options)
            let info = try #require(PrivateKeyInfo.inspect(fileAtPath: path))
            #expect(info.keyType == type)
            #expect(info.encrypted == encrypted)
            #expect(info.isRSA == (type == "ssh-rsa"))
            #expect(PrivateKeyInfo.inspect(fileAtPath: path + ".pub") == nil)
            #expect(PrivateKeyInfo.inspect(fileAtPath: directory + "/absent") == nil)
        }
    }
}
