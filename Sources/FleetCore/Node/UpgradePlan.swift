public import Foundation

/// An x/upgrade plan: the content of `data/upgrade-info.json` and of every `upgrade-info.json` record.
///
/// The JSON shape is the Go `encoding/json` encoding of the gogoproto `Plan`
/// (`{"name","time","height","info"}`, `info` left out when empty, `time` always the zero time), so
/// ``jsonData()`` is byte-identical to what the chain and cosmovisor write. Decoding follows Go's rules
/// too: unknown keys are ignored, keys match case-insensitively, `null` leaves a field unset, `height`
/// must be a JSON number and `info` a string (see ``UpgradePlan/parse(_:path:disableRecase:)``).
///
/// ```swift
/// let plan = try UpgradePlan.read(from: layout.upgradeInfoFile, disableRecase: false)
/// try AtomicFile.write(plan.jsonData(), to: layout.upgradeRecord(for: plan.upgradeName()))
/// ```
public struct UpgradePlan: Sendable, Hashable, Codable {
    /// The plan name (lower-cased by ``parse(_:path:disableRecase:)`` unless recasing is disabled).
    public var name: String
    /// The upgrade height.
    public var height: Int64
    /// Free text, JSON or a URL; empty when absent.
    public var info: String
    /// The `time` field as written. Always ``zeroTime`` for a valid plan.
    public var time: String
    /// Whether the deprecated `upgraded_client_state` field was present and non-null.
    public var hasUpgradedClientState: Bool

    /// Go's zero `time.Time` in RFC 3339, the only `time` a valid plan carries.
    public static let zeroTime = "0001-01-01T00:00:00Z"

    /// Creates a plan.
    public init(name: String, height: Int64, info: String = "") {
        self.name = name
        self.height = height
        self.info = info
        self.time = Self.zeroTime
        self.hasUpgradedClientState = false
    }

    /// The validated directory name of this plan, taking ``name`` as already recased.
    ///
    /// - Throws: ``UpgradeNameError`` for a name that must not become a path.
    public func upgradeName() throws(UpgradeNameError) -> UpgradeName {
        try UpgradeName(name, recase: false)
    }

    /// x/upgrade `Plan.ValidateBasic`, checks in the upstream order.
    ///
    /// - Throws: ``UpgradePlanError`` with code `.invalid` and the upstream message
    ///   (`name cannot be empty: invalid request` …).
    public func validateBasic() throws(UpgradePlanError) {
        if !Self.isZeroTime(time) {
            throw .invalid("time-based upgrades have been deprecated in the SDK: invalid request")
        }
        if hasUpgradedClientState {
            throw .invalid("upgrade logic for IBC has been moved to the IBC module: invalid request")
        }
        if name.isEmpty { throw .invalid("name cannot be empty: invalid request") }
        if height <= 0 { throw .invalid("height must be greater than 0: invalid request") }
    }

    /// Reads and parses an upgrade-info file (cosmovisor `parseUpgradeInfoFile`).
    ///
    /// - Parameters:
    ///   - path: the file.
    ///   - disableRecase: keep the name's case (`COSMOVISOR_DISABLE_RECASE`).
    /// - Throws: ``UpgradePlanError``: `.unreadable` (`open <path>: no such file or directory`),
    ///   `.empty`, `.malformed` or `.invalid`. Never traps, whatever the content.
    public static func read(from path: String, disableRecase: Bool) throws(UpgradePlanError) -> UpgradePlan {
        let data: Data
        switch PosixFile.readAll(path) {
        case .success(let bytes): data = bytes
        case .failure(let error): throw .unreadable("open \(path): \(GoText.errno(error.code))")
        }
        return try parse(data, path: path, disableRecase: disableRecase)
    }

    /// Parses upgrade-info bytes: empty check, Go JSON decoding, ``validateBasic()``, recasing and the
    /// shared ``UpgradeName`` check.
    ///
    /// - Parameters:
    ///   - data: the file content.
    ///   - path: the file's path, for messages.
    ///   - disableRecase: keep the name's case.
    /// - Returns: the plan, its name lower-cased unless `disableRecase`.
    /// - Throws: ``UpgradePlanError``.
    public static func parse(_ data: Data, path: String, disableRecase: Bool) throws(UpgradePlanError) -> UpgradePlan {
        if data.isEmpty { throw .empty("empty upgrade-info.json in \(path.debugDescription)") }
        var plan = try decode(data)
        do {
            try plan.validateBasic()
        } catch {
            throw .invalid("invalid upgrade-info.json content: \(error.message), got: \(plan.debugSummary)")
        }
        do {
            let name = try UpgradeName(plan.name, recase: !disableRecase)
            plan.name = name.recased
        } catch {
            throw .invalid("invalid upgrade-info.json content: \(error), got: \(plan.debugSummary)")
        }
        return plan
    }

    /// Decodes one plan object with Go `encoding/json` semantics and no validation.
    ///
    /// - Throws: ``UpgradePlanError`` with code `.malformed` (`json: cannot unmarshal string into Go struct
    ///   field Plan.height of type int64`, `unexpected end of JSON input` …).
    public static func decode(_ data: Data) throws(UpgradePlanError) -> UpgradePlan {
        do {
            return try JSONDecoder().decode(UpgradePlan.self, from: data)
        } catch let error as UpgradePlanError {
            throw error
        } catch {
            throw .malformed(GoJSON.syntaxMessage(for: data))
        }
    }

    /// A short rendering for error messages.
    var debugSummary: String { String(decoding: jsonData(), as: UTF8.self) }

    static func isZeroTime(_ time: String) -> Bool {
        guard time.hasPrefix("0001-01-01T00:00:00") else { return false }
        var rest = Substring(time.dropFirst("0001-01-01T00:00:00".count))
        if rest.hasPrefix(".") {
            rest = rest.dropFirst().drop { $0 == "0" }
        }
        return rest == "Z" || rest == "+00:00" || rest == "-00:00"
    }
}
