import FleetCore
import FleetTestSupport
import Testing

@Suite("Inventory at fleet scale", .tags(.pure))
struct InventoryScaleTests {
    /// Speed is bench's business; the time limit only stops a run that went quadratic from hanging the suite.
    @Test("10,000 hosts in ranges parse, resolve and select", .timeLimit(.minutes(1)))
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
        let inventory = try InventoryParser.parse(text: text, format: .ini)
        let selected = try inventory.select("chain:!sentry-0*0:&~.*[05]$")
        let hosts = inventory.hosts
        #expect(hosts.count == 10_000)
        #expect(hosts.last?.name == "val-2000")
        #expect(hosts.allSatisfy { $0.daemonName == "gaiad" })
        #expect(selected.count == 1_600 - 800 + 400)
    }
}
