import FleetCore
import Foundation

/// Whether the agent a state file names is alive: the agent's lock is held (``AgentLock``) and the pid
/// in the file is still the process that wrote it (same `/proc/<pid>/stat` start ticks). Pids are reused
/// after a crash, and a command line says nothing about which home a process supervises.
enum ProcessIdentity {
    /// Whether the agent that wrote `state` still runs for `layout`.
    ///
    /// A held lock with a dead agent is a node left running by an agent killed with SIGKILL: not a
    /// running agent. A state file without start ticks was written by an agent that took no lock.
    static func isRunningAgent(_ state: AgentRuntimeState, layout: CosmovisorLayout) -> Bool {
        guard let ticks = state.startTicks, AgentLock.isHeld(AgentLock.path(in: layout)) else { return false }
        return ProcFS.isSameProcess(state.pid, startTicks: ticks)
    }
}
