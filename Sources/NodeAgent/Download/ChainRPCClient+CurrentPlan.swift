import FleetCore
import Foundation

extension ChainRPCClient {
    /// The gRPC method path queried.
    static let currentPlanPath = "/cosmos.upgrade.v1beta1.Query/CurrentPlan"

    /// x/upgrade's current plan through CometBFT's `abci_query`
    /// (`/cosmos.upgrade.v1beta1.Query/CurrentPlan`), the same query cosmovisor sends over gRPC;
    /// `nil` when none is scheduled.
    ///
    /// - Throws: ``AgentError`` `failed to query upgrade info: …`.
    func currentPlan() async throws(AgentError) -> UpgradePlan? {
        let answer: Data
        do {
            answer = try await get("/abci_query?path=%22" + Self.currentPlanPath + "%22")
        } catch {
            throw AgentError(.download, "failed to query upgrade info: \(error)")
        }
        return try Self.decodePlanAnswer(answer)
    }

    /// Decodes the JSON-RPC answer and the protobuf `QueryCurrentPlanResponse` in it.
    static func decodePlanAnswer(_ data: Data) throws(AgentError) -> UpgradePlan? {
        struct Envelope: Decodable {
            struct Result: Decodable {
                struct Response: Decodable {
                    var code: Int?
                    var log: String?
                    var value: String?
                }
                var response: Response
            }
            var result: Result?
            struct RPCError: Decodable {
                var message: String?
                var data: String?
            }
            var error: RPCError?
        }
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: data)
        } catch {
            throw AgentError(.download, "failed to query upgrade info: \(error)")
        }
        if let error = envelope.error {
            throw AgentError(.download, "failed to query upgrade info: \(error.message ?? "") \(error.data ?? "")")
        }
        guard let response = envelope.result?.response else {
            throw AgentError(.download, "failed to query upgrade info: empty answer")
        }
        if let code = response.code, code != 0 {
            throw AgentError(.download, "failed to query upgrade info: code \(code): \(response.log ?? "")")
        }
        guard let value = response.value, !value.isEmpty else { return nil }
        guard let bytes = Data(base64Encoded: value) else {
            throw AgentError(.download, "failed to query upgrade info: value is not base64")
        }
        return try decodePlanResponse(bytes)
    }

    /// `QueryCurrentPlanResponse { Plan plan = 1; }` with `Plan { name = 1; time = 2; height = 3; info = 4; … }`.
    static func decodePlanResponse(_ bytes: Data) throws(AgentError) -> UpgradePlan? {
        var response = ProtobufReader(Array(bytes))
        var planBytes: [UInt8]?
        while let field = try response.next() {
            if field.number == 1, case .bytes(let value) = field.value { planBytes = value }
        }
        guard let planBytes else { return nil }
        var reader = ProtobufReader(planBytes)
        var plan = UpgradePlan(name: "", height: 0)
        while let field = try reader.next() {
            switch (field.number, field.value) {
            case (1, .bytes(let value)): plan.name = String(decoding: value, as: UTF8.self)
            case (3, .varint(let value)): plan.height = Int64(bitPattern: value)
            case (4, .bytes(let value)): plan.info = String(decoding: value, as: UTF8.self)
            default: continue
            }
        }
        return plan
    }
}
