import FleetCore
import Foundation

/// An upgrade plan as the run loop sees it: one `data/upgrade-info.json` document, parsed and validated
/// by FleetCore's ``UpgradePlan`` (with the shared ``UpgradeName`` check, deliberate fix 5).
///
/// Every failure is a value, never a crash (deliberate fix 3): a missing, empty, partial or invalid file
/// is reported and the agent keeps supervising.
struct RunPlan: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The name as written in the file (the custom pre-upgrade script gets it, as cosmovisor does).
    var rawName: String
    /// The name after recasing (lower-cased unless `COSMOVISOR_DISABLE_RECASE`).
    var name: String
    /// The upgrade height.
    var height: Int64
    /// Free text, JSON or URL; `nil` when empty.
    var info: String?

    var description: String { "\(name)@\(height)" }

    /// The shared plan value (for the current-upgrade record, written exactly as cosmovisor writes it).
    var upgradePlan: UpgradePlan { UpgradePlan(name: name, height: height, info: info ?? "") }

    /// Parses and validates one `upgrade-info.json` document.
    ///
    /// - Returns: the plan, or the reason in cosmovisor's wording.
    static func parse(_ data: Data, path: String, disableRecase: Bool) -> Result<RunPlan, AgentError> {
        do {
            let plan = try UpgradePlan.parse(data, path: path, disableRecase: disableRecase)
            let raw = (try? UpgradePlan.decode(data).name) ?? plan.name
            return .success(
                RunPlan(rawName: raw, name: plan.name, height: plan.height, info: plan.info.isEmpty ? nil : plan.info)
            )
        } catch {
            return .failure(AgentError(.plan, error.description))
        }
    }
}
