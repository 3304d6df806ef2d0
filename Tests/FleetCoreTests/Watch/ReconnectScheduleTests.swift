import FleetCore
import FleetTestSupport
import Testing

@Suite("when a persistent session reconnects", .tags(.pure))
struct ReconnectScheduleTests {
    let start = ContinuousClock.now

    @Test("a new schedule connects at once; an open session is used")
    func fresh() {
        var schedule = ReconnectSchedule(now: start)
        #expect(schedule.decide(now: start) == .connect)
        schedule.connected()
        #expect(schedule.decide(now: start + .seconds(60)) == .use)
        #expect(schedule.failures == 0 && schedule.lastFailure == nil && schedule.nextAttempt == nil)
    }

    @Test(
        "consecutive failed connects wait the Backoff table, halved at jitter 0",
        arguments: [
            (1, 100, 50), (2, 200, 100), (3, 400, 200), (4, 800, 400), (5, 1600, 800), (6, 2000, 1000),
            (9, 2000, 1000),
        ])
    func failures(count: Int, fullMilliseconds: Int64, halfMilliseconds: Int64) {
        for (jitter, expected) in [(1.0, fullMilliseconds), (0.0, halfMilliseconds)] {
            var schedule = ReconnectSchedule(now: start)
            var now = start
            for attempt in 1...count {
                #expect(schedule.decide(now: now) == .connect)
                schedule.connectFailed("refused \(attempt)", now: now, jitter: jitter)
                now = schedule.nextAttempt!
            }
            let failedAt = now - .milliseconds(expected)
            #expect(schedule.failures == count)
            #expect(schedule.lastFailure == "refused \(count)")
            #expect(schedule.decide(now: failedAt) == .wait(.milliseconds(expected)))
            #expect(
                schedule.decide(now: failedAt + .milliseconds(expected / 2))
                    == .wait(.milliseconds(expected - expected / 2)))
            #expect(schedule.decide(now: failedAt + .milliseconds(expected)) == .connect)
        }
    }

    @Test("a drop waits the first backoff step and keeps why; a connect afterwards starts the count over")
    func drop() {
        var schedule = ReconnectSchedule(now: start)
        for _ in 1...4 { schedule.connectFailed("refused", now: start, jitter: 1) }
        schedule.connected()
        schedule.dropped("connection lost", now: start, jitter: 1)
        #expect(schedule.isOpen == false)
        #expect(schedule.failures == 1)
        #expect(schedule.lastFailure == "connection lost")
        #expect(schedule.decide(now: start) == .wait(.milliseconds(100)))
        #expect(schedule.decide(now: start + .milliseconds(100)) == .connect)
        schedule.connectFailed("refused", now: start, jitter: 1)
        #expect(schedule.decide(now: start) == .wait(.milliseconds(200)))
        schedule.connected()
        #expect(schedule.decide(now: start) == .use)
        #expect(schedule.failures == 0 && schedule.lastFailure == nil)
    }
}
