import FleetCore
import Foundation

/// Tells the node's latest committed height, for the height gate (cosmovisor §5.4 step 6, made robust).
///
/// First the CometBFT RPC `/status` through ``ChainRPCClient`` (`NODE_AGENT_RPC`), which costs one local
/// HTTP request instead of cosmovisor's `<app> status` subprocess per poll; when the RPC does not answer
/// (the node has exited or not opened it yet), `<current bin> status --home <home>` as cosmovisor does.
struct HeightSource: Sendable {
    var rpcURL: String
    var binary: String
    var home: String

    /// The height, or `nil` when neither source could tell.
    func height() async -> Int64? {
        if let height = await ChainRPCClient(baseURL: rpcURL).height() { return height }
        guard
            let run = try? await ChildProcess.capture(
                binary,
                arguments: ["status", "--home", home],
                timeout: ChainRPCClient.timeout
            ),
            run.status.isSuccess
        else { return nil }
        return HeightSource.parseHeight(Data(run.output.utf8))
    }

    /// `result.sync_info.latest_block_height`, `sync_info.…` or `SyncInfo.…` (older SDKs), string or number;
    /// the fleet's shared `/status` parser.
    static func parseHeight(_ data: Data) -> Int64? {
        try? CometBFTStatus.parse(data).height
    }
}
