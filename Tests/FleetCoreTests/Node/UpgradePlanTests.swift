import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("UpgradePlan", .tags(.files))
struct UpgradePlanTests {
    /// Upstream TestParseUpgradeInfoFile, with the upgrade-files fixtures rewritten here.
    @Test(
        "TestParseUpgradeInfoFile",
        arguments: [
            (#"{"name":"upgrade1","info":"some info","height":123}"#, false, "upgrade1", 123, nil),
            (#"{"name":"Upgrade2","info":"some info","height":125}"#, false, "upgrade2", 125, nil),
            (#"{"name":"Upgrade2","info":"some info","height":125}"#, true, "Upgrade2", 125, nil),
            (#"{"name":"upgrade1","info":123,"heigh":123}"#, false, "", 0, "cannot unmarshal number into Go struct"),
            (#"{"name":"upgrade1","heigh":"123"}"#, false, "", 0, "height must be greater than 0: invalid request"),
            ("", false, "", 0, "empty upgrade-info.json in"),
            ("{}", false, "", 0, "invalid upgrade-info.json content: name cannot be empty"),
            (#"{"name":"upgrade2"}"#, false, "", 0, "height must be greater than 0: invalid request"),
            (#"{"height":1}"#, false, "", 0, "name cannot be empty: invalid request"),
        ] as [(String, Bool, String, Int64, String?)]
    )
    func parseUpgradeInfoFile(
        content: String, disableRecase: Bool, name: String, height: Int64, error: String?
    )
        async throws
    {
        try await withTemporaryDirectory { dir in
            let path = dir + "/upgrade-info.json"
            try Data(content.utf8).write(to: URL(fileURLWithPath: path))
            if let error {
                let thrown = #expect(throws: UpgradePlanError.self) {
                    try UpgradePlan.read(from: path, disableRecase: disableRecase)
                }
                #expect(thrown?.description.contains(error) == true, "\(String(describing: thrown))")
            } else {
                let plan = try UpgradePlan.read(from: path, disableRecase: disableRecase)
                #expect(plan.name == name)
                #expect(plan.height == height)
                #expect(plan.info == "some info")
            }
        }
    }

    @Test("a missing file reports no such file or directory")
    func missingFile() {
        let error = #expect(throws: UpgradePlanError.self) {
            try UpgradePlan.read(from: "/nonexistent/upgrade-info.json", disableRecase: false)
        }
        #expect(error?.code == .unreadable)
        #expect(error?.description == "open /nonexistent/upgrade-info.json: no such file or directory")
    }

    @Test("the empty-file message quotes the path")
    func emptyMessage() {
        let error = #expect(throws: UpgradePlanError.self) {
            try UpgradePlan.parse(Data(), path: "/d/u.json", disableRecase: false)
        }
        #expect(error?.description == #"empty upgrade-info.json in "/d/u.json""#)
        #expect(error?.code == .empty)
    }

    @Test(
        "Go decoding errors",
        arguments: [
            (
                #"{"name":"a","height":"123"}"#,
                "json: cannot unmarshal string into Go struct field Plan.height of type int64"
            ),
            (
                #"{"name":"a","height":1.5}"#,
                "json: cannot unmarshal number 1.5 into Go struct field Plan.height of type int64"
            ),
            (#"{"name":1,"height":1}"#, "json: cannot unmarshal number into Go struct field Plan.name of type string"),
            (
                #"{"name":"a","height":1,"info":true}"#,
                "json: cannot unmarshal bool into Go struct field Plan.info of type string"
            ),
            (#"[]"#, "json: cannot unmarshal array into Go value of type types.Plan"),
            (#"{"name":"a","hei"#, "unexpected end of JSON input"),
        ]
    )
    func decodingErrors(content: String, message: String) {
        let error = #expect(throws: UpgradePlanError.self) {
            try UpgradePlan.parse(Data(content.utf8), path: "p", disableRecase: false)
        }
        #expect(error?.code == .malformed)
        #expect(error?.description == message)
    }

    @Test(
        "validation in x/upgrade's order",
        arguments: [
            (
                #"{"name":"a","height":1,"time":"2020-01-01T00:00:00Z"}"#,
                "time-based upgrades have been deprecated in the SDK: invalid request"
            ),
            (
                #"{"name":"a","height":1,"upgraded_client_state":{}}"#,
                "upgrade logic for IBC has been moved to the IBC module: invalid request"
            ),
            (#"{"name":"","height":0}"#, "name cannot be empty: invalid request"),
            (#"{"name":"a","height":-4}"#, "height must be greater than 0: invalid request"),
            (#"{"name":"..","height":4}"#, "name must not be"),
            (#"{"name":"a\u0000b","height":4}"#, "control characters"),
        ]
    )
    func validation(content: String, message: String) {
        let error = #expect(throws: UpgradePlanError.self) {
            try UpgradePlan.parse(Data(content.utf8), path: "p", disableRecase: false)
        }
        #expect(error?.code == .invalid)
        #expect(error?.description.hasPrefix("invalid upgrade-info.json content: ") == true)
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test("Go decoding rules: unknown keys ignored, keys case-insensitive, null leaves the default, zero time accepted")
    func lenientDecoding() throws {
        let text = #"{"NAME":"V2","Height":7,"info":null,"extra":[1,2],"time":"0001-01-01T00:00:00Z"}"#
        let plan = try UpgradePlan.parse(Data(text.utf8), path: "p", disableRecase: false)
        #expect(plan == UpgradePlan(name: "v2", height: 7))
    }

    @Test("encodes exactly as x/upgrade: field order, zero time, info omitted when empty, HTML-safe escaping")
    func encoding() {
        #expect(
            String(decoding: UpgradePlan(name: "v2", height: 1234).jsonData(), as: UTF8.self)
                == #"{"name":"v2","time":"0001-01-01T00:00:00Z","height":1234}"#
        )
        #expect(
            String(decoding: UpgradePlan(name: "v2", height: 5, info: #"{"a":"<b>&\n"}"#).jsonData(), as: UTF8.self)
                == #"{"name":"v2","time":"0001-01-01T00:00:00Z","height":5,"info":"{\"a\":\"\u003cb\u003e\u0026\\n\"}"}"#
        )
    }

    @Test("encode then parse is the identity for valid plans", arguments: ["v2", "chain 2", "é-ü", "a\"b\\c"])
    func roundTrip(name: String) throws {
        let plan = UpgradePlan(name: name, height: 99, info: "x<y")
        #expect(try UpgradePlan.parse(plan.jsonData(), path: "p", disableRecase: true) == plan)
    }

    @Test("every truncation of a valid file is an error, never a crash")
    func truncations() {
        let full = Array(UpgradePlan(name: "v2", height: 1234, info: #"{"binaries":{"any":"x"}}"#).jsonData())
        for length in 0..<full.count {
            #expect(throws: UpgradePlanError.self) {
                try UpgradePlan.parse(Data(full[0..<length]), path: "p", disableRecase: false)
            }
        }
    }

    @Test("random bytes never crash the parser")
    func garbage() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let bytes = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? UpgradePlan.parse(Data(bytes), path: "p", disableRecase: false)
        }
    }

    @Test("batch files: 2-space indented array, read back sorted by height")
    func batch() throws {
        let plans = [UpgradePlan(name: "b", height: 20), UpgradePlan(name: "a", height: 10, info: "i")]
        let data = UpgradePlan.batchData(plans)
        #expect(
            String(decoding: data, as: UTF8.self) == """
                [
                  {
                    "name": "b",
                    "time": "0001-01-01T00:00:00Z",
                    "height": 20
                  },
                  {
                    "name": "a",
                    "time": "0001-01-01T00:00:00Z",
                    "height": 10,
                    "info": "i"
                  }
                ]
                """
        )
        #expect(try UpgradePlan.decodeBatch(data).map(\.name) == ["a", "b"])
        #expect(String(decoding: UpgradePlan.batchData([]), as: UTF8.self) == "[]")
    }
}
