import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The one reading of `cosmovisor/current`: relative and absolute targets, inside the layout or an error.
@Suite("current selection", .tags(.files))
struct CurrentSelectionTests {
    static let layout = CosmovisorLayout(home: "/home/x/.gaia", daemonName: "gaiad")

    @Test(
        "relative and absolute targets that land on genesis or upgrades/<name> select it",
        arguments: [
            ("genesis", CurrentSelection.genesis),
            ("upgrades/v2", .upgrade(directory: "v2")),
            ("/home/x/.gaia/cosmovisor/upgrades/v2", .upgrade(directory: "v2")),
            ("/home/x/.gaia/cosmovisor/genesis", .genesis),
            ("/home/x/.gaia/cosmovisor/upgrades/v2/", .upgrade(directory: "v2")),
            ("//home/x/.gaia//cosmovisor/./upgrades/v9-lambda", .upgrade(directory: "v9-lambda")),
            ("./upgrades/v2", .upgrade(directory: "v2")),
            ("../cosmovisor/upgrades/v2", .upgrade(directory: "v2")),
            ("upgrades/v1/../v3", .upgrade(directory: "v3")),
            ("../../.gaia/cosmovisor/genesis", .genesis),
        ] as [(String, CurrentSelection)]
    )
    func inside(target: String, expected: CurrentSelection) throws {
        let selection = try Self.layout.selection(for: .symlink(target: target, destination: .directory))
        #expect(selection == expected)
        let directory = expected == .genesis ? "genesis" : "upgrades/" + expected.name
        #expect(Self.layout.binary(of: selection) == "/home/x/.gaia/cosmovisor/\(directory)/bin/gaiad")
    }

    @Test(
        "targets outside genesis and upgrades/<name> are refused, naming the link and the target",
        arguments: [
            "/home/y/.gaia/cosmovisor/upgrades/v2", "/home/x/.gaia/cosmovisor", "../../other/cosmovisor/upgrades/v2",
            "upgrades", "upgrades/v2/bin", "upgrades/v2/bin/gaiad", "genesis/bin", "/", "..", "", ".",
            "../cosmovisor-old/genesis", "/home/x/.gaia/cosmovisor/upgrades/../../genesis", "data",
        ]
    )
    func outside(target: String) {
        #expect(
            throws: CurrentLinkError(link: "/home/x/.gaia/cosmovisor/current", target: target, reason: .outsideLayout)
        ) {
            try Self.layout.selection(for: .symlink(target: target, destination: .directory))
        }
        let error = CurrentLinkError(link: "/home/x/.gaia/cosmovisor/current", target: target, reason: .outsideLayout)
        #expect(error.description.contains("\"/home/x/.gaia/cosmovisor/current\" points to \"\(target)\", outside"))
    }

    @Test("a missing current is genesis; a dangling link, a link to a file or a non-link is an error, never genesis")
    func unusable() throws {
        #expect(try Self.layout.selection(for: .missing) == .genesis)
        let link = "/home/x/.gaia/cosmovisor/current"
        for (observation, reason, text) in [
            (
                CurrentLinkObservation.symlink(target: "upgrades/v9", destination: .nothing),
                CurrentLinkError.Reason.dangling,
                "\"\(link)\" points to \"upgrades/v9\", which does not exist"
            ),
            (
                .symlink(target: "/home/x/.gaia/cosmovisor/upgrades/v9", destination: .nothing), .dangling,
                "\"\(link)\" points to \"/home/x/.gaia/cosmovisor/upgrades/v9\", which does not exist"
            ),
            (
                .symlink(target: "upgrades/v2", destination: .file), .notADirectory,
                "\"\(link)\" points to \"upgrades/v2\", which is not a directory"
            ),
            (.notASymlink, .notASymlink, "\"\(link)\" is not a symbolic link"),
        ] {
            do {
                _ = try Self.layout.selection(for: observation)
                Issue.record("\(observation) was accepted")
            } catch {
                #expect(error.reason == reason)
                #expect(error.description.hasPrefix(text), "\(error)")
            }
        }
    }

    @Test("control characters in a target are escaped in the message")
    func escaped() {
        let error = CurrentLinkError(link: "/h/cosmovisor/current", target: "up\u{1b}[31m\ngrades", reason: .dangling)
        #expect(!error.description.contains("\u{1b}"))
        #expect(!error.description.contains("\n"))
        #expect(error.description.contains(#"up\u001b[31m\ngrades"#))
    }

    @Test("reading the link on disk: missing, relative, absolute, dangling, to a file, not a link")
    func readsTheFileSystem() async throws {
        try await withTemporaryDirectory { dir in
            let layout = CosmovisorLayout(home: dir + "/home", daemonName: "d")
            let fm = FileManager.default
            try fm.createDirectory(atPath: layout.upgradesDirectory + "/v2/bin", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: layout.genesisBinDirectory, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: layout.upgradesDirectory + "/file"))
            #expect(CurrentLinkObservation.read(layout.current) == .missing)
            for (target, destination) in [
                ("upgrades/v2", CurrentLinkObservation.Destination.directory),
                (layout.upgradesDirectory + "/v2", .directory), ("upgrades/v9", .nothing), ("upgrades/file", .file),
            ] {
                try? fm.removeItem(atPath: layout.current)
                try fm.createSymbolicLink(atPath: layout.current, withDestinationPath: target)
                #expect(
                    CurrentLinkObservation.read(layout.current) == .symlink(target: target, destination: destination)
                )
            }
            try fm.removeItem(atPath: layout.current)
            try fm.createDirectory(atPath: layout.current, withIntermediateDirectories: true)
            #expect(CurrentLinkObservation.read(layout.current) == .notASymlink)
        }
    }
}
