import FleetCore
import FleetTestSupport
import Foundation
import PropertyBased
import Testing

/// Exec against a real sshd: exit codes, signals, big interleaved output, stdin and quoting.
@Suite(.tags(.sshd), .timeLimit(.minutes(2)))
struct SSHExecTests {
    @Test func exitStatusesSignalsAndOutput() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            try await withSSHConnection(SSHTestSupport.target(sandbox, sandbox.nodes[0])) { ssh in
                let ok = try await ssh.exec("echo hello; echo oops >&2")
                #expect(ok.exitStatus == 0 && ok.exitSignal == nil)
                #expect(ok.output == "hello\n")
                #expect(ok.errorOutput == "oops\n")
                #expect(try await ssh.exec("exit 1").exitStatus == 1)
                #expect(try await ssh.exec("exit 255").exitStatus == 255)
                let killed = try await ssh.exec("kill -TERM $$; sleep 5")
                #expect(killed.exitSignal == "TERM")
                #expect(killed.exitStatus == nil)
            }
        }
    }

    @Test func largeStderrThenStdoutDoesNotDeadlock() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            try await withSSHConnection(SSHTestSupport.target(sandbox, sandbox.nodes[0])) { ssh in
                let command =
                    "head -c 4000000 /dev/zero | tr '\\0' e >&2; head -c 4000000 /dev/zero | tr '\\0' o; exit 7"
                let result = try await ssh.exec(command, timeout: .seconds(20))
                #expect(result.stderr.count == 4_000_000)
                #expect(result.stdout.count == 4_000_000)
                #expect(result.stderr.allSatisfy { $0 == UInt8(ascii: "e") })
                #expect(result.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
                #expect(result.exitStatus == 7)
            }
        }
    }

    @Test func nonASCIIOutputSplitAcrossReadsAndStdin() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            try await withSSHConnection(SSHTestSupport.target(sandbox, sandbox.nodes[0])) { ssh in
                // 3-byte and 4-byte characters, 300 000 of them: reads of any size split some of them.
                let text = String(repeating: "日本🚀é", count: 300_000 / 4)
                let echoed = try await ssh.exec("cat", stdin: Data(text.utf8))
                #expect(echoed.output == text)
                let generated = try await ssh.exec(
                    "i=0; while [ $i -lt 2000 ]; do printf 'žluťoučký 🐎 %s\\n' $i; i=$((i+1)); done")
                let expected = (0..<2000).map { "žluťoučký 🐎 \($0)\n" }.joined()
                #expect(generated.output == expected)
                // A command that stops reading its stdin early must not stall the writer.
                let big = Data(repeating: UInt8(ascii: "x"), count: 8 << 20)
                let partial = try await ssh.exec("head -c 10", stdin: big, timeout: .seconds(20))
                #expect(partial.output == "xxxxxxxxxx" && partial.exitStatus == 0)
                let ignored = try await ssh.exec("exit 3", stdin: big, timeout: .seconds(20))
                #expect(ignored.exitStatus == 3)
                let counted = try await ssh.exec("wc -c", stdin: big, timeout: .seconds(20))
                #expect(counted.output.trimmingCharacters(in: .whitespacesAndNewlines) == "\(8 << 20)")
            }
        }
    }

    @Test func quotedArgumentsRoundTripExactly() async throws {
        let tricky: [Character] = [
            "a", "Z", "0", " ", "\t", "\n", "'", "\"", "\\", "$", "(", ")", "`", "*", "?", "[", "]", "{", "}",
            ";", "&", "|", "<", ">", "!", "#", "~", "-", "=", "%", "é", "日", "🚀", "\r",
        ]
        let word = Gen<Character?>.element(of: tricky).map { $0! }.string(of: 0...16)
        let argv = word.array(of: 1...5)
        try await SSHTestSupport.withNodes(1) { sandbox in
            try await withSSHConnection(SSHTestSupport.target(sandbox, sandbox.nodes[0])) { ssh in
                await propertyCheck(count: 150, input: argv) { words in
                    let result = try await ssh.exec(arguments: ["printf", "%s\\0"] + words)
                    #expect(result.exitStatus == 0)
                    var parts = result.stdout.split(separator: 0, omittingEmptySubsequences: false).map {
                        String(decoding: $0, as: UTF8.self)
                    }
                    #expect(parts.removeLast() == "")
                    #expect(parts == words)
                }
                let nul = await #expect(throws: SSHError.self) { try await ssh.exec("echo a\u{0}b") }
                #expect(nul?.code == .invalidArgument)
            }
        }
    }

    @Test func outputPastTheLimitIsDrainedAndDropped() async throws {
        try await SSHTestSupport.withNodes(1) { sandbox in
            try await withSSHConnection(SSHTestSupport.target(sandbox, sandbox.nodes[0])) { ssh in
                // The command must run to its end (stderr line, exit status) although only 1 MiB is kept.
                let capped = try await ssh.exec(
                    "head -c 30000000 /dev/zero | tr '\\0' o; echo end >&2; exit 4", timeout: .seconds(60),
                    outputLimit: 1 << 20)
                #expect(capped.stdout.count == 1 << 20 && capped.stdoutTruncated)
                #expect(capped.stdout.allSatisfy { $0 == UInt8(ascii: "o") })
                #expect(capped.errorOutput == "end\n" && !capped.stderrTruncated)
                #expect(capped.exitStatus == 4)
                // The default limit applies to every exec, on stderr as well.
                let flood = try await ssh.exec("head -c 12000000 /dev/zero >&2; echo fine", timeout: .seconds(60))
                #expect(flood.stderr.count == ExecResult.defaultOutputLimit && flood.stderrTruncated)
                #expect(flood.output == "fine\n" && !flood.stdoutTruncated && flood.exitStatus == 0)
            }
        }
    }
}
