@testable import FleetCore
import FleetTestSupport
import Foundation
import Testing

/// The probe output's encodings (`=text` or base64 fields, the raw RPC section) and the RPC choice, as tables.
@Suite("Node probe output", .tags(.pure))
struct NodeProbeOutputTests {
    static let target = NodeProbe.Target(
        daemonHome: "/h", daemonName: "d", nodeRPC: "http://127.0.0.1:26657", agentPath: nil)
    static let comet =
        #"{"result":{"node_info":{"network":"n"},"sync_info":{"latest_block_height":"42","catching_up":false}}}"#

    static func parse(_ text: String) throws -> NodeStatus {
        try NodeProbe.parse(stdout: Data(text.utf8), exitStatus: 0, target: target, collectedAt: "then").0
    }

    @Test(
        "a loopback http:// RPC is read through bash's /dev/tcp; anything else goes to curl",
        arguments: [
            ("http://127.0.0.1:26657", "127.0.0.1", 26657, "/status"),
            ("http://localhost", "localhost", 80, "/status"),
            ("http://127.9.8.7:1/rpc/", "127.9.8.7", 1, "/rpc//status"),
            ("https://127.0.0.1:26657", nil, 0, ""), ("http://10.0.0.5:26657", nil, 0, ""),
            ("tcp://127.0.0.1:26657", nil, 0, ""), ("http://127.0.0.1:26657?x=1", nil, 0, ""),
            ("http://user@127.0.0.1:26657", nil, 0, ""), ("http://127.0.0.1.evil.example:80", nil, 0, ""),
            ("http://[::1]:26657", nil, 0, ""), ("not a url", nil, 0, ""),
        ] as [(String, String?, Int, String)]
    )
    func loopbackRPC(url: String, host: String?, port: Int, path: String) {
        let direct = NodeProbe.loopbackRPC(url)
        #expect(direct?.host == host)
        if let direct {
            #expect(direct.port == port)
            #expect(direct.path == path)
        }
    }

    @Test("an HTTP answer gives its body, or a sentence naming what the RPC answered instead")
    func httpAnswers() {
        let ok = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        #expect(NodeProbe.httpBody(ok[...]) == .success("{}"))
        #expect(NodeProbe.httpBody("HTTP/1.1 200 OK\n\n{}"[...]) == .success("{}"))
        let failures: [(String, String)] = [
            ("", "no answer from the node RPC"),
            (
                "HTTP/1.0 500 Internal Server Error\r\n\r\noops",
                "the node RPC answered HTTP/1.0 500 Internal Server Error"
            ),
            ("SSH-2.0-OpenSSH_9.2\r\n", "the node RPC answered something other than HTTP: SSH-2.0-OpenSSH_9.2"),
            ("HTTP/1.0 200 OK\r\nContent-Le", "the node RPC's answer ended inside its headers (HTTP/1.0 200 OK)"),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                "the node RPC answered an HTTP/1.0 request with a chunked body"
            ),
        ]
        for (answer, reason) in failures {
            #expect(NodeProbe.httpBody(answer[...]) == .failure(.init(reason: reason)), "\(answer)")
        }
        let long = "HTTP/1.0 404 " + String(repeating: "x", count: 5000) + "\r\n\r\n"
        guard case .failure(let error) = NodeProbe.httpBody(long[...]) else {
            Issue.record("a 404 is a failure")
            return
        }
        #expect(error.reason.count < 300)
    }

    @Test("fields travel as =text or base64; the RPC section is raw to the end, as curl printed it or over HTTP")
    func sections() throws {
        let path = Data("/h/cosmovisor/upgrades/a b/bin/d".utf8).base64EncodedString()
        let head = """
            #probe
            now\t2026-01-01T00:00:00Z
            current\tdir\t=upgrades/v2
            binary\t=v2\t=/h/cosmovisor/upgrades/v2/bin/d\t\(String(repeating: "a", count: 64))\t1\t10\tdjI=
            binary\t\(Data("a b".utf8).base64EncodedString())\t\(path)\t\t1\t5\t
            signer\t=tcp://10.0.0.5:26659
            df\t100 40

            """
        let raw = try Self.parse(head + "rpc-raw\n" + Self.comet + "\n")
        #expect(raw.collectedAt == "2026-01-01T00:00:00Z")
        #expect(raw.current.target == "upgrades/v2")
        #expect(raw.binaries.map(\.name) == ["v2", "a b"])
        #expect(raw.binaries.map(\.path) == ["/h/cosmovisor/upgrades/v2/bin/d", "/h/cosmovisor/upgrades/a b/bin/d"])
        #expect(raw.binaries.map(\.version) == ["v2", nil])
        #expect(raw.consensus.remoteSigner == "tcp://10.0.0.5:26659")
        #expect(raw.disk == .init(freeBytes: 40 * 1024, totalBytes: 100 * 1024))
        #expect(raw.chain?.height == 42)

        let http = try Self.parse(head + "rpc-http\nHTTP/1.0 200 OK\r\nServer: x\r\n\r\n" + Self.comet)
        #expect(http.chain?.height == 42)
        #expect(http.binaries == raw.binaries)

        let refused = try Self.parse(head + "rpc-raw\ncurl: (7) Failed to connect to 127.0.0.1 port 1\n")
        #expect(refused.chain?.height == nil)
        #expect(refused.chain?.error == "curl: (7) Failed to connect to 127.0.0.1 port 1")
        let failed = try Self.parse(head + "rpc-http\nHTTP/1.0 503 Service Unavailable\r\n\r\n")
        #expect(failed.chain?.error == "the node RPC answered HTTP/1.0 503 Service Unavailable")
    }
}
