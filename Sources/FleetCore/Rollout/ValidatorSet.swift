public import Foundation

/// One page of a CometBFT RPC `/validators` answer: who holds voting power on the chain.
public struct ValidatorSet: Sendable, Equatable {
    /// One validator.
    public struct Validator: Sendable, Equatable {
        /// Consensus address, uppercase hex.
        public var address: String
        /// Its voting power.
        public var votingPower: Int64
    }

    /// The validators on this page.
    public var validators: [Validator]
    /// `total`: how many validators the set has (all pages).
    public var total: Int

    /// The sum of the voting power on this page.
    public var power: Int64 { validators.reduce(0) { $0 + max(0, $1.votingPower) } }

    /// Parses a `/validators` body (the JSON-RPC envelope or the bare result); `nil` when it is not one.
    public static func parse(_ data: Data) -> ValidatorSet? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let result = (object["result"] as? [String: Any]) ?? object
        guard let list = result["validators"] as? [[String: Any]] else { return nil }
        var validators: [Validator] = []
        for entry in list {
            guard let power = CometBFTStatus.int64(entry["voting_power"]) else { return nil }
            validators.append(.init(address: ((entry["address"] as? String) ?? "").uppercased(), votingPower: power))
        }
        let total = CometBFTStatus.int64(result["total"]).map { Int($0) } ?? validators.count
        return ValidatorSet(validators: validators, total: total)
    }
}
