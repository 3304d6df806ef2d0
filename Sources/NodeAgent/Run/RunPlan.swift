import Foundation

/// An upgrade plan as the run loop sees it: one `upgrade-info.json` document, validated.
///
/// Parsing follows cosmovisor §2.1 (x/upgrade `Plan` + `ValidateBasic`), but every failure is a value,
/// never a crash (deliberate fix 3): a missing, empty, partial or invalid file is reported and the
/// agent keeps supervising.
struct RunPlan: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The name as written in the file (used for the custom pre-upgrade script, as cosmovisor does).
    var rawName: String
    /// The name after recasing (lower-cased unless `COSMOVISOR_DISABLE_RECASE`).
    var name: String
    /// The upgrade height.
    var height: Int64
    /// Free text, JSON or URL; `nil` when empty.
    var info: String?

    var description: String { "\(name)@\(height)" }

    /// The compact JSON cosmovisor writes as the current-upgrade record (`upgrades/<dir>/upgrade-info.json`).
    var recordJSON: String {
        func quoted(_ text: String) -> String {
            let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        }
        let info = info.map { ",\"info\":\(quoted($0))" } ?? ""
        return "{\"name\":\(quoted(name)),\"time\":\"0001-01-01T00:00:00Z\",\"height\":\(height)\(info)}"
    }

    /// Parses and validates one `upgrade-info.json` document.
    ///
    /// - Returns: the plan, or a human-readable reason in cosmovisor's wording.
    static func parse(_ data: Data, path: String, disableRecase: Bool) -> Result<RunPlan, PlanProblem> {
        guard !data.isEmpty else { return .failure(PlanProblem("empty upgrade-info.json in \"\(path)\"")) }
        struct Document: Decodable {
            var name: String?
            var height: Int64?
            var info: String?
            var time: String?
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch {
            return .failure(PlanProblem("invalid upgrade-info.json content: \(error), got: \(preview(data))"))
        }
        if let time = document.time, time != "0001-01-01T00:00:00Z", !time.isEmpty {
            return .failure(PlanProblem("invalid upgrade-info.json content: time-based upgrades have been deprecated in the SDK: invalid request"))
        }
        guard let name = document.name, !name.isEmpty else {
            return .failure(PlanProblem("invalid upgrade-info.json content: name cannot be empty: invalid request"))
        }
        let height = document.height ?? 0
        guard height > 0 else {
            return .failure(PlanProblem("invalid upgrade-info.json content: height must be greater than 0: invalid request"))
        }
        let info = document.info.flatMap { $0.isEmpty ? nil : $0 }
        let recased = disableRecase ? name : name.lowercased()
        guard UpgradeDirectoryName.isValid(recased) else {
            return .failure(PlanProblem("invalid upgrade name \(recased.debugDescription): it would escape upgrades/"))
        }
        return .success(RunPlan(rawName: name, name: recased, height: height, info: info))
    }

    private static func preview(_ data: Data) -> String {
        String(decoding: data.prefix(200), as: UTF8.self)
    }
}

/// Why an `upgrade-info.json` could not be used.
struct PlanProblem: Error, Sendable, Equatable, Hashable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
