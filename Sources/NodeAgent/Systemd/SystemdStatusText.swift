/// The one-line `STATUS=` systemd shows (`systemctl status`) for a supervisor snapshot: what runs and
/// which upgrade step is under way (`running v2 (pid 1234)`, `upgrading v3: backup`).
enum SystemdStatusText {
    /// The line for `snapshot`; upgrade names are checked (no control characters), and line breaks are
    /// replaced anyway, since one message is `KEY=value` lines.
    static func describe(_ snapshot: Supervisor.StateMachine.Snapshot) -> String {
        let release = snapshot.applied.name.isEmpty ? "genesis" : snapshot.applied.name
        let text: String
        switch snapshot.phase {
        case .starting, .checking:
            text = "checking for a pending upgrade"
        case .startingChild:
            text = "starting \(release)"
        case .running:
            let pid = snapshot.childPid.map { " (pid \($0))" } ?? ""
            let halt = snapshot.haltHeight.map { ", halts at height \($0)" } ?? ""
            text = "running \(release)\(pid)\(halt)"
        case .stopping:
            text =
                snapshot.pendingPlan.map { "stopping \(release) for upgrade \($0.name) at height \($0.height)" }
                ?? "stopping \(release)"
        case .draining:
            text = "waiting for the node's processes to exit"
        case .childExited:
            text = "\(release) exited; checking for an upgrade"
        case .upgrading(let step):
            text = "upgrading \(snapshot.pendingPlan?.name ?? release): \(step)"
        case .switching:
            text = "switching from \(release) on request"
        case .parked:
            text = "parked on \(release) (node stopped on request)"
        case .finished:
            text = "stopped"
        }
        return String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
