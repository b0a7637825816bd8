import Foundation
import NeptuneAPI
import SnapcopyCore
import Testing
import TestSupport

private typealias Entry = ApplyManifest.Entry

private func snapshotARN(_ id: String, region: String = "us-east-1") -> String {
    ApplyWorkspace.snapshotARN(id, region: region)
}

/// `snapcopy apply`, `plan --out` and `cancel`: the built binary against fake_neptune (moto), from
/// manifests to live snapshots, tags and the lock file. One server for the suite, reset per test.
@Suite("apply end to end (built binary against fake_neptune)", .serialized, .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct ApplyEndToEndTests {
    /// Runs `body` with a reset server and a fresh workspace.
    private func withWorkspace(_ body: (ApplyWorkspace, FakeNeptuneServer) async throws -> Void) async throws {
        let server = try await ApplyServers.endToEnd()
        try await withTemporaryDirectory(prefix: "snapcopy-apply") { directory in
            try await body(try ApplyWorkspace(server: server, directory: directory), server)
        }
    }

    // MARK: - Creating copies

    @Test("a same-region copy is created, tagged and recorded")
    func createSameRegion() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-a"], tags: ["team": "graph"])
            try workspace.write(ApplyManifest([Entry(source: "src-a", target: "copy-a", tags: ["purpose": "dr"])]))

            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(run.stdout.contains("Apply complete: 1 created"), "\(run.stdout)")

            let copy = try #require(try await workspace.live.snapshot("copy-a"))
            #expect(copy.status == "available")
            #expect(copy.sourceDBClusterSnapshotARN == snapshotARN("src-a"))
            let arn = try #require(copy.arn)
            #expect(try await workspace.live.tags(of: arn) == ["purpose": "dr", TagRules.ownershipKey: snapshotARN("src-a")])

            let lock = try #require(try workspace.lockFile())
            #expect(lock.records.count == 1)
            let record = try #require(lock.records.first)
            #expect(record.target == "copy-a" && record.region == "us-east-1")
            #expect(record.status == .available && record.operation == nil)
            #expect(record.targetARN == arn && record.sourceARN == snapshotARN("src-a"))
            let stats = try await server.stats()
            #expect(stats.calls("CopyDBClusterSnapshot") == 1)
            #expect(stats.copiesCreatedByTarget == ["copy-a": 1])
        }
    }

    @Test("a cross-region copy lands in the destination region, encrypted with the destination's key")
    func crossRegionWithKMS() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["enc-src"], region: "us-east-1", encrypted: true, kmsAlias: "alias/source-key")
            let west = try await server.seed(Seed(region: "us-west-2", kmsKeys: [.init(alias: "alias/dr-key")]))
            let keyARN = try #require(west.kmsKeys["alias/dr-key"], "seeded keys: \(west.kmsKeys)")
            #expect(keyARN.hasPrefix("arn:aws:kms:us-west-2:"))
            try workspace.write(ApplyManifest([
                Entry(source: snapshotARN("enc-src"), target: "enc-copy", region: "us-west-2", kmsKeyId: keyARN),
            ]))

            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")

            let copy = try #require(try await workspace.live.snapshot("enc-copy", region: "us-west-2"))
            #expect(copy.arn?.hasPrefix("arn:aws:rds:us-west-2:") == true)
            #expect(copy.status == "available")
            #expect(copy.storageEncrypted == true)
            #expect(copy.kmsKeyID == keyARN)
            #expect(copy.sourceDBClusterSnapshotARN == snapshotARN("enc-src"))
            #expect(try await workspace.live.snapshot("enc-copy", region: "us-east-1") == nil)
            let record = try #require(try workspace.lockFile()?.records.first)
            #expect(record.region == "us-west-2" && record.kmsKeyID == keyARN && record.status == .available)
        }
    }

    @Test("copyTags: the copy's tags are the source's (without aws:/rds:) overlaid by the manifest's, plus snapcopy:source")
    func copyTagsMerged() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["tagged-src"], tags: [
                "team": "graph", "env": "prod", "aws:backup:plan": "nightly", "rds:origin": "automated",
            ])
            try workspace.write(ApplyManifest([
                Entry(source: "tagged-src", target: "tagged-copy", copyTags: true, tags: ["env": "dr", "owner": "ops"]),
            ]))

            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")

            let copy = try #require(try await workspace.live.snapshot("tagged-copy"))
            let expected = ["team": "graph", "env": "dr", "owner": "ops", TagRules.ownershipKey: snapshotARN("tagged-src")]
            #expect(try await workspace.live.tags(of: try #require(copy.arn)) == expected)
            #expect(try workspace.lockFile()?.records.first?.tags == Tags(expected))
        }
    }

    @Test("a chained copy starts only once its upstream copy is available, from the upstream's ARN")
    func chainedCopies() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["chain-src"], tags: ["team": "graph"])
            try await server.configure(FakeConfig(copyingSeconds: 1.5))
            let westARN = snapshotARN("chain-west", region: "us-west-2")
            try workspace.write(ApplyManifest([
                Entry(source: westARN, target: "chain-eu", region: "eu-west-1"),
                Entry(source: snapshotARN("chain-src"), target: "chain-west", region: "us-west-2"),
            ]))

            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")

            let west = try #require(try await workspace.live.snapshot("chain-west", region: "us-west-2"))
            let europe = try #require(try await workspace.live.snapshot("chain-eu", region: "eu-west-1"))
            #expect(west.status == "available" && europe.status == "available")
            #expect(west.sourceDBClusterSnapshotARN == snapshotARN("chain-src"))
            #expect(europe.sourceDBClusterSnapshotARN == westARN)
            // The fake refuses a copy of a source that is still copying, so one request each and
            // the log's order show the second copy waited for the first.
            let stats = try await server.stats()
            #expect(stats.copyRequestsByTarget == ["chain-west": 1, "chain-eu": 1])
            let westDone = try #require(run.stdout.range(of: "chain-west (us-west-2): copy available"), "\(run.stdout)")
            let europeStarted = try #require(run.stdout.range(of: "chain-eu (eu-west-1): copy started"), "\(run.stdout)")
            #expect(westDone.upperBound <= europeStarted.lowerBound, "\(run.stdout)")
            let records = try #require(try workspace.lockFile()).records
            #expect(records.map(\.target).sorted() == ["chain-eu", "chain-west"])
            #expect(records.allSatisfy { $0.status == .available })
        }
    }

    // MARK: - Changing copies

    @Test("update-tags: live tags become the manifest's; aws: and ignored keys are untouched")
    func updateTags() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-t"])
            let defaults = ApplyManifest.Defaults(ignoreTagKeys: ["backup-window"])
            try workspace.write(ApplyManifest([Entry(source: "src-t", target: "copy-t", tags: ["env": "prod", "team": "a"])], defaults: defaults))
            let first = try await workspace.apply()
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")

            // Other systems add an aws: tag and a tag the manifest ignores.
            let ownership = [TagRules.ownershipKey: snapshotARN("src-t")]
            try await server.seed(Seed(snapshots: [.init(id: "copy-t", tags: ["env": "prod", "team": "a", "aws:backup:plan": "nightly", "backup-window": "02:00"].merging(ownership) { a, _ in a })]))
            try workspace.write(ApplyManifest([Entry(source: "src-t", target: "copy-t", tags: ["env": "staging", "owner": "ops"])], defaults: defaults))
            try await server.resetStats()

            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(run.stdout.contains("1 tags updated"), "\(run.stdout)")

            let arn = try #require(try await workspace.live.snapshot("copy-t")?.arn)
            let expected = ["env": "staging", "owner": "ops", "aws:backup:plan": "nightly", "backup-window": "02:00"].merging(ownership) { a, _ in a }
            #expect(try await workspace.live.tags(of: arn) == expected)
            let stats = try await server.stats()
            #expect(stats.calls("CopyDBClusterSnapshot") == 0 && stats.calls("DeleteDBClusterSnapshot") == 0)
            #expect(stats.calls("AddTagsToResource") >= 1 && stats.calls("RemoveTagsFromResource") >= 1)
            let record = try #require(try workspace.lockFile()?.records.first)
            #expect(record.tags == Tags(["env": "staging", "owner": "ops"].merging(ownership) { a, _ in a }))
            #expect(record.status == .available && record.operation == nil)
        }
    }

    @Test("a replacement is refused without --allow-replace, changing nothing, and made with it")
    func replace() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-old", "src-new"])
            try workspace.write(ApplyManifest([Entry(source: "src-old", target: "rep")]))
            let first = try await workspace.apply()
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")
            let lockBefore = try #require(workspace.lockBytes())
            let oldARN = try #require(try await workspace.live.snapshot("rep")?.arn)

            try workspace.write(ApplyManifest([Entry(source: "src-new", target: "rep")]))
            try await server.resetStats()
            let refused = try await workspace.apply()
            #expect(refused.exitCode == 1)
            #expect(refused.stderr.contains("rep (us-east-1)"), "\(refused.stderr)")
            #expect(refused.stderr.contains("--allow-replace"), "\(refused.stderr)")
            #expect(try await server.stats().writeCalls == [:])
            #expect(workspace.lockBytes() == lockBefore)
            #expect(try await workspace.live.snapshot("rep")?.sourceDBClusterSnapshotARN == snapshotARN("src-old"))

            try await server.resetStats()
            let replaced = try await workspace.apply(["copies.json"], ["--allow-replace"])
            #expect(replaced.exitCode == 0, "\(replaced.stdout)\n\(replaced.stderr)")
            #expect(replaced.stdout.contains("1 replaced"), "\(replaced.stdout)")
            let copy = try #require(try await workspace.live.snapshot("rep"))
            #expect(copy.sourceDBClusterSnapshotARN == snapshotARN("src-new"))
            #expect(copy.status == "available" && copy.arn == oldARN)
            let stats = try await server.stats()
            #expect(stats.calls("DeleteDBClusterSnapshot") == 1)
            #expect(stats.copiesCreatedByTarget == ["rep": 1])
            let record = try #require(try workspace.lockFile()?.records.first)
            #expect(record.sourceARN == snapshotARN("src-new") && record.status == .available && record.operation == nil)
        }
    }

    @Test("entries that leave the manifests: deletionPolicy delete deletes the copy, retain forgets it")
    func deleteAndForget() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-d"])
            try workspace.write(ApplyManifest([
                Entry(source: "src-d", target: "keep"),
                Entry(source: "src-d", target: "drop", deletionPolicy: "delete"),
                Entry(source: "src-d", target: "leave", deletionPolicy: "retain"),
            ]))
            let first = try await workspace.apply()
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")

            try workspace.write(ApplyManifest([Entry(source: "src-d", target: "keep")]))
            try await server.resetStats()
            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(run.stdout.contains("1 deleted") && run.stdout.contains("1 forgotten"), "\(run.stdout)")

            #expect(try await workspace.live.snapshot("drop") == nil)
            #expect(try await workspace.live.snapshot("leave")?.status == "available")
            #expect(try await workspace.live.snapshot("keep")?.status == "available")
            #expect(try workspace.lockFile()?.records.map(\.target) == ["keep"])
            #expect(try await server.stats().writeCalls == ["DeleteDBClusterSnapshot": 1])
        }
    }

    @Test("a copy whose lock record was lost is adopted without copying again")
    func adoptAfterLostRecord() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-x"])
            try workspace.write(ApplyManifest([Entry(source: "src-x", target: "adoptee", tags: ["env": "prod"])]))
            let first = try await workspace.apply()
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")
            let arn = try #require(try await workspace.live.snapshot("adoptee")?.arn)

            try FileManager.default.removeItem(atPath: workspace.lockPath)
            try await server.resetStats()
            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(run.stdout.contains("1 adopted"), "\(run.stdout)")
            #expect(try await server.stats().writeCalls == [:])
            let record = try #require(try workspace.lockFile()?.records.first)
            #expect(record.target == "adoptee" && record.status == .available && record.targetARN == arn)
            #expect(record.sourceARN == snapshotARN("src-x"))
        }
    }

    @Test("a copy still copying whose lock record was lost is recorded and followed to the end, not copied again")
    func adoptInProgressAfterLostRecord() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-y"])
            try await server.configure(FakeConfig(copyingSeconds: 3))
            try workspace.write(ApplyManifest([Entry(source: "src-y", target: "inflight")]))
            let first = try await workspace.apply(["copies.json"], ["--no-wait"])
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")

            try FileManager.default.removeItem(atPath: workspace.lockPath)
            try await server.resetStats()
            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(try await server.stats().writeCalls == [:])
            #expect(try await workspace.live.snapshot("inflight")?.status == "available", "apply returned before the copy was available")
            let record = try #require(try workspace.lockFile()?.records.first, "the copy in progress was not recorded:\n\(run.stdout)")
            #expect(record.target == "inflight" && record.status == .available && record.operation == nil)
        }
    }

    /// With `copyingSeconds`, the first apply follows the copies through `copying` to `available`.
    @Test("a second apply changes nothing: no write calls, and the lock file stays byte-identical", arguments: [0.0, 1.0])
    func secondApplyIsNoop(copyingSeconds: Double) async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-n"], tags: ["team": "graph"])
            try await server.configure(FakeConfig(copyingSeconds: copyingSeconds))
            try workspace.write(ApplyManifest([
                Entry(source: "src-n", target: "same-region", tags: ["env": "prod"]),
                Entry(source: "src-n", target: "tags-copied", copyTags: true),
                Entry(source: snapshotARN("src-n"), target: "cross-region", region: "us-west-2", deletionPolicy: "delete"),
            ], defaults: ApplyManifest.Defaults(tags: ["managed-by": "snapcopy"])))
            let first = try await workspace.apply()
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")
            let bytes = try #require(workspace.lockBytes())
            #expect(try workspace.lockFile()?.records.count == 3)

            try await server.resetStats()
            let second = try await workspace.apply()
            #expect(second.exitCode == 0, "\(second.stdout)\n\(second.stderr)")
            #expect(second.stdout.contains("0 created, 0 tags updated, 0 replaced, 0 deleted, 3 unchanged"), "\(second.stdout)")
            #expect(workspace.lockBytes() == bytes, "the lock file changed:\n\(String(decoding: workspace.lockBytes() ?? Data(), as: UTF8.self))")
            #expect(try await server.stats().writeCalls == [:])
        }
    }

    @Test("copies left copying by --no-wait are followed to the end by the next apply, not copied again")
    func noWaitThenFollow() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-w"])
            try await server.configure(FakeConfig(copyingSeconds: 2))
            try workspace.write(ApplyManifest([Entry(source: "src-w", target: "later")]))

            let started = try await workspace.apply(["copies.json"], ["--no-wait"])
            #expect(started.exitCode == 0, "\(started.stdout)\n\(started.stderr)")
            #expect(started.stdout.contains("1 still copying"), "\(started.stdout)")
            let copying = try #require(try workspace.lockFile()?.records.first)
            #expect(copying.status == .copying && copying.operation == nil && copying.targetARN != nil)

            let followed = try await workspace.apply()
            #expect(followed.exitCode == 0, "\(followed.stdout)\n\(followed.stderr)")
            #expect(followed.stdout.contains("later (us-east-1): copying 100%"), "\(followed.stdout)")
            #expect(try await workspace.live.snapshot("later")?.status == "available")
            let record = try #require(try workspace.lockFile()?.records.first)
            #expect(record.status == .available && record.percentProgress == 100 && record.completedAt != nil)
            #expect(try await server.stats().copiesCreatedByTarget == ["later": 1])
        }
    }

    // MARK: - Saved plans

    @Test("a plan saved with plan --out is applied as saved")
    func savedPlanApplied() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-p"])
            let manifest = try workspace.write(ApplyManifest([Entry(source: "src-p", target: "planned")]))
            let planFile = workspace.directory.appending("plan.json").path
            let plan = try await workspace.run(["plan", manifest, "--out", planFile] + workspace.commonOptions)
            try #require(plan.exitCode == 0, "\(plan.stdout)\n\(plan.stderr)")
            try #require(FileManager.default.fileExists(atPath: planFile), "plan --out wrote no file")
            #expect(try await server.stats().writeCalls == [:])
            #expect(try await workspace.live.snapshot("planned") == nil)

            let run = try await workspace.run(["apply", planFile, "--poll-interval", "200ms"] + workspace.commonOptions)
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            #expect(try await workspace.live.snapshot("planned")?.status == "available")
            #expect(try workspace.lockFile()?.records.map(\.target) == ["planned"])
            #expect(try await server.stats().copiesCreatedByTarget == ["planned": 1])
        }
    }

    @Test("a saved plan is refused as stale when the lock file moved or a manifest changed, and nothing is changed")
    func stalePlanRefused() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-s"])
            let manifest = try workspace.write(ApplyManifest([Entry(source: "src-s", target: "base")]))
            let setUp = try await workspace.apply()
            try #require(setUp.exitCode == 0, "\(setUp.stdout)\n\(setUp.stderr)")
            try workspace.write(ApplyManifest([Entry(source: "src-s", target: "base"), Entry(source: "src-s", target: "first")]))
            let planFile = workspace.directory.appending("plan.json").path
            let plan = try await workspace.run(["plan", manifest, "--out", planFile] + workspace.commonOptions)
            try #require(plan.exitCode == 0, "\(plan.stdout)\n\(plan.stderr)")

            // Another apply moves the lock file's serial.
            let other = try await workspace.apply()
            try #require(other.exitCode == 0, "\(other.stdout)\n\(other.stderr)")
            let lockBytes = try #require(workspace.lockBytes())
            try await server.resetStats()
            let stale = try await workspace.run(["apply", planFile, "--poll-interval", "200ms"] + workspace.commonOptions)
            #expect(stale.exitCode == 1)
            #expect(stale.stderr.contains("stale"), "\(stale.stderr)")
            #expect(stale.stderr.contains("serial"), "\(stale.stderr)")
            #expect(try await server.stats().writeCalls == [:])
            #expect(workspace.lockBytes() == lockBytes)

            // A fresh plan, then an edited manifest.
            let again = try await workspace.run(["plan", manifest, "--out", planFile] + workspace.commonOptions)
            try #require(again.exitCode == 0, "\(again.stdout)\n\(again.stderr)")
            try workspace.write(ApplyManifest([
                Entry(source: "src-s", target: "base"), Entry(source: "src-s", target: "first"), Entry(source: "src-s", target: "second"),
            ]))
            try await server.resetStats()
            let edited = try await workspace.run(["apply", planFile, "--poll-interval", "200ms"] + workspace.commonOptions)
            #expect(edited.exitCode == 1)
            #expect(edited.stderr.contains("the manifests changed"), "\(edited.stderr)")
            #expect(try await server.stats().writeCalls == [:])
            #expect(try await workspace.live.snapshot("second") == nil)
            #expect(workspace.lockBytes() == lockBytes)
        }
    }

    // MARK: - Serialising applies

    @Test("a second apply on the same lock file is refused at once naming the holder; with --lock-timeout it waits")
    func concurrentApplies() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-c"])
            try await server.configure(FakeConfig(latencyMs: 400, copyingSeconds: 2))
            try workspace.write(ApplyManifest((1...3).map { Entry(source: "src-c", target: "busy-\($0)") }))

            let holder = try workspace.launch(workspace.applyArguments(), name: "holder")
            let holderFile = workspace.lockPath + ".lock"
            let holds = await ApplyWorkspace.eventually(within: .seconds(20)) {
                (try? String(contentsOfFile: holderFile, encoding: .utf8))?.contains("pid \(holder.pid) ") == true
            }
            try #require(holds, "the first apply never wrote itself into \(holderFile)")

            let started = ContinuousClock.now
            let refused = try await workspace.apply()
            let waited = ContinuousClock.now - started
            #expect(refused.exitCode == 1)
            #expect(refused.stderr.contains("another apply holds"), "\(refused.stderr)")
            #expect(refused.stderr.contains("pid \(holder.pid) "), "\(refused.stderr)")
            #expect(refused.stderr.contains("--lock-timeout"), "\(refused.stderr)")
            #expect(waited < .seconds(5), "refusing took \(waited)")
            #expect(holder.isRunning, "the first apply ended before the second was refused; the test proves nothing")

            let patient = try workspace.launch(workspace.applyArguments(["copies.json"], ["--lock-timeout", "30s"]), name: "patient")
            let first = await holder.wait()
            #expect(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")
            #expect(first.stdout.contains("Apply complete: 3 created"), "\(first.stdout)")
            let second = await patient.wait()
            #expect(second.exitCode == 0, "\(second.stdout)\n\(second.stderr)")
            #expect(second.stdout.contains("0 created") && second.stdout.contains("3 unchanged"), "\(second.stdout)")
            let stats = try await server.stats()
            #expect(stats.copiesCreatedByTarget == ["busy-1": 1, "busy-2": 1, "busy-3": 1])
            #expect(try workspace.lockFile()?.records.count == 3)
        }
    }

    // MARK: - Cancel

    @Test("cancel deletes a copy in progress and drops its record, and refuses an available one")
    func cancel() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-k"])
            try workspace.write(ApplyManifest([Entry(source: "src-k", target: "finished")]))
            let first = try await workspace.apply()
            try #require(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")

            try await server.configure(FakeConfig(copyingSeconds: 300))
            try workspace.write(ApplyManifest([
                Entry(source: "src-k", target: "finished"), Entry(source: "src-k", target: "slow"),
            ]))
            let started = try await workspace.apply(["copies.json"], ["--no-wait"])
            try #require(started.exitCode == 0, "\(started.stdout)\n\(started.stderr)")
            #expect(try await workspace.live.snapshot("slow")?.status == "copying")
            #expect(try workspace.lockFile()?.records.first { $0.target == "slow" }?.status == .copying)

            try await server.resetStats()
            let refused = try await workspace.run(["cancel", "finished"] + workspace.commonOptions)
            #expect(refused.exitCode == 1)
            #expect(refused.stderr.contains("finished (us-east-1) is available, not copying"), "\(refused.stderr)")
            #expect(try await workspace.live.snapshot("finished")?.status == "available")
            #expect(try await server.stats().writeCalls == [:])

            let cancelled = try await workspace.run(["cancel", "slow"] + workspace.commonOptions)
            #expect(cancelled.exitCode == 0, "\(cancelled.stdout)\n\(cancelled.stderr)")
            #expect(cancelled.stdout.contains("slow (us-east-1): copy cancelled"), "\(cancelled.stdout)")
            #expect(try await workspace.live.snapshot("slow") == nil)
            #expect(try workspace.lockFile()?.records.map(\.target) == ["finished"])
            #expect(try await server.stats().writeCalls == ["DeleteDBClusterSnapshot": 1])
        }
    }

    // MARK: - Faults and scheduling

    @Test("apply converges under throttling, 500s and a lost CopyDBClusterSnapshot response, copying each target once")
    func convergesUnderFaults() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-f"])
            let targets = (1...5).map { "faulty-\($0)" }
            try workspace.write(ApplyManifest(targets.map { Entry(source: "src-f", target: $0) }))
            try await server.configure(FakeConfig(faults: [
                FaultRule(.throttle, action: "DescribeDBClusterSnapshots", times: 2),
                FaultRule(.internalFailure, action: "DescribeDBClusterSnapshots", times: 1),
                FaultRule(.html500, action: "ListTagsForResource", times: 1),
                FaultRule(.throttle, action: "CopyDBClusterSnapshot", times: 1),
                FaultRule(.serviceUnavailable, action: "CopyDBClusterSnapshot", times: 1),
                // Every third copy request from the third on, so no "before" fault has already taken
                // the call (the fake then counts an "after" rule as fired without injecting it).
                FaultRule(.internalFailure, action: "CopyDBClusterSnapshot", times: 2, everyNth: 3, phase: .after),
            ]))

            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            let stats = try await server.stats()
            // All 8 rules fire: Neptune's copy answers carry no TagList (nor does the fake's), so apply
            // reads each new copy's tags once, and the armed ListTagsForResource rule fires.
            #expect(stats.totalFaultsInjected == 8, "faults: \(stats.faultsInjected)")
            #expect(stats.faultsInjectedByAction["CopyDBClusterSnapshot"]?["500"] == 2)
            #expect(stats.copiesCreatedByTarget == Dictionary(uniqueKeysWithValues: targets.map { ($0, 1) }))
            let records = try #require(try workspace.lockFile()).records
            #expect(records.map(\.target) == targets)
            #expect(records.allSatisfy { $0.status == .available && $0.operation == nil && $0.targetARN != nil })
            for target in targets {
                #expect(try await workspace.live.snapshot(target)?.status == "available")
            }
        }
    }

    @Test("never more than --max-inflight-copies copies in flight per region")
    func inflightLimit() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-i"])
            try await server.configure(FakeConfig(copyingSeconds: 2))
            let targets = (1...12).map { String(format: "limited-%02d", $0) }
            try workspace.write(ApplyManifest(targets.map { Entry(source: "src-i", target: $0) }))

            let run = try await workspace.apply(["copies.json"], ["--max-inflight-copies", "3"])
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            let stats = try await server.stats()
            let most = stats.maxConcurrentCopies(region: "us-east-1")
            #expect(most <= 3, "\(most) copies were in flight at once")
            #expect(most >= 2, "copies ran one at a time (\(most)); the limit was never exercised")
            #expect(stats.copiesCreatedByTarget == Dictionary(uniqueKeysWithValues: targets.map { ($0, 1) }))
            #expect(try #require(try workspace.lockFile()).records.allSatisfy { $0.status == .available })
        }
    }

    /// With `delayFirstRequest`, the first copy request reaches the fake last, so the copies the account
    /// refuses are not the last of the wave (the order of requests is not the order apply sent them in).
    @Test("when the account allows fewer copies in flight than asked, apply waits for slots instead of failing",
          arguments: [false, true])
    func accountQuotaLowerThanOurs(delayFirstRequest: Bool) async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-q"])
            let slowFirst = delayFirstRequest ? [FaultRule(.slow, action: "CopyDBClusterSnapshot", times: 1, delayMs: 700)] : []
            try await server.configure(FakeConfig(copyingSeconds: 1, faults: slowFirst, maxInflightCopies: 2))
            let targets = (1...6).map { "quota-\($0)" }
            try workspace.write(ApplyManifest(targets.map { Entry(source: "src-q", target: $0) }))

            let run = try await workspace.apply(["copies.json"], ["--max-inflight-copies", "5"])
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            let stats = try await server.stats()
            #expect(stats.inflightQuotaRejections >= 1, "the account's limit was never hit; the test proves nothing")
            #expect(stats.maxConcurrentCopies(region: "us-east-1") <= 2)
            #expect(stats.copiesCreatedByTarget == Dictionary(uniqueKeysWithValues: targets.map { ($0, 1) }))
            let records = try #require(try workspace.lockFile()).records
            #expect(records.map(\.target) == targets)
            #expect(records.allSatisfy { $0.status == .available })
        }
    }

    @Test("progress of a copy in flight is shown as rising percentages")
    func progress() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["src-g"])
            try await server.configure(FakeConfig(copyingSeconds: 3))
            try workspace.write(ApplyManifest([Entry(source: "src-g", target: "watched")]))

            let run = try await workspace.apply()
            #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
            let percents = run.stdout.split(separator: "\n")
                .filter { $0.hasPrefix("watched (us-east-1): copying ") }
                .compactMap { line in Int(line.dropFirst("watched (us-east-1): copying ".count).prefix { $0.isNumber }) }
            #expect(percents.count >= 3, "\(run.stdout)")
            #expect(percents == percents.sorted() && Set(percents).count == percents.count, "not rising: \(percents)")
            #expect(percents.contains { $0 > 0 && $0 < 100 }, "no intermediate progress: \(percents)")
            #expect(percents.last == 100, "\(percents)")
        }
    }

    // MARK: - Ctrl-C

    @Test("a first Ctrl-C stops waiting, records the copies in flight and exits 1; a second exits at once")
    func interrupts() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["int-a", "int-b"])
            try await server.configure(FakeConfig(copyingSeconds: 60))
            try workspace.write(ApplyManifest([Entry(source: "int-a", target: "int-copy-a"), Entry(source: "int-b", target: "int-copy-b")]))

            let first = try workspace.launch(workspace.applyArguments(), name: "interrupted")
            let started = try await ApplyWorkspace.eventually(within: .seconds(30)) {
                (try workspace.lockFile()?.records ?? []).filter { $0.status == .copying }.count == 2
            }
            try #require(started, "the copies never started")
            first.send(SIGINT)
            let result = await first.wait(timeout: .seconds(15))
            #expect(result.exitCode == 1, "\(result.stdout)\n\(result.stderr)")
            #expect(result.stdout.contains("Apply interrupted: 2 created"), "\(result.stdout)")
            #expect(result.stdout.contains("continue in AWS"), "\(result.stdout)")
            #expect(result.stderr.contains("Interrupt received"), "\(result.stderr)")
            let records = try #require(try workspace.lockFile()).records
            #expect(records.map(\.target).sorted() == ["int-copy-a", "int-copy-b"])
            #expect(records.allSatisfy { $0.status == .copying && $0.operation == nil && $0.targetARN != nil })
            #expect(try await server.stats().copiesCreatedByTarget == ["int-copy-a": 1, "int-copy-b": 1])

            // The next apply follows those copies; with a slow listing in flight, two interrupts end it at once,
            // leaving the journal intact.
            try await server.configure(FakeConfig(latencyMs: 3000, copyingSeconds: 60))
            let second = try workspace.launch(workspace.applyArguments(), name: "twice")
            let following = try await ApplyWorkspace.eventually(within: .seconds(40)) {
                let out = String(decoding: FileManager.default.contents(atPath: workspace.directory.appending("twice.stdout").path) ?? Data(), as: UTF8.self)
                return out.contains("Plan:")
            }
            try #require(following, "the second apply never printed its plan")
            try await Task.sleep(for: .milliseconds(800))
            second.send(SIGINT)
            try await Task.sleep(for: .milliseconds(100))
            second.send(SIGINT)
            let abrupt = await second.wait(timeout: .seconds(10))
            #expect(abrupt.exitCode == 130, "\(abrupt.stdout)\n\(abrupt.stderr)")
            #expect(abrupt.stderr.contains("Second interrupt"), "\(abrupt.stderr)")
            #expect(try workspace.lockFile()?.records.count == 2, "the lock file still parses and keeps both records")
            #expect(try await server.stats().copiesCreatedByTarget == ["int-copy-a": 1, "int-copy-b": 1])
        }
    }
}
