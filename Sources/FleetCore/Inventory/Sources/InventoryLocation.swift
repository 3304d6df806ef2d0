/// Where the inventory comes from, and why: the answer of ``InventoryLocator``.
public struct InventoryLocation: Sendable, Hashable, CustomStringConvertible {
    /// What decided the location, in the order they are consulted.
    public enum Origin: Sendable, Hashable {
        /// `-i`/`--inventory`.
        case option
        /// `FLEET_INVENTORY`.
        case fleetEnvironment
        /// `ANSIBLE_INVENTORY`.
        case ansibleEnvironment
        /// `inventory =` in the `[defaults]` section of the ansible.cfg at this path.
        case ansibleConfig(String)
        /// The first of `./inventory.yml`, `./inventory.yaml`, `./inventory.ini` that exists (else the first).
        case defaultFile
    }

    /// The inventory sources, merged in this order (files, directories, executables, host lists).
    public var sources: [String]
    /// What decided them.
    public var origin: Origin

    /// Creates a location.
    public init(sources: [String], origin: Origin) {
        self.sources = sources
        self.origin = origin
    }

    /// Why these sources: `-i`, `ANSIBLE_INVENTORY`, `ansible.cfg at /x/ansible.cfg` …
    public var reason: String {
        switch origin {
        case .option: "-i"
        case .fleetEnvironment: "FLEET_INVENTORY"
        case .ansibleEnvironment: "ANSIBLE_INVENTORY"
        case .ansibleConfig(let path): "ansible.cfg at \(path)"
        case .defaultFile: "the default, no -i, FLEET_INVENTORY, ANSIBLE_INVENTORY or ansible.cfg inventory"
        }
    }

    /// `inventory: ./hosts.ini (from ansible.cfg at /x/ansible.cfg)`.
    public var description: String {
        "inventory: \(sources.joined(separator: ", ")) (from \(reason))"
    }
}
