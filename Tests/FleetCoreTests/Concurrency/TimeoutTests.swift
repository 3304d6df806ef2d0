import FleetCore
import FleetTestSupport
import Testing

@Suite("withTimeout: a body that overruns is cancelled", .tags(.pure), .timeLimit(.minutes(1)))
struct TimeoutTests {
    @Test("a body past the timeout is cancelled and nil returned")
    func overrun() async {
        let result = await withTimeout(.milliseconds(50)) { () -> Bool in
            do {
                try await Task.sleep(for: .seconds(600))
                return false
            } catch {
                return true  // cancelled, as the SSH layer's waits are
            }
        }
        #expect(result == nil)
    }

    @Test("a body within the timeout, or without one, returns its value")
    func inTime() async {
        #expect(await withTimeout(.seconds(600)) { 7 } == 7)
        #expect(await withTimeout(nil) { 8 } == 8)
    }
}
