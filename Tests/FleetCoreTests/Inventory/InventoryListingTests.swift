import FleetTestSupport
import Testing

@testable import FleetCore

@Suite("Inventory listings: which JSON is an ansible-inventory --list listing", .tags(.pure))
struct InventoryListingDetectionTests {
    @Test(
        "a listing has _meta, or all.children or all.hosts as a list; YAML-format JSON is not one",
        arguments: [
            (#"{"_meta": {"hostvars": {}}}"#, true),
            (#"{"all": {"children": ["web"]}, "web": ["a"]}"#, true),
            (#"{"all": {"hosts": ["a"]}}"#, true),
            (#"{"all": {"hosts": {"a": {}}, "children": {"web": {}}}}"#, false),
            ("all:\n  hosts:\n    a:\n", false),
            ("[web]\na\n", false),
        ])
    func detection(text: String, isListing: Bool) {
        #expect(InventoryListingParser.isListing(text) == isListing)
    }
}
