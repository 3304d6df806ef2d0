/// POSIX sh fixtures written from cosmovisor-spec.md §8.2 (same stdout strings, the upgrade-info path as
/// argument 4, a sleep after writing so the agent ends the process, `exit 1001` when not killed).
///
/// Each genesis fixture also answers `status` with a height at the plan, standing in for the node RPC
/// that upstream's tests bypass (their height gate is skipped under `go test`).
enum RunFixtures {
    static let statusAt49 = """
        if [ "$1" = status ]; then echo '{"sync_info":{"latest_block_height":"49"}}'; exit 0; fi
        """

    /// `testdata/validate/.../genesis/bin/dummyd`.
    static func validateGenesis(name: String = "chain2") -> String {
        """
        #!/bin/sh
        \(statusAt49)
        echo Genesis "$@"
        sleep 1
        if [ -z "$4" ]; then exit 1001; fi
        echo 'UPGRADE "\(name)" NEEDED at height: 49: {}'
        printf '{"name":"\(name)","height":49,"info":""}' > "$4"
        sleep 2
        echo 'Never should be printed!!!'
        """
    }

    /// `testdata/validate/.../upgrades/chain2/bin/dummyd` (also what runs as `pre-upgrade`).
    static func live(_ banner: String) -> String {
        """
        #!/bin/sh
        echo '\(banner)'
        echo Args: "$@"
        sleep 1
        echo Finished successfully
        """
    }

    /// `testdata/dontdie/.../genesis/bin/dummyd`: traps SIGTERM. The last sleep is 3 s (upstream: 2 s)
    /// because the agent signals the whole group, so the first sleep ends at once instead of running out.
    /// The sleep after writing upgrade-info.json is 3 s (upstream: 1 s): the time the agent has to notice
    /// the file and signal, which a loaded 2-core machine sometimes stretches past 1 s.
    static let dontDieGenesis = """
        #!/bin/sh
        \(statusAt49)
        trap 'echo "WARN Need Flush"' TERM
        echo Genesis "$@"
        sleep 1
        if [ -z "$4" ]; then exit 1001; fi
        echo 'UPGRADE "Chain2" NEEDED at height: 49: {}'
        printf '{"name":"Chain2","height":49,"info":""}' > "$4"
        sleep 3
        echo Flushed
        sleep 3
        echo 'Did not kill in time. Never should be printed!!!'
        """

    /// `testdata/download/cosmovisor/preupgrade.sh`.
    static let preUpgradeScript = """
        #!/bin/sh
        echo OK > "upgrade_name_$1_height_$2"
        echo "PWD=$(pwd)"
        echo "upgrade_name_$1_height_$2"
        """
}
