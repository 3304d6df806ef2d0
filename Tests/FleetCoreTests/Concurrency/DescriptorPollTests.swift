import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// `DescriptorPoll.wait`: the one deadline-bounded `poll` the agent's sockets share, on a real socket pair.
@Suite("DescriptorPoll: one poll wait with a deadline", .tags(.files), .timeLimit(.minutes(1)))
struct DescriptorPollTests {
    /// A connected pair of stream sockets.
    static func pair() throws -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else {
            throw SandboxError(message: "socketpair: errno \(errno)")
        }
        return (fds[0], fds[1])
    }

    @Test("false when the deadline passes first (also one already passed); true once data or a hang-up arrives")
    func readable() async throws {
        let (a, b) = try Self.pair()
        defer { close(a) }
        let seen = try await runOffPool { () -> [String: Bool] in
            var seen: [String: Bool] = [:]
            seen["idle"] = DescriptorPoll.wait(a, for: Int16(POLLIN), until: .now + .milliseconds(30))
            seen["past"] = DescriptorPoll.wait(a, for: Int16(POLLIN), until: .now - .seconds(1))
            seen["writable"] = DescriptorPoll.wait(a, for: Int16(POLLOUT), until: .now + .seconds(5))
            var byte: UInt8 = 7
            _ = write(b, &byte, 1)
            seen["data"] = DescriptorPoll.wait(a, for: Int16(POLLIN), until: .now + .seconds(5))
            _ = read(a, &byte, 1)
            close(b)
            seen["closed"] = DescriptorPoll.wait(a, for: Int16(POLLIN), until: .now + .seconds(5))
            return seen
        }
        #expect(seen == ["idle": false, "past": false, "writable": true, "data": true, "closed": true])
    }
}
