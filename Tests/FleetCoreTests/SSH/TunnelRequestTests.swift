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
}
