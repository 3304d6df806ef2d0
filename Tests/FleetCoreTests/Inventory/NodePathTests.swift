import FleetCore
import FleetTestSupport
import Testing

@Suite("Node-relative paths in inventory variables", .tags(.pure))
struct NodePathTests {
    @Test(
        "~, ~/X, $HOME, $HOME/X, ${HOME} and ${HOME}/X resolve against the node's home; other paths stay as written",
        arguments: [
            ("~", "/home/gaia"), ("~/", "/home/gaia"), ("~/.gaia", "/home/gaia/.gaia"),
            ("~//.gaia/x", "/home/gaia/.gaia/x"), ("$HOME", "/home/gaia"), ("$HOME/.gaia", "/home/gaia/.gaia"),
            ("${HOME}", "/home/gaia"), ("${HOME}/.gaia", "/home/gaia/.gaia"), ("${HOME}/a b/c", "/home/gaia/a b/c"),
            ("/var/lib/gaia", "/var/lib/gaia"), ("/data/~gaia", "/data/~gaia"), (".gaia", ".gaia"),
            ("/opt/price$", "/opt/price$"), ("/opt/a$1", "/opt/a$1"),
        ])
    func resolves(value: String, expected: String) throws {
        #expect(try NodePath.resolve(value, home: "/home/gaia", variable: "daemon_home", host: "val-1") == expected)
    }

    @Test("a home of / or with a trailing slash joins without a double slash")
    func rootHome() throws {
        #expect(try NodePath.resolve("~/.gaia", home: "/", variable: "daemon_home", host: "h") == "/.gaia")
        #expect(try NodePath.resolve("~", home: "/", variable: "daemon_home", host: "h") == "/")
        #expect(try NodePath.resolve("$HOME/x", home: "/home/u/", variable: "agent_path", host: "h") == "/home/u/x")
    }

    @Test("only the home forms need the node's home")
    func needsHome() throws {
        #expect(try NodePath("~/.gaia", variable: "daemon_home", host: "h").needsHome)
        #expect(try NodePath("${HOME}", variable: "daemon_home", host: "h").needsHome)
        #expect(try !NodePath("/home/u/.gaia", variable: "daemon_home", host: "h").needsHome)
    }

    @Test(
        "~user, other shell variables, command substitutions and templates are errors naming host, variable and value",
        arguments: [
            ("~gaia/.gaia", NodePathError.Kind.otherUser), ("~+/x", .otherUser), ("~-", .otherUser),
            ("$USER/.gaia", .shellExpansion), ("/home/$USER/.gaia", .shellExpansion), ("$HOMEDIR/x", .shellExpansion),
            ("${HOME}x", .shellExpansion), ("${GAIA_HOME}", .shellExpansion), ("$HOME/$(whoami)", .shellExpansion),
            ("~/${X}", .shellExpansion), ("$HOME/_$_x", .shellExpansion),
            ("{{ ansible_env.HOME }}/.gaia", .template), ("/home/{{ ansible_user }}/.gaia", .template),
            ("~/{% if x %}a{% endif %}", .template), ("/x/{# note #}", .template),
        ])
    func refuses(value: String, kind: NodePathError.Kind) {
        #expect {
            try NodePath.resolve(value, home: "/home/gaia", variable: "daemon_home", host: "val-1")
        } throws: { error in
            guard let error = error as? NodePathError else { return false }
            return error.kind == kind && error.description.hasPrefix("val-1: daemon_home '\(value)' ")
        }
    }

    @Test("the template message tells the operator to write the path")
    func templateMessage() {
        #expect {
            try NodePath("{{ ansible_env.HOME }}/.gaia", variable: "daemon_home", host: "val-1")
        } throws: { error in
            (error as? NodePathError)?.description
                == "val-1: daemon_home '{{ ansible_env.HOME }}/.gaia' is an Ansible template; fleet does not evaluate "
                + "templates: write the path"
        }
    }

    @Test("a node's home is accepted only absolute, bounded, UTF-8 and without control characters")
    func checkedHome() throws {
        #expect(try NodePath.checkedHome(Array("/home/gaia".utf8), host: "h") == "/home/gaia")
        #expect(try NodePath.checkedHome(Array("/home/gäia user".utf8), host: "h") == "/home/gäia user")
        let hostile: [[UInt8]] = [
            [], Array("home/gaia".utf8), Array("/home/gaia\n".utf8), Array("/home/\u{1B}]0;x\u{07}".utf8),
            Array("/home/\u{7F}".utf8), [0x2F, 0xFF, 0xFE], Array(("/" + String(repeating: "a", count: 4096)).utf8),
            Array("~".utf8),
        ]
        for bytes in hostile {
            #expect {
                try NodePath.checkedHome(bytes, host: "10.0.0.7")
            } throws: { error in
                guard let error = error as? NodePathError, error.kind == .badHome else { return false }
                return error.description.hasPrefix("10.0.0.7: the node's home directory")
                    && !error.description.utf8.contains { $0 < 0x20 || $0 == 0x7F }
                    && error.description.utf8.count < 600
            }
        }
    }

    @Test("a host's daemon_home and agent_path resolve together; other variables are left alone")
    func hostResolution() throws {
        let host = try InventoryHost(
            name: "val-1",
            vars: ["daemon_home": "~/.gaia", "agent_path": "${HOME}/bin/node-agent", "node_rpc": "http://x:1"])
        #expect(host.needsNodeHome)
        let resolved = try host.resolvingNodePaths(home: "/home/gaia")
        #expect(resolved.daemonHome == "/home/gaia/.gaia")
        #expect(resolved.agentPath == "/home/gaia/bin/node-agent")
        #expect(resolved.nodeRPC == "http://x:1")
        #expect(!resolved.needsNodeHome)
        #expect(try !InventoryHost(name: "v", vars: ["daemon_home": "/var/gaia"]).needsNodeHome)
    }

    @Test(
        "a template in any variable fleet reads fails the inventory load with its position; other variables may hold one"
    )
    func templatesAtLoad() throws {
        let text = """
            [validators]
            val-1 ansible_host=127.0.0.1 daemon_home="{{ ansible_env.HOME }}/.gaia"
            """
        #expect {
            try InventoryParser.parse(text: text, format: .ini, fileName: "inv.ini")
        } throws: { error in
            guard let error = error as? InventoryError else { return false }
            return error.code == .template && error.line == 2
                && error.description.hasPrefix("inv.ini:2:")
                && error.description.hasSuffix(
                    "val-1: daemon_home '{{ ansible_env.HOME }}/.gaia' is an Ansible template; fleet does not "
                        + "evaluate templates: write the path")
        }
        #expect(throws: InventoryError(code: .template, file: "", message: "")) {
            try InventoryParser.parse(
                text: "[all:vars]\nansible_user={{ lookup('env','USER') }}\n[g]\nh1\n", format: .ini)
        }
        let unused = try InventoryParser.parse(text: "[g]\nh1 motd=\"{{ banner }}\"\n", format: .ini)
        #expect(unused.hosts.first?.vars["motd"] == "{{ banner }}")
    }

    @Test("~user and $OTHER in daemon_home or agent_path fail the load naming host, variable and value")
    func otherFormsAtLoad() {
        for (variable, value) in [("daemon_home", "~gaia/.gaia"), ("agent_path", "$GOPATH/bin/node-agent")] {
            #expect {
                try InventoryParser.parse(text: "[g]\nh1 \(variable)=\(value)\n", format: .ini)
            } throws: { error in
                guard let error = error as? InventoryError else { return false }
                return error.code == .nodePath && error.message.hasPrefix("h1: \(variable) '\(value)' ")
            }
        }
    }
}
