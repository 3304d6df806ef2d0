import FleetTestSupport
import Foundation
import Logging
import Synchronization
import Testing

@testable import NodeAgent

@Suite("CosmovisorLogHandler", .tags(.pure))
struct CosmovisorLogHandlerTests {
    /// Collects lines written to a sink.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var sink: LogSink { LogSink { line in self.lines.withLock { $0.append(line) } } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test("zerolog console shape: level, message, sorted fields, module, quoting, arrays")
    func plainLine() {
        let lines = Lines()
        let logger = AgentLogger.make(disabled: false, color: false, timeFormat: nil, sink: lines.sink)
        logger.info(
            "running app",
            metadata: ["path": "/h/cosmovisor/genesis/bin/simd", "args": .array(["start", "--home", "/x y"])]
        )
        logger.warning("failed to load batch upgrade file", metadata: ["error": "bad thing"])
        logger.error("pre-upgrade command failed. retrying", metadata: ["attempt": "2"])
        #expect(
            lines.all == [
                #"INF running app args=["start","--home","/x y"] module=cosmovisor path=/h/cosmovisor/genesis/bin/simd"#
                    + "\n",
                #"WRN failed to load batch upgrade file error="bad thing" module=cosmovisor"# + "\n",
                "ERR pre-upgrade command failed. retrying attempt=2 module=cosmovisor\n",
            ]
        )
    }

    @Test("timestamps follow the Go layout; colour wraps timestamp, level and keys")
    func timestampAndColor() {
        let lines = Lines()
        var handler = CosmovisorLogHandler(timeFormat: .kitchen, color: true, sink: lines.sink)
        handler.now = { Date(timeIntervalSince1970: 0) }
        let text = handler.line(level: .info, message: "hello", fields: ["module": "cosmovisor"])
        let stamp = LogTimestamp.format(Date(timeIntervalSince1970: 0), layout: "3:04PM")
        #expect(
            text == "\u{1B}[90m\(stamp)\u{1B}[0m \u{1B}[32mINF\u{1B}[0m hello \u{1B}[36mmodule=\u{1B}[0mcosmovisor\n"
        )
    }

    @Test(
        "Go layouts",
        arguments: [
            (LogTimeFormat.kitchen, "3:04PM"), (.rfc3339, "2021-08-10T15:04:05Z"),
            (.rfc3339nano, "2021-08-10T15:04:05.125Z"),
            (.ansic, "Tue Aug 10 15:04:05 2021"), (.unixdate, "Tue Aug 10 15:04:05 GMT 2021"),
            (.rfc1123z, "Tue, 10 Aug 2021 15:04:05 +0000"), (.layout, "08/10 03:04:05PM '21 +0000"),
            (.rfc850, "Tuesday, 10-Aug-21 15:04:05 GMT"), (.rfc822, "10 Aug 21 15:04 GMT"),
        ]
    )
    func layouts(format: LogTimeFormat, expected: String) {
        let date = Date(timeIntervalSince1970: 1_628_607_845.125)  // 2021-08-10 15:04:05.125 UTC
        #expect(LogTimestamp.format(date, layout: format.goLayout, timeZone: TimeZone(identifier: "GMT")!) == expected)
    }

    @Test("disabled logs print nothing")
    func disabled() {
        let lines = Lines()
        let logger = AgentLogger.make(disabled: true, color: false, timeFormat: nil, sink: lines.sink)
        logger.info("hidden")
        #expect(lines.all.isEmpty)
    }
}
