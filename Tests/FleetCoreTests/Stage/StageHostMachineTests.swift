import FleetCore
import FleetTestSupport
import Testing

/// The per-host staging decisions, as tables of events and the actions they lead to.
@Suite(.tags(.pure)) struct StageHostMachineTests {
    static let wanted = String(repeating: "a", count: 64)
    static let other = String(repeating: "b", count: 64)
    static let verified = StageRemoteFacts.Identity(inode: 42, size: 1000)

    /// Runs `events` after `start` and `connected`, returning every action.
    static func drive(force: Bool = false, _ events: [StageHostMachine.Event]) -> [StageHostMachine.Action] {
        var machine = StageHostMachine(wanted: wanted, force: force)
        return ([.start, .connected] + events).map { machine.handle($0) }
    }

    @Test func missingTargetIsTransferredVerifiedAndStaged() {
        var machine = StageHostMachine(wanted: Self.wanted.uppercased(), force: false)
        #expect(machine.phase == .queued)
        #expect(machine.handle(.start) == .connect(attempt: 1))
        #expect(machine.phase == .connecting)
        #expect(machine.handle(.connected) == .inspect)
        #expect(machine.handle(.inspected(.init(target: .missing))) == .transfer(replacing: false))
        #expect(machine.phase == .transferring)
        #expect(machine.handle(.transferred(Self.verified)) == .recheck(Self.verified))
        #expect(machine.phase == .verifying)
        #expect(machine.handle(.rechecked(Self.verified)) == .finish(.staged, sha256: Self.wanted, reason: nil))
        #expect(machine.phase == .done(.staged))
    }

    @Test func aNodeWithLessFreeSpaceThanTheFileFailsBeforeAnythingIsWritten() {
        func first(free: Int64?, target: StageRemoteFacts.Target, force: Bool = false) -> StageHostMachine.Action {
            var machine = StageHostMachine(wanted: Self.wanted, force: force, bytes: 1_500_000)
            _ = machine.handle(.start)
            _ = machine.handle(.connected)
            return machine.handle(.inspected(.init(target: target, freeBytes: free)))
        }
        let reason =
            "not enough free space on the node: 512 KiB free where the target goes, 1.4 MiB needed; free some "
            + "space and run again"
        #expect(first(free: 524_288, target: .missing) == .finish(.failed, sha256: nil, reason: reason))
        #expect(
            first(free: 524_288, target: .file(sha256: Self.other), force: true)
                == .finish(.failed, sha256: nil, reason: reason))
        // Enough space, no answer from df, or nothing to transfer: as before.
        #expect(first(free: 1_500_000, target: .missing) == .transfer(replacing: false))
        #expect(first(free: nil, target: .missing) == .transfer(replacing: false))
        #expect(
            first(free: 0, target: .file(sha256: Self.wanted))
                == .finish(.alreadyStaged, sha256: Self.wanted, reason: nil))
    }

    @Test func sameFileIsAlreadyStagedAndNotTouched() {
        let actions = Self.drive([.inspected(.init(target: .file(sha256: Self.wanted), removedTemporaries: 2))])
        #expect(actions.last == .finish(.alreadyStaged, sha256: Self.wanted, reason: nil))
    }

    @Test(arguments: [false, true]) func differentFileIsRefusedUnlessForced(force: Bool) {
        let actions = Self.drive(force: force, [.inspected(.init(target: .file(sha256: Self.other)))])
        if force {
            #expect(actions.last == .transfer(replacing: true))
        } else {
            let reason = "staged binary differs: \(Self.other) vs \(Self.wanted); use --force to replace"
            #expect(actions.last == .finish(.refused, sha256: Self.other, reason: reason))
        }
    }

    @Test(arguments: [false, true]) func danglingLinkIsReplacedOnlyWithForce(force: Bool) {
        let action = Self.drive(force: force, [.inspected(.init(target: .symlink))]).last
        if force {
            #expect(action == .transfer(replacing: true))
        } else {
            guard case .finish(.refused, nil, let reason?) = action else {
                Issue.record("expected a refusal, got \(String(describing: action))")
                return
            }
            #expect(reason.contains("symbolic link"))
        }
    }

    @Test(arguments: [StageRemoteFacts.Target.directory, .other]) func directoriesAreNeverReplaced(
        target: StageRemoteFacts.Target
    ) {
        guard
            case .finish(.refused, nil, let reason?) = Self.drive(force: true, [.inspected(.init(target: target))]).last
        else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reason.contains("remove it first"))
    }

    @Test func transientConnectFailuresAreRetriedWithBackoffThenReported() {
        var machine = StageHostMachine(wanted: Self.wanted, force: false, maximumConnectAttempts: 3)
        #expect(machine.handle(.start) == .connect(attempt: 1))
        #expect(
            machine.handle(.connectFailed(reason: "refused", transient: true, jitter: 1)) == .wait(.milliseconds(100)))
        #expect(machine.phase == .retrying(attempt: 2))
        #expect(machine.handle(.backoffElapsed) == .connect(attempt: 2))
        #expect(
            machine.handle(.connectFailed(reason: "reset", transient: true, jitter: 0)) == .wait(.milliseconds(100)))
        #expect(machine.handle(.backoffElapsed) == .connect(attempt: 3))
        #expect(
            machine.handle(.connectFailed(reason: "refused", transient: true, jitter: 1))
                == .finish(.failed, sha256: nil, reason: "refused (after 3 attempts)"))
    }

    @Test func aRetryThatConnectsCarriesOn() {
        var machine = StageHostMachine(wanted: Self.wanted, force: false)
        _ = machine.handle(.start)
        _ = machine.handle(.connectFailed(reason: "timed out", transient: true, jitter: 0.5))
        #expect(machine.handle(.backoffElapsed) == .connect(attempt: 2))
        #expect(machine.handle(.connected) == .inspect)
    }

    @Test func permanentConnectFailuresAreNotRetried() {
        var machine = StageHostMachine(wanted: Self.wanted, force: false)
        _ = machine.handle(.start)
        #expect(
            machine.handle(.connectFailed(reason: "host key unknown", transient: false, jitter: 1))
                == .finish(.failed, sha256: nil, reason: "host key unknown"))
    }

    @Test func aDroppedTransferIsReportedNotRetried() {
        let actions = Self.drive([.inspected(.init(target: .missing)), .failed(reason: "connection lost")])
        #expect(actions.last == .finish(.failed, sha256: nil, reason: "connection lost"))
    }

    @Test func aWrongFileAfterTheRenameFails() {
        let replaced = StageRemoteFacts.Identity(inode: 43, size: 1000)
        let actions = Self.drive([
            .inspected(.init(target: .missing)), .transferred(Self.verified), .rechecked(replaced),
        ])
        let reason =
            "after the rename the target holds inode 43, 1000 bytes, not the verified file (inode 42, 1000 bytes)"
        #expect(actions.last == .finish(.failed, sha256: nil, reason: reason))
        let gone = Self.drive([.inspected(.init(target: .missing)), .transferred(Self.verified), .rechecked(nil)])
        #expect(
            gone.last
                == .finish(
                    .failed, sha256: nil,
                    reason: "after the rename the target holds no file, not the verified file (inode 42, 1000 bytes)"))
    }

    @Test func cancelledWhileBackingOffFails() {
        var machine = StageHostMachine(wanted: Self.wanted, force: false)
        _ = machine.handle(.start)
        _ = machine.handle(.connectFailed(reason: "refused", transient: true, jitter: 1))
        #expect(machine.handle(.failed(reason: "cancelled")) == .finish(.failed, sha256: nil, reason: "cancelled"))
    }
}
