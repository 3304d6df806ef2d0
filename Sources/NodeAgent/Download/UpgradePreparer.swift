import FleetCore
import Foundation
import Logging

/// What `prepare-upgrade` does (spec §4): find the chain's current plan, pick the binary URL for this
/// platform from its `info`, and download it into the plan's upgrade directory ahead of time.
struct UpgradePreparer: Sendable {
    /// The agent's configuration.
    var configuration: AgentConfiguration
    /// How binaries and info documents are fetched (policies from ``configuration``).
    var downloader: BinaryDownloader

    init(configuration: AgentConfiguration) {
        self.configuration = configuration
        self.downloader = BinaryDownloader(configuration)
    }

    /// Asks the node (``ChainRPCClient/currentPlan()``) for its current plan and prepares it, if any.
    ///
    /// - Returns: the installed binary's path, or `nil` when no plan is scheduled.
    /// - Throws: ``AgentError`` `failed to query upgrade info: …` and those of ``prepare(_:logger:)``.
    func prepare(logger: Logger) async throws(AgentError) -> String? {
        logger.info("Using RPC address", metadata: ["address": "\(configuration.rpcURL)"])
        guard let plan = try await ChainRPCClient(baseURL: configuration.rpcURL).currentPlan() else {
            logger.info("No active upgrade plan found")
            return nil
        }
        return try await prepare(plan, logger: logger)
    }

    /// Downloads the binary of `plan` for this platform.
    ///
    /// - Returns: the installed binary's path.
    /// - Throws: ``AgentError`` (`failed to parse upgrade info: …`,
    ///   `binary URL not found in upgrade plan. Cannot prepare for upgrade: …`,
    ///   `failed to download and verify binary: …`) or an ``UpgradeNameError``'s message.
    func prepare(_ plan: UpgradePlan, logger: Logger) async throws(AgentError) -> String {
        logger.info("Preparing for upgrade", metadata: ["name": "\(plan.name)", "height": "\(plan.height)"])
        let name: UpgradeName
        do {
            name = try UpgradeName(plan.name, recase: !configuration.disableRecase)
        } catch {
            throw AgentError(.command, error)
        }
        let binaries: PlanBinaries
        do {
            var info = plan.info
            if PlanBinaries.isReference(info) {
                info = try await downloader.text(
                    at: info.trimmingCharacters(in: .whitespacesAndNewlines),
                    stagingIn: configuration.layout.upgradesDirectory
                )
            }
            binaries = try PlanBinaries.decode(info)
            if downloader.mustHaveChecksum { try binaries.requireChecksums() }
        } catch {
            throw AgentError(.download, "failed to parse upgrade info: \(error)")
        }
        let url: String
        do {
            url = try binaries.url()
        } catch {
            throw AgentError(.download, "binary URL not found in upgrade plan. Cannot prepare for upgrade: \(error)")
        }
        logger.info("Downloading upgrade binary", metadata: ["url": "\(url)"])
        let installed: String
        do {
            installed = try await downloader.install(
                url,
                daemonName: configuration.name,
                into: configuration.layout.upgradeDirectory(for: name)
            )
        } catch {
            throw AgentError(.download, "failed to download and verify binary: \(error)")
        }
        logger.info("Upgrade preparation complete", metadata: ["name": "\(plan.name)", "height": "\(plan.height)"])
        return installed
    }
}
