public import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The parts of a CometBFT `/status` answer that tests look at.
public struct MockchainStatus: Sendable {
    /// `result.sync_info.latest_block_height`, parsed.
    public var height: Int
    /// `result.sync_info.catching_up`.
    public var catchingUp: Bool
    /// `result.validator_info.address`.
    public var validatorAddress: String
    /// `result.validator_info.voting_power`, parsed (0 when absent).
    public var votingPower: Int = 0

    /// GETs `<rpc>/status` and parses it.
    public static func fetch(_ rpc: String) async throws -> MockchainStatus {
        let (data, _) = try await URLSession.shared.data(from: URL(string: rpc + "/status")!)
        return try parse(data)
    }

    /// Parses a `/status` body.
    public static func parse(_ data: Data) throws -> MockchainStatus {
        struct Body: Decodable {
            struct Result: Decodable {
                struct Sync: Decodable {
                    var latest_block_height: String
                    var catching_up: Bool
                }
                struct Validator: Decodable {
                    var address: String
                    var voting_power: String?
                }
                var sync_info: Sync
                var validator_info: Validator
            }
            var result: Result
        }
        let body = try JSONDecoder().decode(Body.self, from: data)
        return MockchainStatus(
            height: Int(body.result.sync_info.latest_block_height) ?? -1,
            catchingUp: body.result.sync_info.catching_up,
            validatorAddress: body.result.validator_info.address,
            votingPower: Int(body.result.validator_info.voting_power ?? "") ?? 0
        )
    }
}
