import FleetCore
import FleetTestSupport
import Synchronization
import Testing

/// The retry table and the bounded per-host runner.
@Suite(.tags(.pure)) struct BackoffAndFanOutTests {
    @Test(arguments: [(0, 100), (1, 100), (2, 200), (3, 400), (4, 800), (5, 1600), (6, 2000), (60, 2000)])
    func backoffTable(attempt: Int, milliseconds: Int) {
        #expect(Backoff.baseMilliseconds(attempt: attempt) == milliseconds)
        #expect(Backoff.delay(attempt: attempt, jitter: 1) == .milliseconds(milliseconds))
        #expect(Backoff.delay(attempt: attempt, jitter: 0) == .milliseconds(milliseconds / 2))
        #expect(Backoff.delay(attempt: attempt, jitter: 7) == .milliseconds(milliseconds))
    }

    @Test(.timeLimit(.minutes(1))) func runsEveryHostWithinTheBoundAndKeepsOrder() async {
        let running = Mutex((now: 0, peak: 0))
        let hosts = Array(0..<40)
        let results = await forEachHost(hosts, maxConcurrent: 6) { host -> Result<Int, SSHError> in
            running.withLock {
                $0.now += 1
                $0.peak = max($0.peak, $0.now)
            }
            try? await Task.sleep(for: .milliseconds(host % 7 * 3))
            running.withLock { $0.now -= 1 }
            if host == 3 {
                return .failure(SSHError(.connect, host: "h3", operation: "connect", message: "refused"))
            }
            return .success(host * 2)
        }
        #expect(results.map(\.0) == hosts)
        #expect(results.filter { (try? $0.1.get()) == nil }.map(\.0) == [3])
        #expect(results.compactMap { try? $0.1.get() }.count == 39)
        #expect(running.withLock { $0.peak } == 6)
        #expect(await forEachHost([Int](), maxConcurrent: 4) { $0 }.isEmpty)
        #expect(await forEachHost([1, 2], maxConcurrent: 0) { $0 + 1 }.map(\.1) == [2, 3])
    }
}
