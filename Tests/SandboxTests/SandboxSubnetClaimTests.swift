import FleetTestSupport
import Foundation
import Testing

/// `sandbox.py`'s `pick_subnet`: sandboxes started at the same moment never get the same 127.A.B block,
/// even though none of them has bound it yet when the others pick.
@Suite("Sandbox subnet claims", .tags(.processes), .timeLimit(.minutes(2)))
struct SandboxSubnetClaimTests {
    /// Imports sandbox.py and prints `pick_subnet(None)` with a random generator seeded 7 (so every process
    /// tries the same blocks in the same order), then, with `age` given, makes that claim `age` seconds old.
    static let pick = """
        import importlib.util, os, random, sys, time
        spec = importlib.util.spec_from_file_location("sandbox", sys.argv[1])
        sandbox = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sandbox)
        seeded = random.Random
        class Seeded:
            Random = staticmethod(lambda: seeded(7))
        sandbox.random = Seeded
        subnet = sandbox.pick_subnet(None)
        if len(sys.argv) > 2:
            then = time.time() - float(sys.argv[2])
            os.utime(os.path.join(os.environ["FLEET_SANDBOX_CLAIMS"], subnet), (then, then))
        print(subnet)
        """

    static func pick(claims: String, age: Int? = nil) async throws -> String {
        let result = try await ProcessRunner.runAsync(
            ["/usr/bin/python3", "-c", pick, TestPaths.scripts + "/sandbox.py"] + (age.map { ["\($0)"] } ?? []),
            environment: ["FLEET_SANDBOX_CLAIMS": claims])
        guard result.exitCode == 0 else { throw SandboxError(message: "pick_subnet: \(result.errorOutput)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("six sandboxes picking at once with the same random sequence get six different blocks")
    func concurrentPicksDiffer() async throws {
        try await withTemporaryDirectory("fleet-subnet-claims") { folder in
            let claims = folder + "/claims"
            let picked = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<6 { group.addTask { try await Self.pick(claims: claims) } }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(picked.count == 6)
            #expect(Set(picked).count == 6, "\(picked.sorted())")
            #expect(picked.allSatisfy { $0.hasPrefix("127.") && $0.split(separator: ".").count == 3 })
            let files = try FileManager.default.contentsOfDirectory(atPath: claims).filter { !$0.hasPrefix(".") }
            #expect(Set(files) == Set(picked))
        }
    }

    @Test("a claim past its grace on a block nothing listens on is taken over; a fresh one is not")
    func staleClaimsAreTakenOver() async throws {
        try await withTemporaryDirectory("fleet-subnet-claims") { folder in
            let claims = folder + "/claims"
            let first = try await Self.pick(claims: claims, age: 3600)
            #expect(try await Self.pick(claims: claims) == first, "the hour-old claim was taken over")
            #expect(try await Self.pick(claims: claims) != first, "the renewed claim holds")
        }
    }
}
