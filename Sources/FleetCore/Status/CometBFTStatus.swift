public import Foundation

/// The parts of a CometBFT RPC `/status` answer that the fleet uses.
public struct CometBFTStatus: Sendable, Equatable {
    /// `sync_info.latest_block_height`.
    public var height: Int64
    /// `sync_info.catching_up`.
    public var catchingUp: Bool
    /// `sync_info.latest_block_time`.
    public var latestBlockTime: String?
    /// `node_info.network` (the chain id).
    public var network: String?
    /// `validator_info.address`.
    public var validatorAddress: String?
    /// `validator_info.voting_power` (0 on a node whose key is not in the validator set).
    public var votingPower: Int64? = nil

    /// Parses a `/status` body: the JSON-RPC envelope (`{"result": {...}}`) or the bare result.
    ///
    /// - Throws: `CometBFTStatus.ParseError` naming what is missing.
    public static func parse(_ data: Data) throws(ParseError) -> CometBFTStatus {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ParseError(reason: "not a JSON object")
        }
        let result = (object["result"] as? [String: Any]) ?? object
        guard let sync = (result["sync_info"] ?? result["SyncInfo"]) as? [String: Any] else {
            throw ParseError(reason: "no sync_info")
        }
        let rawHeight = sync["latest_block_height"]
        let height: Int64? =
            (rawHeight as? String).flatMap { Int64($0) } ?? (rawHeight as? NSNumber)?.int64Value
        guard let height else { throw ParseError(reason: "no latest_block_height") }
        return CometBFTStatus(
            height: height,
            catchingUp: (sync["catching_up"] as? Bool) ?? false,
            latestBlockTime: sync["latest_block_time"] as? String,
            network: (result["node_info"] as? [String: Any])?["network"] as? String,
            validatorAddress: (result["validator_info"] as? [String: Any])?["address"] as? String,
            votingPower: Self.int64((result["validator_info"] as? [String: Any])?["voting_power"])
        )
    }

    /// A CometBFT integer: a JSON string (as the RPC writes int64) or a number.
    static func int64(_ value: Any?) -> Int64? {
        (value as? String).flatMap { Int64($0) } ?? (value as? NSNumber)?.int64Value
    }

    /// A `/status` body that could not be understood.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What was wrong.
        public var reason: String
        public var description: String { "unexpected /status answer: \(reason)" }
    }
}
