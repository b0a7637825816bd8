import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
import TestSupport

/// Ctrl-C during `plan`: the calls in flight are cancelled, the HTTP client is shut down through
/// the usual exit path, and the run ends with status 130 at once instead of waiting for answers.
@Suite("plan interrupted (built binary against fake_neptune)", .serialized,
       .enabled(if: MotoAvailability.isAvailable, "python3 with moto is not available: skipping the interrupt tests"))
struct InterruptTests {
    @Test("SIGINT while calls are in flight: cancelled, shut down, exit 130")
    func interruptPlan() async throws {
        let server = try await CredentialServers.fresh(.interrupt)
        try await withTemporaryDirectory(prefix: "snapcopy-interrupt") { directory in
            let workspace = try ApplyWorkspace(server: server, directory: directory)
            try await server.seedSources(["src-a"])
            try workspace.write(ApplyManifest([.init(source: "src-a", target: "copy-a", copyTags: true)]))
            try await server.configure(FakeConfig(latencyMs: 20_000))
            let run = try workspace.launch(["plan", directory.appending("copies.json").path] + workspace.commonOptions, name: "plan")
            var inFlight = false
            let deadline = ContinuousClock.now + .seconds(20)
            while !inFlight && ContinuousClock.now < deadline {
                inFlight = try await server.stats().calls("DescribeDBClusterSnapshots") > 0
                if !inFlight { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(inFlight, "the plan never reached the fake")
            let interruptedAt = ContinuousClock.now
            run.send(SIGINT)
            let result = await run.wait(timeout: .seconds(15))
            #expect(ContinuousClock.now - interruptedAt < .seconds(10), "did not wait for the 20 s answer")
            #expect(result.exitCode == 130)
            #expect(result.stderr.contains("snapcopy: interrupted."), "ended through the clean exit path: \(result.stderr)")
            try await server.configure(FakeConfig())
        }
    }
}

