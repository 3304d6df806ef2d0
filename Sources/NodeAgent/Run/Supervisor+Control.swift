import FleetCore
import Foundation
import Glibc
import Logging

extension Supervisor {
    /// A control request on its way to the supervisor's task, with the connection's way to get its answer.
    struct ControlCall: Sendable {
        var request: ControlRequest
        /// The requesting process's uid (`SO_PEERCRED`).
        var peerUID: uid_t
        /// The node's RPC (`NODE_AGENT_RPC`) answered with a height when the request arrived.
        var rpcAnswered = false
        var reply: CheckedContinuation<ControlReply, Never>
    }

    /// An accepted request waiting for the machine's ``StateMachine/Action/answer(id:_:)``.
    struct PendingControl {
        var call: ControlCall
        var requestedAt: Date
        var started: ContinuousClock.Instant
        /// For a switch: the release before and the one asked for.
        var from: CurrentSelection?
        var to: CurrentSelection?
        /// The child counts as up once the node's RPC answers with a height (it answered for this agent
        /// before), rather than after ``Supervisor/settleTime``.
        var waitForRPC = false
        /// How long the child may take to answer its RPC (the request's `up_timeout`, else ``Supervisor/upTimeout``).
        var upBound = Supervisor.upTimeout
    }

    /// How long a child started by a control request must run before it counts as up, when the node's
    /// RPC never answered this agent (no RPC, or `NODE_AGENT_RPC` is not the node's).
    static let settleTime = Duration.seconds(1)
    /// How long a child started by a control request may take to answer its RPC before it counts as
    /// failed (a switched one is then stopped and switched back).
    static let upTimeout = Duration.seconds(60)
    /// How often the RPC is asked while waiting for the child to come up.
    static let upPollInterval = Duration.milliseconds(250)

    /// Creates the control socket and starts serving it. `status` is answered on the server's own threads
    /// from the published view; `switch` and `restart` go to the supervisor's input stream.
    func startControlServer() throws(AgentError) -> ControlServer {
        let continuation = self.continuation
        let (configuration, publication) = (self.configuration, self.publication)
        let path = ControlMessage.socketPath(in: configuration.layout)
        let server = try ControlServer(path: path, releasePages: !configuration.keepStartupPages) { request, uid in
            if request.command == .status {
                let status = await Supervisor.status(configuration, publication)
                return ControlReply(.ok, "status from the running agent", status: status)
            }
            // Off the supervisor's task: whether the node's RPC answers now (the running child's), so
            // that the child started for this request has to answer it too before it counts as up.
            let rpcAnswered = await ChainRPCClient(baseURL: configuration.rpcURL).height() != nil
            return await withCheckedContinuation { reply in
                let call = ControlCall(request: request, peerUID: uid, rpcAnswered: rpcAnswered, reply: reply)
                if case .terminated = continuation.yield(.control(call)) {
                    reply.resume(returning: ControlReply(.busy, "the agent is exiting"))
                }
            }
        }
        server.start()
        return server
    }

    /// The status document from the running agent's memory (the control socket's and `/status`'s answer).
    static func status(_ configuration: AgentConfiguration, _ publication: AgentPublication) async -> NodeStatus {
        var collector = NodeStatusCollector(configuration: configuration)
        collector.runtime = publication.view.record
        return await collector.collect()
    }

    /// Checks a request (the release exists and is executable) and turns it into a machine event; a refused
    /// one is answered at once and changes nothing.
    func acceptControl(_ call: ControlCall) -> [StateMachine.Event] {
        nextControlID += 1
        let id = nextControlID
        if call.rpcAnswered { rpcKnown = true }
        var pending = PendingControl(call: call, requestedAt: Date(), started: .now, waitForRPC: rpcKnown)
        if let seconds = call.request.upTimeout {
            pending.upBound = .seconds(min(max(seconds, 1), ControlMessage.maxUpTimeoutSeconds))
        }
        let command: StateMachine.ControlCommand
        switch call.request.command {
        case .status:
            call.reply.resume(returning: ControlReply(.badRequest, "status is answered by the server"))
            return []
        case .restart:
            command = .restart
        case .switch:
            let layout = configuration.layout
            guard let name = call.request.name else {
                call.reply.resume(returning: ControlReply(.badRequest, "switch needs a release name"))
                return []
            }
            let target: CurrentSelection
            switch ReleaseLookup.resolve(name, layout: layout, recase: !configuration.disableRecase) {
            case .success(let selection): target = selection
            case .failure(let refusal):
                logger.warning("switch refused", metadata: ["name": "\(name)", "reason": "\(refusal.message)"])
                call.reply.resume(returning: ControlReply(refusal.outcome, refusal.message))
                return []
            }
            let from = ReleaseLookup.current(layout) ?? .genesis
            pending.from = from
            pending.to = target
            command = .switchRelease(from: from, to: target, restart: call.request.restart ?? true)
        }
        pendingControl[id] = pending
        logger.info(
            "control request accepted",
            metadata: ["command": "\(call.request.command.rawValue)", "uid": "\(call.peerUID)"]
        )
        return [.controlRequested(id: id, command)]
    }

    /// Reports whether the child `pid` started for control request `id` comes up: its RPC answers with a
    /// height within the request's bound (``upTimeout`` by default) when the request waits for the RPC, else it is up after ``settleTime``
    /// (the machine ignores the answer when the child exited meanwhile).
    func awaitUp(id: Int, pid: Int32, group: inout TaskGroup<Void>) {
        let continuation = self.continuation
        guard let pending = pendingControl[id], pending.waitForRPC else {
            group.addTask {
                try? await Task.sleep(for: Supervisor.settleTime)
                continuation.yield(.event(.childSettled(pid: pid)))
            }
            return
        }
        let (client, bound) = (ChainRPCClient(baseURL: configuration.rpcURL), pending.upBound)
        group.addTask {
            let deadline = ContinuousClock.now + bound
            while ContinuousClock.now < deadline, !Task.isCancelled {
                if await client.height() != nil {
                    continuation.yield(.event(.childSettled(pid: pid)))
                    return
                }
                try? await Task.sleep(for: Supervisor.upPollInterval)
            }
            continuation.yield(.event(.childNeverUp(pid: pid, bound: bound)))
        }
    }

    /// Sends the machine's answer to the waiting connection and records a switch in the state file.
    func answerControl(id: Int, _ answer: StateMachine.ControlAnswer) {
        guard let pending = pendingControl.removeValue(forKey: id) else { return }
        let seconds = Self.seconds(pending.started.duration(to: .now))
        let (from, to) = (pending.from?.name, pending.to?.name)
        let reply: ControlReply
        switch answer {
        case .busy(let reason):
            reply = ControlReply(.busy, reason, from: from, to: to)
        case .up(let pid):
            let what = to.map { "switched \(from ?? "?") -> \($0)" } ?? "restarted"
            reply = ControlReply(.ok, "\(what); the node runs (pid \(pid))", from: from, to: to, childPid: pid)
        case .parked:
            reply = ControlReply(
                .ok, "switched \(from ?? "?") -> \(to ?? "?"); the node is stopped (--no-restart)", from: from, to: to)
        case .failed(let reason):
            reply = ControlReply(.failed, reason, from: from, to: to)
        }
        if let from, let to {
            // A busy answer changed nothing: it is not a switch.
            if case .busy = answer {} else { recordSwitch(pending, from: from, to: to, reply: reply, seconds: seconds) }
        }
        if reply.ok, pending.to != nil {
            publication.update { $0.lastSwitchSeconds = seconds }
        }
        logger.info(
            "control request answered",
            metadata: ["outcome": "\(reply.outcome.rawValue)", "message": "\(reply.message)"])
        pending.call.reply.resume(returning: reply)
    }

    /// Appends a switch to the state file's record (the last ``AgentRuntimeState/maximumSwitchRecords``).
    private func recordSwitch(_ pending: PendingControl, from: String, to: String, reply: ControlReply, seconds: Double)
    {
        let entry = AgentRuntimeState.SwitchRecord(
            requestedAt: AgentRuntimeState.timestamp(pending.requestedAt),
            requestedBy: pending.call.peerUID,
            from: from,
            to: to,
            restart: pending.call.request.restart ?? true,
            outcome: reply.ok ? .ok : .failed,
            message: reply.message,
            durationSeconds: seconds,
            by: pending.call.request.by.map {
                String(decoding: $0.utf8.prefix(ControlMessage.maxByBytes), as: UTF8.self)
            }
        )
        record.switches = Array(((record.switches ?? []) + [entry]).suffix(AgentRuntimeState.maximumSwitchRecords))
        saveState(force: true)
    }

    /// Points `current` at `selection` (temporary link + rename). When an upgrade is applied, the release's
    /// record (`<release>/upgrade-info.json`) names it first, so an agent started later on this release
    /// does not apply that upgrade again.
    func switchRelease(_ selection: CurrentSelection, applied: StateMachine.AppliedUpgrade) throws(AgentError) {
        let layout = configuration.layout
        let mode: Durability = .deferred(durability)
        if applied != .genesis {
            let record = layout.directory(of: selection) + "/" + CosmovisorLayout.upgradeInfoFileName
            do {
                let plan = UpgradePlan(name: applied.name, height: applied.height)
                try AtomicFile.write(plan.jsonData(), to: record, durability: mode)
            } catch {
                throw AgentError(.step, "writing \(record): \(error)")
            }
        }
        do {
            try AtomicSymlink.replace(link: layout.current, target: selection.linkTarget, durability: mode)
        } catch {
            throw AgentError(.step, "creating current symlink: \(error)")
        }
        logger.info("switched current", metadata: ["to": "\(selection.linkTarget)"])
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
