import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NeptuneAPI
import SnapcopyCore
import Testing
import TestSupport

private typealias Entry = ApplyManifest.Entry

/// Apply while copies are in progress, the everyday case: the built binary against the fake with
/// copies held in `copying` for several seconds. Each test is the regression test of a defect of
/// the apply engine issue.
@Suite("apply while copies are in progress (built binary, copies held copying)", .serialized,
       .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct LongRunningApplyTests {
    private func withWorkspace(_ body: (ApplyWorkspace, FakeNeptuneServer) async throws -> Void) async throws {
        let server = try await ApplyServers.longRunning()
        try await withTemporaryDirectory(prefix: "snapcopy-long") { directory in
            try await body(try ApplyWorkspace(server: server, directory: directory), server)
        }
    }

    private func copying(_ server: FakeNeptuneServer) async throws -> Int {
        try await server.stats().copyingNow.values.flatMap(\.values).reduce(0, +)
    }

    @Test("2 copies in progress and 3 to start under the default limit: --no-wait starts all 3 at once (defect 1)")
    func inProgressCopiesAreCountedOnce() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources((1...5).map { "src-\($0)" })
            try await server.configure(FakeConfig(copyingSeconds: 8, maxInflightCopies: 5))
            let entries = (1...5).map { Entry(source: "src-\($0)", target: "copy-\($0)") }
            try workspace.write(ApplyManifest(Array(entries.prefix(2))))
            let first = try await workspace.apply(["copies.json"], ["--no-wait"])
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")

            try workspace.write(ApplyManifest(entries))
            // A poll interval longer than a copy: had apply waited for a slot, a copy would have finished.
            let second = try await workspace.run(workspace.applyArguments(["copies.json"], ["--no-wait"]).map { $0 == "200ms" ? "30s" : $0 })
            #expect(second.exitCode == 0, "\(second.stdout)\n\(second.stderr)")
            #expect(!second.stdout.contains("further copies wait"), "\(second.stdout)")
            #expect(second.stdout.contains("3 created"), "\(second.stdout)")
            #expect(try await copying(server) == 5, "all five copying at once")
            #expect(try await server.stats().inflightQuotaRejections == 0)
        }
    }

    @Test("5 copies in progress and --max-inflight-copies 8: 3 more start at once (defect 1)")
    func aHigherLimitStartsMore() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources((1...8).map { "src-\($0)" })
            try await server.configure(FakeConfig(copyingSeconds: 8, maxInflightCopies: 8))
            let entries = (1...8).map { Entry(source: "src-\($0)", target: "copy-\($0)") }
            try workspace.write(ApplyManifest(Array(entries.prefix(5))))
            let first = try await workspace.apply(["copies.json"], ["--no-wait"])
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")
            try workspace.write(ApplyManifest(entries))
            let second = try await workspace.apply(["copies.json"], ["--no-wait", "--max-inflight-copies", "8"])
            #expect(second.exitCode == 0, "\(second.stdout)\n\(second.stderr)")
            #expect(second.stdout.contains("3 created") && !second.stdout.contains("10 copies"), "\(second.stdout)")
            #expect(try await copying(server) == 8)
        }
    }

    @Test("a chained copy whose upstream was copying when apply began is started, and the next plan has nothing to do (defects 2 and 3)")
    func chainedAfterUpstreamInProgress() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["prod-0"])
            try await server.configure(FakeConfig(copyingSeconds: 3))
            try workspace.write(ApplyManifest([
                Entry(source: "prod-0", target: "prod-0-dr"),
                Entry(source: "prod-0-dr", target: "prod-0-dr-chained"),
            ]))
            let started = try await workspace.apply(["copies.json"], ["--no-wait"])
            try #require(started.exitCode == 0, "\(started.stdout)\n\(started.stderr)")
            #expect(started.stdout.contains("prod-0-dr-chained (us-east-1): waits for its source prod-0-dr (us-east-1)"), "\(started.stdout)")

            let finished = try await workspace.apply()
            #expect(finished.exitCode == 0, "\(finished.stdout)\n\(finished.stderr)")
            #expect(finished.stdout.contains("1 created") && finished.stdout.contains("1 finished copying"), "\(finished.stdout)")
            #expect(try await workspace.live.snapshot("prod-0-dr-chained")?.status == "available")
            #expect(try await server.stats().copiesCreatedByTarget == ["prod-0-dr": 1, "prod-0-dr-chained": 1])

            let lockText = String(decoding: try #require(workspace.lockBytes()), as: UTF8.self)
            #expect(!lockText.contains("\"sourceARN\": \"prod-0-dr\""), "a bare identifier was recorded as a source ARN")
            let chained = try #require(try workspace.lockFile()?.records.first { $0.target == "prod-0-dr-chained" })
            #expect(chained.sourceARN == ApplyWorkspace.snapshotARN("prod-0-dr"))

            let plan = try await workspace.run(["plan", workspace.directory.appending("copies.json").path, "--detailed-exitcode"] + workspace.commonOptions)
            #expect(plan.exitCode == 0, "the next plan still has changes:\n\(plan.stdout)")
            let before = workspace.lockBytes()
            let noop = try await workspace.apply()
            #expect(noop.exitCode == 0)
            #expect(workspace.lockBytes() == before, "a no-op apply rewrote the lock file")
        }
    }

    @Test("a chained copy with copyTags carries its upstream's tags, without its ignored keys, as planned (defect 8)")
    func chainedCopyTags() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["tagged-src"], tags: ["team": "graph", "backup-window": "03:00"])
            try await server.configure(FakeConfig(copyingSeconds: 1))
            let defaults = ApplyManifest.Defaults(ignoreTagKeys: ["backup-window"])
            try workspace.write(ApplyManifest([
                Entry(source: "tagged-src", target: "first", copyTags: true, tags: ["tier": "dr"]),
                Entry(source: "first", target: "second", copyTags: true, tags: ["site": "b"]),
            ], defaults: defaults))
            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            let second = try #require(try await workspace.live.snapshot("second")?.arn)
            #expect(try await workspace.live.tags(of: second) == [
                "team": "graph", "tier": "dr", "site": "b", TagRules.ownershipKey: ApplyWorkspace.snapshotARN("first"),
            ])
            let record = try #require(try workspace.lockFile()?.records.first { $0.target == "second" })
            #expect(record.tags["backup-window"] == nil && record.tags["team"] == "graph")
        }
    }

    @Test("--wait-timeout running out exits 1, records everything and says which copies are still in progress (defect 4)")
    func waitTimeoutFails() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-t"])
            try await server.configure(FakeConfig(copyingSeconds: 30))
            try workspace.write(ApplyManifest([Entry(source: "src-t", target: "slow-copy")]))
            let run = try await workspace.apply(["copies.json"], ["--wait-timeout", "1s"])
            #expect(run.exitCode == 1, "\(run.stdout)\n\(run.stderr)")
            #expect(run.stdout.contains("Apply stopped waiting after 1s: 1 created"), "\(run.stdout)")
            #expect(run.stdout.contains("Still copying (they continue in AWS):\n  slow-copy (us-east-1)"), "\(run.stdout)")
            #expect(run.stdout.contains("Run `snapcopy apply "), "\(run.stdout)")
            let record = try #require(try workspace.lockFile()?.records.first)
            #expect(record.status == .copying && record.operation == nil && record.targetARN != nil)
        }
    }

    @Test("when the lock file's directory is read-only, no API write is made, apply exits 1 saying where, and the lock file is intact (defect 5)")
    func readOnlyLockDirectory() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-r", "src-s"])
            try workspace.write(ApplyManifest([Entry(source: "src-r", target: "kept", tags: ["env": "old"])]))
            let first = try await workspace.apply()
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")
            let before = try #require(workspace.lockBytes())
            try workspace.write(ApplyManifest([
                Entry(source: "src-r", target: "kept", tags: ["env": "new"]),
                Entry(source: "src-s", target: "added"),
            ]))
            try await server.resetStats()
            let directory = workspace.directory.url.path
            try #require(chmod(directory, 0o555) == 0)
            defer { chmod(directory, 0o755) }
            let run = try await workspace.runWithoutPrivileges(workspace.applyArguments())
            #expect(run.exitCode == 1, "\(run.stdout)\n\(run.stderr)")
            #expect(run.stderr.contains("the lock file \(workspace.lockPath) could not be written"), "\(run.stderr)")
            #expect(run.stderr.contains("Permission denied"), "\(run.stderr)")
            #expect(run.stderr.contains("no API write is made without its journal entry on disk"), "\(run.stderr)")
            #expect(try await server.stats().writeCalls == [:], "a write was made without its journal entry")
            #expect(workspace.lockBytes() == before, "the previous lock file changed")
        }
    }

}

/// Offline regression tests of the apply engine issue: captures, lock files and manifests that were accepted and should not be.
@Suite("offline inputs the apply engine must refuse (built binary)")
struct OfflineRefusalTests {
    @Test("an offline plan of a partial capture blocks what needs the missing region instead of copying again (defect 9)")
    func partialCaptureIsUnknownNotEmpty() async throws {
        let examples = CLI.root.appendingPathComponent("examples")
        let run = try await CLI.run([
            "plan", examples.appendingPathComponent("manifests").path,
            "--live-state", examples.appendingPathComponent("live-state/us-east-1.json").path,
            "--lock-file", examples.appendingPathComponent("snapcopy.lock").path, "--no-color",
        ])
        #expect(run.exitCode == 1, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("the live state has no data for us-west-2"), "\(run.stdout)")
        #expect(run.stdout.contains("snapcopy capture --region us-west-2"), "\(run.stdout)")
        #expect(!run.stdout.contains("(us-west-2) will be created"), "a recorded copy was planned to be copied again:\n\(run.stdout)")
        #expect(!run.stdout.contains("(us-west-2) will be forgotten"), "a delete turned into a forget:\n\(run.stdout)")
    }

    @Test("a lock file with the same copy recorded twice is refused, naming both records (defect 10)")
    func duplicatedRecordsAreRefused() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-dup") { directory in
            let examples = CLI.root.appendingPathComponent("examples")
            var text = try String(contentsOf: examples.appendingPathComponent("snapcopy.lock"), encoding: .utf8)
            let lock = try LockFile.decode(Array(text.utf8), file: "snapcopy.lock")
            let first = try #require(lock.records.first)
            let second = try #require(lock.records.dropFirst().first)
            text = text.replacingOccurrences(of: "\"target\": \"\(second.target)\"", with: "\"target\": \"\(first.target.uppercased())\"")
                .replacingOccurrences(of: "\"region\": \"\(second.region)\"", with: "\"region\": \"\(first.region)\"")
            let path = try directory.write(text, to: "snapcopy.lock").path
            let run = try await CLI.run(["plan", examples.appendingPathComponent("manifests").path,
                                             "--live-state", examples.appendingPathComponent("live-state").path, "--lock-file", path])
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains("records[0] and records[1] both record \(first.target) in \(first.region)"), "\(run.stderr)")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "the lock file was changed")
        }
    }

    @Test("tags with control characters are rejected by validate, with the key shown escaped (defect 11)")
    func controlCharactersInTags() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-tags") { directory in
            let manifest = #"{"version": 1, "copies": [{"source": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:a", "target": "a-dr", "region": "us-west-2", "tags": {"a\nb": "v", "k": "c\td"}}]}"#
            let path = try directory.write(manifest, to: "m.json").path
            let run = try await CLI.run(["validate", path])
            #expect(run.exitCode == 1)
            #expect(run.stdout.contains(#"the tag "a\nb" has "\n" (U+A) in its key"#), "\(run.stdout)")
            #expect(run.stdout.contains(#"the tag "k" has "\t" (U+9) in its value"#), "\(run.stdout)")
            #expect(!run.stdout.contains("a\nb"), "a raw line break reached the output")
        }
    }
}

extension ApplyWorkspace {
    /// Runs `snapcopy ARGUMENTS` without the privileges that let root write anywhere, so file
    /// permissions apply to it as to any user (setpriv drops the capabilities from its bounding set).
    func runWithoutPrivileges(_ arguments: [String]) async throws -> ProcessResult {
        guard getuid() == 0 else { return try await run(arguments) }
        let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
        try #require(FileManager.default.isExecutableFile(atPath: setpriv.path), "running as root needs /usr/bin/setpriv (util-linux) to drop privileges")
        return try await runProcess(executable: setpriv,
                                    arguments: ["--bounding-set=-dac_override,-dac_read_search,-fowner", "--", binary.path] + arguments,
                                    environment: environment, currentDirectory: directory.url, timeout: .seconds(60))
    }
}
