import FleetCore
import FleetTestSupport
import Testing

@Suite("Inventory host:port names", .tags(.pure))
struct InventoryHostPortTests {
    @Test(
        "host:port sets ansible_port in both formats; an explicit ansible_port wins",
        arguments: [InventoryFormat.ini, .yaml]
    )
    func hostPort(format: InventoryFormat) throws {
        let text =
            format == .ini
            ? "[g]\nweb-[1:2]:2201\ndb:2202 ansible_port=2299\nfe80::1\n"
            : "all:\n  hosts:\n    \"web-[1:2]:2201\":\n    db:2202:\n      ansible_port: 2299\n    \"fe80::1\":\n"
        let inventory = try InventoryParser.parse(text: text, format: format)
        #expect(inventory.hosts.map(\.name) == ["web-1", "web-2", "db", "fe80::1"])
        #expect(inventory.hosts.map(\.port) == [2201, 2201, 2299, 22])
    }
}
