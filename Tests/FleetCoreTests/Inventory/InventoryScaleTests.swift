import FleetCore
import FleetTestSupport
import Testing

@Suite("Inventory at fleet scale", .tags(.pure))
struct InventoryScaleTests {
    @Test("10,000 hosts in ranges parse, resolve and select in well under the time limit", .timeLimit(.minutes(1)))
    func tenThousandHosts() throws {
        let text = """
            [sentries]
            sentry-[00001:08000] ansible_user=s
            [validators]
            val-[0001:2000]
            [chain:children]
            sentries
            validators
            [chain:vars]
            daemon_name=gaiad
            """
        let clock = ContinuousClock()
        var inventory: Inventory?
        var selected: [InventoryHost] = []
        let elapsed = try clock.measure {
            inventory = try InventoryParser.parse(text: text, format: .ini)
            selected = try inventory?.select("chain:!sentry-0*0:&~.*[05]$") ?? []
        }
        let hosts = try #require(inventory).hosts
        #expect(hosts.count == 10_000)
        #expect(hosts.last?.name == "val-2000")
        #expect(hosts.allSatisfy { $0.daemonName == "gaiad" })
        #expect(selected.count == 1_600 - 800 + 400)
        #expect(elapsed < .seconds(10), "took \(elapsed); something went quadratic")
    }
}
