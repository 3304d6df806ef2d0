import FleetCore
import Foundation

/// Asks the node for x/upgrade's current plan through CometBFT's `abci_query`
/// (`/cosmos.upgrade.v1beta1.Query/CurrentPlan`), the same query cosmovisor sends over gRPC.
struct CurrentPlanQuery: Sendable {
    /// The node's RPC base URL (`NODE_AGENT_RPC`).
    var rpcURL: String
    /// Performs the GET; replaceable in tests.
    var get: @Sendable (URL) async throws -> Data = { url in try await CurrentPlanQuery.defaultGet(url) }

    /// How long the query may take, in seconds.
    static let timeoutSeconds = 10
    /// The largest answer read (a plan is a few hundred bytes).
    static let maxAnswerBytes = 1 << 20

    /// `http://`: one HTTP/1.0 request over a plain socket (``PlainHTTP/get(_:path:timeoutMS:)``,
    /// as for `/status`); `https://`: the system `curl` (``CurlCommand``).
    static func defaultGet(_ url: URL) async throws(DownloadError) -> Data {
        switch url.scheme?.lowercased() {
        case "http":
            let address = url.absoluteString
            let milliseconds = Int32(timeoutSeconds * 1000)
            let body = await BlockingWork.run { PlainHTTP.get(address, path: "", timeoutMS: milliseconds) }
            guard let body else { throw DownloadError("GET \(address): no answer (or not a 2xx answer)") }
            return body
        case "https":
            return try await CurlCommand().get(url, maxSeconds: timeoutSeconds, maxBytes: maxAnswerBytes)
        default:
            throw DownloadError("unsupported RPC URL \(url.absoluteString) (http:// or https:// only)")
        }
    }

    /// The gRPC method path queried.
    static let path = "/cosmos.upgrade.v1beta1.Query/CurrentPlan"

    /// The current plan, or `nil` when none is scheduled.
    ///
    /// - Throws: ``DownloadError`` `failed to query upgrade info: …`.
    func currentPlan() async throws(DownloadError) -> UpgradePlan? {
        guard let url = URL(string: rpcURL + "/abci_query?path=%22" + Self.path + "%22") else {
            throw DownloadError("failed to query upgrade info: invalid RPC URL \(rpcURL)")
        }
        let answer: Data
        do {
            answer = try await get(url)
        } catch {
            throw DownloadError("failed to query upgrade info: \(error)")
        }
        return try Self.decodeResponse(answer)
    }

    /// Decodes the JSON-RPC answer and the protobuf `QueryCurrentPlanResponse` in it.
    static func decodeResponse(_ data: Data) throws(DownloadError) -> UpgradePlan? {
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
            throw DownloadError("failed to query upgrade info: \(error)")
        }
        if let error = envelope.error {
            throw DownloadError("failed to query upgrade info: \(error.message ?? "") \(error.data ?? "")")
        }
        guard let response = envelope.result?.response else {
            throw DownloadError("failed to query upgrade info: empty answer")
        }
        if let code = response.code, code != 0 {
            throw DownloadError("failed to query upgrade info: code \(code): \(response.log ?? "")")
        }
        guard let value = response.value, !value.isEmpty else { return nil }
        guard let bytes = Data(base64Encoded: value) else {
            throw DownloadError("failed to query upgrade info: value is not base64")
        }
        return try decodePlanResponse(bytes)
    }

    /// `QueryCurrentPlanResponse { Plan plan = 1; }` with `Plan { name = 1; time = 2; height = 3; info = 4; … }`.
    static func decodePlanResponse(_ bytes: Data) throws(DownloadError) -> UpgradePlan? {
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
