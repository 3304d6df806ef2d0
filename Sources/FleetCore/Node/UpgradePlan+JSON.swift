public import Foundation

// MARK: - Go-compatible encoding

extension UpgradePlan {
    /// The compact JSON cosmovisor and x/upgrade write: `{"name":…,"time":"0001-01-01T00:00:00Z","height":…}`
    /// plus `"info":…` when non-empty. No trailing newline.
    public func jsonData() -> Data {
        Data(compactJSON().utf8)
    }

    /// A batch file's content: a JSON array of plans indented by two spaces (Go `MarshalIndent`).
    public static func batchData(_ plans: [UpgradePlan]) -> Data {
        if plans.isEmpty { return Data("[]".utf8) }
        let items = plans.map { plan in
            var fields = [
                "    \"name\": \(GoText.jsonString(plan.name))",
                "    \"time\": \(GoText.jsonString(plan.time))",
                "    \"height\": \(plan.height)",
            ]
            if !plan.info.isEmpty { fields.append("    \"info\": \(GoText.jsonString(plan.info))") }
            return "  {\n" + fields.joined(separator: ",\n") + "\n  }"
        }
        return Data(("[\n" + items.joined(separator: ",\n") + "\n]").utf8)
    }

    /// Decodes a batch file (a JSON array of plans) and sorts it by ascending height.
    ///
    /// - Throws: ``UpgradePlanError`` with code `.malformed`.
    public static func decodeBatch(_ data: Data) throws(UpgradePlanError) -> [UpgradePlan] {
        do {
            return try JSONDecoder().decode([UpgradePlan].self, from: data).sorted { $0.height < $1.height }
        } catch let error as UpgradePlanError {
            throw error
        } catch {
            throw .malformed(GoJSON.syntaxMessage(for: data))
        }
    }

    private func compactJSON() -> String {
        var text = "{\"name\":\(GoText.jsonString(name)),\"time\":\(GoText.jsonString(time)),\"height\":\(height)"
        if !info.isEmpty { text += ",\"info\":\(GoText.jsonString(info))" }
        return text + "}"
    }

    // MARK: - Codable

    /// Encodes the x/upgrade fields (`info` left out when empty).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: FieldKey.self)
        try container.encode(name, forKey: FieldKey("name"))
        try container.encode(time, forKey: FieldKey("time"))
        try container.encode(height, forKey: FieldKey("height"))
        if !info.isEmpty { try container.encode(info, forKey: FieldKey("info")) }
    }

    /// Decodes with Go `encoding/json` rules; type errors are thrown as ``UpgradePlanError``.
    public init(from decoder: any Decoder) throws {
        self.init(name: "", height: 0)
        let container: KeyedDecodingContainer<FieldKey>
        do {
            container = try decoder.container(keyedBy: FieldKey.self)
        } catch {
            let kind = GoJSON.kind(of: decoder)
            throw UpgradePlanError.malformed("json: cannot unmarshal \(kind) into Go value of type types.Plan")
        }
        for key in Self.matchedKeys(container.allKeys) {
            if try container.decodeNil(forKey: key.json) { continue }
            switch key.field {
            case "name": name = try Self.field(container, key.json, "name", as: String.self, goType: "string")
            case "info": info = try Self.field(container, key.json, "info", as: String.self, goType: "string")
            case "height": height = try Self.height(container, key.json)
            case "time": time = try Self.field(container, key.json, "time", as: String.self, goType: "time.Time")
            default: hasUpgradedClientState = true
            }
        }
    }

    /// Go matches an exact key first, else the first case-insensitive one.
    private static func matchedKeys(_ keys: [FieldKey]) -> [(field: String, json: FieldKey)] {
        let fields = ["name", "time", "height", "info", "upgraded_client_state"]
        return fields.compactMap { field in
            if let exact = keys.first(where: { $0.stringValue == field }) { return (field, exact) }
            if let folded = keys.first(where: { $0.stringValue.lowercased() == field }) { return (field, folded) }
            return nil
        }
    }

    private static func field<T: Decodable>(
        _ container: KeyedDecodingContainer<FieldKey>,
        _ key: FieldKey,
        _ goName: String,
        as type: T.Type,
        goType: String
    ) throws -> T {
        do {
            return try container.decode(T.self, forKey: key)
        } catch {
            let kind = GoJSON.kind(of: container, key)
            throw UpgradePlanError.malformed(
                "json: cannot unmarshal \(kind) into Go struct field Plan.\(goName) of type \(goType)"
            )
        }
    }

    private static func height(_ container: KeyedDecodingContainer<FieldKey>, _ key: FieldKey) throws -> Int64 {
        if let value = try? container.decode(Int64.self, forKey: key) { return value }
        let kind = GoJSON.kind(of: container, key)
        let shown =
            kind == "number"
            ? (try? container.decode(Double.self, forKey: key)).map { " \(GoJSON.number($0))" } ?? "" : ""
        throw UpgradePlanError.malformed(
            "json: cannot unmarshal \(kind)\(shown) into Go struct field Plan.height of type int64"
        )
    }
}

/// Any JSON object key.
struct FieldKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
