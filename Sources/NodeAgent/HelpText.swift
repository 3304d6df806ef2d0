/// The long help of the root command (what `node-agent`, `node-agent help` and `--help` print).
enum HelpText {
    /// The documentation of the settings, upstream's.
    static let documentationURL = "https://docs.cosmos.network/main/build/tooling/cosmovisor"

    /// The text: names Cosmovisor, `DAEMON_NAME`, `DAEMON_HOME` and the documentation URL.
    static let text = [
        "Cosmovisor-compatible process manager for Cosmos SDK application binaries (node-agent).",
        "It runs the application named by the DAEMON_NAME environment variable from "
            + "DAEMON_HOME/cosmovisor/current/bin with the arguments given to `run`, and watches "
            + "DAEMON_HOME/data/upgrade-info.json. When the chain's x/upgrade module writes that file at an approved "
            + "upgrade height, the application is stopped, DAEMON_HOME/cosmovisor/current is switched to the "
            + "upgrade's binary, and the application is started again.",
        "Configuration comes from the same environment variables as Cosmovisor (or a config.toml given with "
            + "--cosmovisor-config), documented in: \(documentationURL)",
        "Differences from Cosmovisor are listed in the project's docs/compatibility.md.",
    ].joined(separator: "\n\n")
}
