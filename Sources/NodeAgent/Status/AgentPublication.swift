import FleetCore
import Synchronization

/// What the running agent shows its control socket and HTTP listener: a copy the supervisor's task
/// replaces at every state save, read by the servers' threads under a lock, so a reader never waits
/// for the supervisor and the supervisor never waits for a reader.
final class AgentPublication: Sendable {
    /// One consistent view of the agent.
    struct View: Sendable, Equatable {
        /// The state file's content (as it is being written).
        var record: AgentRuntimeState
        /// The highest chain height the agent saw (height gate queries).
        var lastHeight: Int64?
        /// How long the last successful switch took, from the request to the node being up.
        var lastSwitchSeconds: Double?
    }

    private let box: Mutex<View>

    init(_ initial: View) {
        box = Mutex(initial)
    }

    /// The current view.
    var view: View { box.withLock { $0 } }

    /// Changes the view.
    func update(_ body: (inout View) -> Void) {
        box.withLock { body(&$0) }
    }
}
