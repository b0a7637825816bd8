import Foundation
import SnapcopyCore
import Testing
import TestSupport

private typealias Entry = ApplyManifest.Entry

/// `refresh`, `capture`, `apply --format json` and saved plans' fixes: the built binary against the fake.
@Suite("refresh, capture and machine-readable results (built binary against fake_neptune)", .serialized,
       .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct OperationsTests {
    private func withWorkspace(_ body: (ApplyWorkspace, FakeNeptuneServer) async throws -> Void) async throws {
        let server = try await ApplyServers.operations()
        try await withTemporaryDirectory(prefix: "snapcopy-ops") { directory in
            try await body(try ApplyWorkspace(server: server, directory: directory), server)
        }
    }

    /// A record with its observed fields blanked, to compare what else changed.
    private func desiredFields(_ record: LockRecord) -> LockRecord {
        var record = record
        record.status = .available
        record.percentProgress = nil
        record.completedAt = nil
        record.observedAt = nil
        record.progressSince = nil
        record.snapshotCreateTime = nil
        return record
    }

    @Test("refresh records a copy that finished after apply --no-wait, changes only observed fields, and then leaves the file byte-identical")
    func refreshRecordsFinishedCopies() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-f"])
            try await server.configure(FakeConfig(copyingSeconds: 2))
            try workspace.write(ApplyManifest([Entry(source: "src-f", target: "finished-later")]))
            let started = try await workspace.apply(["copies.json"], ["--no-wait"])
            try #require(started.exitCode == 0, "\(started.stdout)\n\(started.stderr)")
            let copying = try #require(try workspace.lockFile()?.records.first)
            #expect(copying.status == .copying)

            try await server.resetStats()
            // Wait (bounded) for the copy to finish in the account, as it would after --no-wait.
            let deadline = ContinuousClock.now + .seconds(30)
            while try await workspace.live.snapshot("finished-later")?.status != "available", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            let refreshed = try await workspace.run(["refresh", workspace.directory.appending("copies.json").path] + workspace.commonOptions)
            #expect(refreshed.exitCode == 0, "\(refreshed.stderr)")
            #expect(refreshed.stdout.contains("finished-later (us-east-1): copying"), "\(refreshed.stdout)")
            #expect(refreshed.stdout.contains("→ available"), "\(refreshed.stdout)")
            let record = try #require(try workspace.lockFile()?.records.first)
            #expect(record.status == .available && record.percentProgress == 100 && record.completedAt != nil)
            #expect(desiredFields(record) == desiredFields(copying), "refresh changed more than observed fields")
            #expect(try await server.stats().writeCalls == [:], "refresh changed the account")

            let before = workspace.lockBytes()
            let again = try await workspace.run(["refresh"] + workspace.commonOptions)
            #expect(again.exitCode == 0)
            #expect(again.stdout.contains("nothing changed"), "\(again.stdout)")
            #expect(workspace.lockBytes() == before, "a refresh with nothing new rewrote the lock file")
        }
    }

    @Test("capture writes each region's live state with tags; an offline plan of it equals the live plan")
    func captureThenPlanOffline() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["cap-1", "cap-2"], tags: ["team": "graph"])
            try workspace.write(ApplyManifest([
                Entry(source: "cap-1", target: "cap-1-copy", tags: ["purpose": "dr"]),
                Entry(source: ApplyWorkspace.snapshotARN("cap-2"), target: "cap-2-west", region: "us-west-2", copyTags: true),
            ]))
            let applied = try await workspace.apply()
            try #require(applied.exitCode == 0, "\(applied.stdout)\n\(applied.stderr)")
            // Tags changed out of band, so the plan has something to show.
            try workspace.write(ApplyManifest([
                Entry(source: "cap-1", target: "cap-1-copy", tags: ["purpose": "audit"]),
                Entry(source: ApplyWorkspace.snapshotARN("cap-2"), target: "cap-2-west", region: "us-west-2", copyTags: true),
                Entry(source: "cap-2", target: "cap-2-new"),
            ]))
            let out = workspace.directory.appending("capture").path
            let capture = try await workspace.run(["capture", "--region", "us-east-1", "--region", "us-west-2", "--out", out,
                                                   "--endpoint-url", workspace.server.endpoint.absoluteString])
            #expect(capture.exitCode == 0, "\(capture.stdout)\n\(capture.stderr)")
            #expect(capture.stdout.contains("us-east-1: 3 snapshots written to \(out)/us-east-1.json"), "\(capture.stdout)")
            let east = try String(contentsOfFile: "\(out)/us-east-1.json", encoding: .utf8)
            #expect(east.contains("\"Region\": \"us-east-1\"") && east.contains("\"CapturedAt\"") && east.contains("\"TagList\""))

            let manifest = workspace.directory.appending("copies.json").path
            let live = try await workspace.run(["plan", manifest, "--no-color"] + workspace.commonOptions)
            let offline = try await workspace.run(["plan", manifest, "--no-color", "--live-state", out, "--lock-file", workspace.lockPath])
            #expect(live.exitCode == 0 && offline.exitCode == 0, "\(live.stderr)\n\(offline.stderr)")
            #expect(offline.stdout == live.stdout, "the offline plan of a capture differs from the live plan:\nlive:\n\(live.stdout)\noffline:\n\(offline.stdout)")
            #expect(live.stdout.contains("cap-1-copy (us-east-1) will have its tags updated"))
        }
    }

    @Test("apply --format json prints a result document valid for its schema, with progress on stderr")
    func applyResultDocument() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["res-1", "res-2"])
            try await server.configure(FakeConfig(copyingSeconds: 30))
            try workspace.write(ApplyManifest([Entry(source: "res-1", target: "res-copy"), Entry(source: "res-copy", target: "res-chained")]))
            let run = try await workspace.apply(["copies.json"], ["--no-wait", "--format", "json"])
            #expect(run.exitCode == 0, "\(run.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "stdout: \(run.stdout)")
            #expect(document["formatVersion"] as? Int == 1)
            #expect(document["succeeded"] as? Bool == true)
            let entries = try #require(document["entries"] as? [[String: Any]])
            #expect(entries.map { $0["outcome"] as? String } == ["copying", "not-started"])
            let notStarted = try #require((document["notStarted"] as? [[String: Any]])?.first)
            #expect(notStarted["reason"] as? String == "waiting-for-source")
            #expect((document["calls"] as? [String: Int])?["CopyDBClusterSnapshot"] == 1)
            #expect(run.stderr.contains("res-copy (us-east-1): copy started"), "progress goes to stderr: \(run.stderr)")
            let file = try workspace.directory.write(run.stdout, to: "result.json")
            let results = try await JSONSchemaCheck.run(schema: .applyResult, on: [file])
            #expect(results.allSatisfy { $0.errors.isEmpty }, "\(results)")
        }
    }

    @Test("a stale saved plan's fix repeats --lock-file and --endpoint-url, and names another lock file when the lineage differs")
    func staleFixRepeatsOptions() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["stale-1"])
            try workspace.write(ApplyManifest([Entry(source: "stale-1", target: "stale-copy")]))
            let planFile = workspace.directory.appending("saved.plan").path
            let saved = try await workspace.run(["plan", workspace.directory.appending("copies.json").path, "--out", planFile] + workspace.commonOptions)
            try #require(saved.exitCode == 0, "\(saved.stderr)")
            let applied = try await workspace.apply()
            try #require(applied.exitCode == 0)
            let stale = try await workspace.run(["apply", planFile, "--auto-approve"] + workspace.commonOptions)
            #expect(stale.exitCode == 1)
            #expect(stale.stderr.contains("--lock-file \(workspace.lockPath)") && stale.stderr.contains("--endpoint-url \(workspace.server.endpoint.absoluteString)"),
                    "\(stale.stderr)")
            let other = workspace.directory.appending("other.lock").path
            try FileManager.default.copyItem(atPath: workspace.lockPath, toPath: other)
            var text = try String(contentsOfFile: other, encoding: .utf8)
            let lineage = try #require(try workspace.lockFile()?.lineage)
            text = text.replacingOccurrences(of: lineage, with: "00000000-0000-4000-8000-000000000000")
            try text.write(toFile: other, atomically: true, encoding: .utf8)
            let saved2 = try await workspace.run(["plan", workspace.directory.appending("copies.json").path, "--out", planFile] + workspace.commonOptions)
            try #require(saved2.exitCode == 0)
            let wrongLock = try await workspace.run(["apply", planFile, "--auto-approve", "--lock-file", other, "--endpoint-url", workspace.server.endpoint.absoluteString])
            #expect(wrongLock.exitCode == 1)
            #expect(wrongLock.stderr.contains("the plan was made with another lock file (lineage \(lineage)) than \(other)"), "\(wrongLock.stderr)")
        }
    }
}
