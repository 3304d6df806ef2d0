@testable import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The hand-over between a host waiting for a tunnel and the bastion thread answering it.
@Suite(.tags(.pure)) struct TunnelRequestTests {
    @Test func aFulfilledRequestHandsOverItsSocket() throws {
        let request = TunnelRequest(host: "10.0.0.2", port: 22)
        #expect(request.startOpening())
        #expect(request.fulfill(42))
        #expect(try request.wait(bastion: "b", queueTimeout: .seconds(5), openTimeout: .seconds(5), cancel: nil) == 42)
    }

    @Test func aFailedRequestThrowsTheBastionsError() {
        let request = TunnelRequest(host: "10.0.0.2", port: 22)
        request.fail(SSHError(.hostKeyMismatch, host: "bastion", operation: "host key check", message: "changed"))
        let error = #expect(throws: SSHError.self) {
            try request.wait(bastion: "b", queueTimeout: .seconds(5), openTimeout: .seconds(5), cancel: nil)
        }
        #expect(error?.code == .hostKeyMismatch)
    }

    @Test func aHostThatWaitedTooLongForAChannelLeavesAndIsSkipped() {
        let request = TunnelRequest(host: "10.0.0.2", port: 2222)
        let error = #expect(throws: SSHError.self) {
            try request.wait(bastion: "ops@b", queueTimeout: .zero, openTimeout: .seconds(5), cancel: nil)
        }
        #expect(error?.code == .timedOut)
        #expect(error?.message.hasPrefix("no free channel on bastion ops@b") == true)
        #expect(request.isAbandoned)
        #expect(!request.startOpening())
    }

    @Test func aTunnelOpenedAfterTheHostLeftIsRefusedSoTheBastionClosesIt() {
        let request = TunnelRequest(host: "10.0.0.2", port: 2222)
        #expect(request.startOpening())
        let error = #expect(throws: SSHError.self) {
            try request.wait(bastion: "b", queueTimeout: .seconds(5), openTimeout: .zero, cancel: nil)
        }
        #expect(error?.message == "bastion b did not connect to 10.0.0.2:2222 within 0.0 seconds")
        #expect(!request.fulfill(7))
    }

    @Test func aCancelledHostLeaves() {
        let request = TunnelRequest(host: "10.0.0.2", port: 22)
        let cancel = CancelFlag()
        cancel.cancel()
        let error = #expect(throws: SSHError.self) {
            try request.wait(bastion: "b", queueTimeout: .seconds(5), openTimeout: .seconds(5), cancel: cancel)
        }
        #expect(error?.code == .cancelled)
        #expect(request.isAbandoned)
    }

    @Test func aBastionThatTimedOutIsNamedAsTheHostsError() {
        let request = TunnelRequest(host: "10.0.0.2", port: 22)
        request.fail(SSHError(.timedOut, host: "b.example", operation: "handshake", message: "no progress within 3 s"))
        let error = #expect(throws: SSHError.self) {
            try request.wait(bastion: "ops@b.example", queueTimeout: .seconds(5), openTimeout: .seconds(5), cancel: nil)
        }
        #expect(error?.code == .timedOut && error?.host == "10.0.0.2")
        #expect(error?.message == "bastion ops@b.example timed out in handshake: no progress within 3 s")
        #expect(error?.operation == "connect through bastion ops@b.example")
    }

    @Test func aConnectTimeoutCapReachesEveryBastionOfTheRoute() {
        let hop = SSHTarget(host: "b1", user: "ops", knownHostsFile: "/k", connectTimeout: .seconds(10))
        let quick = SSHTarget(host: "b2", user: "ops", knownHostsFile: "/k", connectTimeout: .seconds(1))
        let host = SSHTarget(
            host: "10.0.0.2", user: "ops", knownHostsFile: "/k", connectTimeout: .seconds(10),
            route: .jump([hop, quick]))
        let capped = host.cappingConnectTimeout(.seconds(4))
        #expect(capped.connectTimeout == .seconds(4))
        guard case .jump(let chain) = capped.route else {
            Issue.record("the route is no longer a jump: \(capped.route)")
            return
        }
        // Bastions get three quarters, so the host can still report which one timed out; shorter ones stay.
        #expect(chain.map(\.connectTimeout) == [.seconds(3), .seconds(1)])
        #expect(chain.map(\.host) == ["b1", "b2"])
        #expect(
            SSHTarget(host: "h", user: "u", knownHostsFile: "/k").cappingConnectTimeout(.seconds(30)).connectTimeout
                == .seconds(10))
    }
}
