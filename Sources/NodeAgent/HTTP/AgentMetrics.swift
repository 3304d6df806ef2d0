import FleetCore
import Foundation
import Prometheus

/// `/metrics`: the agent's numbers in the Prometheus text format, written by swift-prometheus from one
/// published view (a fresh registry per scrape, so nothing is shared with the supervisor).
///
/// | Metric | Type | Meaning |
/// |---|---|---|
/// | `node_agent_info{version,daemon_name,current}` | gauge | always 1; the labels carry the facts |
/// | `node_agent_child_up` | gauge | 1 while the node runs under the agent |
/// | `node_agent_child_restarts_total` | counter | node starts after the first, since the agent started |
/// | `node_agent_upgrades_applied_total` | counter | upgrades this agent applied |
/// | `node_agent_switches_total{outcome}` | counter | control-channel switches recorded in the state file |
/// | `node_agent_last_switch_duration_seconds` | gauge | the last successful switch, request to node up |
/// | `node_agent_last_backup_duration_seconds`, `node_agent_last_backup_size_bytes` | gauge | the last data backup |
/// | `node_agent_staged_upgrades` | gauge | `upgrades/*` directories holding an executable binary |
/// | `node_agent_chain_height` | gauge | the highest height seen (RPC at scrape, height gate) |
struct AgentMetrics {
    /// The exposition format's content type.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    var configuration: AgentConfiguration
    var view: AgentPublication.View
    /// The node's height from its RPC at scrape time, `nil` when it did not answer.
    var chainHeight: Int64?

    /// The exposition text.
    func render() -> String {
        let registry = PrometheusCollectorRegistry()
        let record = view.record
        gauge(
            registry, "info", "node-agent's version, the daemon and the release current selects",
            [
                ("version", record.version), ("daemon_name", record.daemonName),
                ("current", ReleaseLookup.current(configuration.layout)?.name ?? "unusable"),
            ]
        ).set(1.0)
        gauge(registry, "child_up", "1 while the node runs under the agent").set(
            record.child.state == Supervisor.publicState(.running) && record.child.pid != nil ? 1.0 : 0.0
        )
        counter(registry, "child_restarts", "node starts after the first since the agent started")
            .increment(by: Int64(max(0, record.child.starts - 1)))
        counter(registry, "upgrades_applied", "upgrades this agent applied")
            .increment(by: Int64(record.child.upgradesApplied.count))
        let switches = record.switches ?? []
        for outcome in [AgentRuntimeState.SwitchRecord.Outcome.ok, .failed] {
            counter(registry, "switches", "switches requested on the control socket", [("outcome", outcome.rawValue)])
                .increment(by: Int64(switches.filter { $0.outcome == outcome }.count))
        }
        if let seconds = view.lastSwitchSeconds {
            gauge(registry, "last_switch_duration_seconds", "the last successful switch, request to node up")
                .set(seconds)
        }
        if let backup = lastBackup(record) {
            gauge(registry, "last_backup_duration_seconds", "how long the last data backup took").set(backup.seconds)
            gauge(registry, "last_backup_size_bytes", "bytes in the last data backup").set(Double(backup.bytes))
        }
        gauge(registry, "staged_upgrades", "upgrades/* directories holding an executable binary")
            .set(Double(stagedUpgrades()))
        if let height = [chainHeight, view.lastHeight].compactMap({ $0 }).max() {
            gauge(registry, "chain_height", "the highest chain height seen").set(Double(height))
        }
        return registry.emitToString()
    }

    /// The last backup's duration and size (bytes copied plus bytes shared by links or clones).
    private func lastBackup(_ record: AgentRuntimeState) -> (seconds: Double, bytes: Int64)? {
        record.lastBackup.map { ($0.seconds, $0.bytesCopied + $0.bytesLinked) }
    }

    private func stagedUpgrades() -> Int {
        let layout = configuration.layout
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.upgradesDirectory)) ?? []
        return names.filter { name in
            !name.hasPrefix(".")
                && FileManager.default.isExecutableFile(atPath: layout.binary(of: .upgrade(directory: name)))
        }.count
    }

    private func gauge(
        _ registry: PrometheusCollectorRegistry, _ name: String, _ help: String, _ labels: [(String, String)] = []
    ) -> Gauge {
        registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
    }

    private func counter(
        _ registry: PrometheusCollectorRegistry, _ name: String, _ help: String, _ labels: [(String, String)] = []
    ) -> Counter {
        registry.makeCounter(descriptor: Self.descriptor(name, help, unit: "total"), labels: labels)
    }

    private static func descriptor(_ name: String, _ help: String, unit: String = "") -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "node_agent", metricName: name, unitName: unit, helpText: help)
    }
}
