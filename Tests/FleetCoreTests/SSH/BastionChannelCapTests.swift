import FleetTestSupport
import Testing

@testable import FleetCore

@Suite("channels per bastion connection: short sessions and long-lived ones", .tags(.pure))
struct BastionChannelCapTests {
    @Test(
        "short sessions take turns on 10 channels; long-lived ones (status --watch) have their own cap",
        arguments: [
            // (long-lived request, open tunnels, of which long-lived, may open)
            (false, 0, 0, true), (false, 9, 0, true), (false, 10, 0, false), (false, 39, 30, true),
            (false, 40, 30, false), (false, 41, 31, false), (true, 10, 0, true), (true, 40, 30, true),
            (true, 266, 255, true), (true, 266, 256, false), (true, 256, 256, false),
        ])
    func cap(longLived: Bool, open: Int, longLivedOpen: Int, mayOpen: Bool) {
        #expect(
            BastionConnection.mayOpen(
                longLived: longLived, open: open, longLivedOpen: longLivedOpen,
                maxChannels: BastionPool.channelsPerBastion,
                maxLongLivedChannels: BastionPool.longLivedChannelsPerBastion) == mayOpen)
    }
}
