import FleetCore
import FleetTestSupport
import Foundation
import Testing

@Suite("Inventory loader: group_vars and host_vars beside the inventory", .tags(.files))
struct InventoryLoaderTests {
    /// Writes `files` (relative path → contents) into a fresh directory and returns its path.
    private static func directory(_ files: [String: String]) throws -> String {
        let root = try TestPaths.makeTemporaryDirectory("fleet-inventory")
        for (path, contents) in files {
            let url = URL(fileURLWithPath: root).appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try contents.write(to: url, atomically: true, encoding: .utf8)
        }
        return root
    }

    private static let inventory = """
        [validators]
        val-1 v=host-inline
        val-2

        [sentries]
        sentry-1

        [chain:children]
        validators
        sentries

        [chain:vars]
        v=chain-inline
        [validators:vars]
        v=validators-inline
        w=validators-inline
        [all:vars]
        v=all-inline
        a=all-inline
        """

    @Test("file layers follow Ansible's precedence")
    func precedence() throws {
        let root = try Self.directory([
            "inventory.ini": Self.inventory,
            "group_vars/all.yml": "v: all-file\na: all-file\nonly_all_file: yes\n",
            "group_vars/chain.yaml": "v: chain-file\nc: chain-file\n",
            "group_vars/validators": "---\nw: validators-file\nansible_user: val\n",
            "host_vars/val-2.yml": "v: val-2-file\nansible_port: 2200\n",
            "host_vars/val-1.yml": "v: val-1-file\n",
            "host_vars/nobody.yml": "v: ignored\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let inventory = try InventoryLoader.load(path: root + "/inventory.ini")
        let val1 = try #require(inventory.host(named: "val-1"))
        let val2 = try #require(inventory.host(named: "val-2"))
        let sentry = try #require(inventory.host(named: "sentry-1"))
        #expect(val1.vars["v"] == "val-1-file", "host_vars beat the host line")
        #expect(val2.vars["v"] == "val-2-file")
        #expect(val2.port == 2200)
        #expect(sentry.vars["v"] == "chain-file", "a group_vars file beats every inline group variable")
        #expect(val1.vars["w"] == "validators-file", "a group's file beats its inline vars")
        #expect(val1.vars["c"] == "chain-file")
        #expect(val1.vars["a"] == "all-file", "group_vars/all beats [all:vars]")
        #expect(val1.user == "val")
        #expect(sentry.user == nil)
        #expect(sentry.vars["only_all_file"] == "yes")
        #expect(
            inventory.groups["validators"]?.vars == [
                "v": "validators-inline", "w": "validators-file", "ansible_user": "val",
            ])
        #expect(inventory.host(named: "nobody") == nil, "host_vars never create hosts")
    }

    @Test("group_vars/<group>/ directories merge their files in name order; YAML inventories load too")
    func directoryOfFiles() throws {
        let root = try Self.directory([
            "hosts.yml": "all:\n  children:\n    sentries:\n      hosts:\n        sentry-[1:2]:\n",
            "group_vars/sentries/10-base.yml": "daemon_name: gaiad\nnode_rpc: http://a\n",
            "group_vars/sentries/20-override.yaml": "node_rpc: http://b\n",
            "group_vars/sentries/README.md": "node_rpc: http://ignored\n",
            "group_vars/sentries/.hidden.yml": "node_rpc: http://hidden\n",
            "host_vars/sentry-2": "fleet_role: full\n",
            "host_vars/sentry-1.yml": "",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let inventory = try InventoryLoader.load(path: root + "/hosts.yml")
        #expect(inventory.hosts.map(\.nodeRPC) == ["http://b", "http://b"])
        #expect(inventory.hosts.map(\.daemonName) == ["gaiad", "gaiad"])
        #expect(inventory.hosts.map(\.role) == [.sentry, .full])
    }

    @Test("errors in variable files name those files, with line and column")
    func errorsNameTheFile() throws {
        let root = try Self.directory([
            "inventory": "[g]\nh1\n",
            "host_vars/h1.yml": "ansible_port: 22\nbad: [unclosed\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let error = #expect(throws: InventoryError.self) { try InventoryLoader.load(path: root + "/inventory") }
        #expect(error?.code == .yamlSyntax)
        #expect(error?.file == root + "/host_vars/h1.yml")
        #expect(error?.line == 3)

        let shape = try Self.directory(["inventory.ini": "[g]\nh1\n", "group_vars/g.yml": "- a\n- b\n"])
        defer { try? FileManager.default.removeItem(atPath: shape) }
        let shapeError = #expect(throws: InventoryError.self) {
            try InventoryLoader.load(path: shape + "/inventory.ini")
        }
        #expect(shapeError?.code == .yamlShape)
        #expect(shapeError?.file == shape + "/group_vars/g.yml")
        #expect(
            shapeError?.description == "\(shape)/group_vars/g.yml:1:1: expected a mapping of variables, found a list")

        let port = try Self.directory(["inventory.ini": "[g]\nh1\n", "group_vars/g.yml": "# c\nansible_port: 99999\n"])
        defer { try? FileManager.default.removeItem(atPath: port) }
        let portError = #expect(throws: InventoryError.self) { try InventoryLoader.load(path: port + "/inventory.ini") }
        #expect(portError?.code == .invalidPort)
        #expect(portError?.description.hasPrefix("\(port)/group_vars/g.yml:2:1: ") == true)
    }

    @Test("a missing inventory file is an unreadable-file error naming it")
    func missingFile() {
        let error = #expect(throws: InventoryError.self) {
            try InventoryLoader.load(path: "/nonexistent/fleet/inventory.ini")
        }
        #expect(error?.code == .unreadableFile)
        #expect(error?.file == "/nonexistent/fleet/inventory.ini")
        #expect(error?.line == nil)
    }
}
