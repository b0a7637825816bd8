import Foundation
import Testing
import TestSupport

/// The test helper that runs every child process: it must see a child exit when the child exits,
/// not when the last process holding Foundation's monitoring socket does.
@Suite("runProcess, the tests' process runner")
struct RunProcessTests {
    @Test("a child that leaves a background process behind is seen to exit at once, with its status")
    func childWithABackgroundProcess() async throws {
        // The background sleep inherits the child's end of Foundation's monitoring socket (as a
        // long-lived moto server spawned at the same moment by another test can): Foundation's
        // `isRunning` stays true until it ends. Its output goes elsewhere, so the pipes close.
        let result = try await runProcess(
            executable: URL(fileURLWithPath: "/bin/sh"),
            arguments: ["-c", "echo done; sleep 120 </dev/null >/dev/null 2>&1 & exit 7"],
            environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(60))
        #expect(result.exitCode == 7)
        #expect(result.stdout == "done\n")
    }

    @Test("a child killed by a signal reports 128 + the signal number")
    func signalled() async throws {
        let result = try await runProcess(
            executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "kill -9 $$"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.exitCode == 137)
    }
}
