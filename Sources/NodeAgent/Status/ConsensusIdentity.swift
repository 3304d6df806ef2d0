import FleetCore
import Foundation

/// The node's consensus key identity, without ever reading the private key into the report.
enum ConsensusIdentity {
    /// A remote signer when `config/config.toml` has a non-empty `priv_validator_laddr`, else the
    /// `address` of `config/priv_validator_key.json`.
    static func read(_ layout: CosmovisorLayout) -> NodeStatus.ConsensusInfo {
        if let laddr = remoteSignerAddress(configFile: layout.nodeConfigFile), !laddr.isEmpty {
            return NodeStatus.ConsensusInfo(address: nil, remoteSigner: laddr)
        }
        struct Key: Decodable { var address: String? }
        guard let data = try? AtomicFile.read(layout.privValidatorKeyFile),
            let key = try? JSONDecoder().decode(Key.self, from: data)
        else { return NodeStatus.ConsensusInfo() }
        return NodeStatus.ConsensusInfo(address: key.address?.uppercased())
    }

    /// `priv_validator_laddr` from CometBFT's config.toml (a top-level key, before any table).
    static func remoteSignerAddress(configFile: String) -> String? {
        guard let text = try? String(contentsOfFile: configFile, encoding: .utf8) else { return nil }
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { break }
            guard line.hasPrefix("priv_validator_laddr"), let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard key == "priv_validator_laddr" else { continue }
            let document = try? TOMLDocument(parsing: "v " + line[equals...])
            if case .string(let value)? = document?["v"] { return value }
            return nil
        }
        return nil
    }
}
