import FleetCore
import FleetTestSupport
import Testing

@Suite("Inventory location: -i, FLEET_INVENTORY, ANSIBLE_INVENTORY, ansible.cfg, defaults", .tags(.pure))
struct InventoryLocatorTests {
    /// A world of files (path → text), environment variables and directories.
    struct World: Sendable, CustomTestStringConvertible {
        var name: String
        var options: [String] = []
        var variables: [String: String] = [:]
        var files: [String: String] = [:]
        var directories: Set<String> = ["/work", "/home/op", "/etc/ansible", "/cfgdir"]
        var worldWritable: Set<String> = []
        var sources: [String]
        var origin: InventoryLocation.Origin

        var testDescription: String { name }

        var environment: InventoryLocator.Environment {
            let files = files
            let directories = directories
            let worldWritable = worldWritable
            return .init(
                variables: variables, currentDirectory: "/work", homeDirectory: "/home/op",
                exists: { files[$0] != nil || directories.contains($0) },
                isDirectory: { directories.contains($0) },
                isWorldWritable: { worldWritable.contains($0) },
                read: { files[$0] })
        }
    }

    static let cfg = "[defaults]\ninventory = hosts.yml\n"

    static let worlds: [World] = [
        World(
            name: "-i beats everything", options: ["a.ini", "~/b"],
            variables: ["FLEET_INVENTORY": "f.ini", "ANSIBLE_INVENTORY": "x"], files: ["/work/ansible.cfg": cfg],
            sources: ["a.ini", "/home/op/b"], origin: .option),
        World(
            name: "FLEET_INVENTORY beats ANSIBLE_INVENTORY",
            variables: ["FLEET_INVENTORY": "f.ini", "ANSIBLE_INVENTORY": "x"],
            sources: ["f.ini"], origin: .fleetEnvironment),
        World(
            name: "ANSIBLE_INVENTORY comma list beats ansible.cfg",
            variables: ["ANSIBLE_INVENTORY": " a.ini, ~/dyn.py ,,"], files: ["/work/ansible.cfg": cfg],
            sources: ["a.ini", "/home/op/dyn.py"], origin: .ansibleEnvironment),
        World(
            name: "empty ANSIBLE_INVENTORY is unset",
            variables: ["ANSIBLE_INVENTORY": " "], files: ["/work/ansible.cfg": cfg],
            sources: ["/work/hosts.yml"], origin: .ansibleConfig("/work/ansible.cfg")),
        World(
            name: "ANSIBLE_CONFIG file beats ./ansible.cfg; paths relative to its directory",
            variables: ["ANSIBLE_CONFIG": "/cfgdir/team.cfg"],
            files: [
                "/cfgdir/team.cfg": "[defaults]\ninventory = inv/, /abs/x.ini, ~/y\n", "/work/ansible.cfg": cfg,
            ],
            sources: ["/cfgdir/inv/", "/abs/x.ini", "/home/op/y"], origin: .ansibleConfig("/cfgdir/team.cfg")),
        World(
            name: "ANSIBLE_CONFIG directory means its ansible.cfg",
            variables: ["ANSIBLE_CONFIG": "/cfgdir"], files: ["/cfgdir/ansible.cfg": cfg],
            sources: ["/cfgdir/hosts.yml"], origin: .ansibleConfig("/cfgdir/ansible.cfg")),
        World(
            name: "missing ANSIBLE_CONFIG falls through to ./ansible.cfg",
            variables: ["ANSIBLE_CONFIG": "/nope.cfg"], files: ["/work/ansible.cfg": cfg],
            sources: ["/work/hosts.yml"], origin: .ansibleConfig("/work/ansible.cfg")),
        World(
            name: "./ansible.cfg beats ~/.ansible.cfg",
            files: ["/work/ansible.cfg": cfg, "/home/op/.ansible.cfg": "[defaults]\ninventory=home\n"],
            sources: ["/work/hosts.yml"], origin: .ansibleConfig("/work/ansible.cfg")),
        World(
            name: "a world-writable working directory's ansible.cfg is ignored",
            files: ["/work/ansible.cfg": cfg, "/home/op/.ansible.cfg": "[defaults]\ninventory=home\n"],
            worldWritable: ["/work"],
            sources: ["/home/op/home"], origin: .ansibleConfig("/home/op/.ansible.cfg")),
        World(
            name: "only the first ansible.cfg is read, even without inventory in it",
            files: ["/work/ansible.cfg": "[defaults]\nforks = 5\n", "/home/op/.ansible.cfg": cfg],
            sources: ["inventory.yml"], origin: .defaultFile),
        World(
            name: "/etc/ansible/ansible.cfg last; key case, ':' and ; comments as configparser",
            files: [
                "/etc/ansible/ansible.cfg": "# c\n[other]\ninventory = no\n[defaults]\nINVENTORY: /srv/inv ; ours\n"
            ],
            sources: ["/srv/inv"], origin: .ansibleConfig("/etc/ansible/ansible.cfg")),
        World(
            name: "defaults: the first of inventory.yml, .yaml, .ini that exists",
            files: ["inventory.ini": "", "inventory.yaml": ""],
            sources: ["inventory.yaml"], origin: .defaultFile),
        World(name: "defaults: inventory.yml when none exists", sources: ["inventory.yml"], origin: .defaultFile),
    ]

    @Test("the first answer in Ansible's order wins", arguments: worlds)
    func order(world: World) {
        let location = InventoryLocator.locate(options: world.options, environment: world.environment)
        #expect(location.sources == world.sources)
        #expect(location.origin == world.origin)
    }

    @Test("the description says which source and why")
    func description() {
        let location = InventoryLocation(sources: ["./hosts.ini"], origin: .ansibleConfig("/x/ansible.cfg"))
        #expect(location.description == "inventory: ./hosts.ini (from ansible.cfg at /x/ansible.cfg)")
        #expect(
            InventoryLocation(sources: ["a", "b"], origin: .ansibleEnvironment).description
                == "inventory: a, b (from ANSIBLE_INVENTORY)")
    }
}
