import Foundation
import NeptuneAPI
import SnapcopyCore
import Testing
import TestSupport

private typealias Entry = ApplyManifest.Entry

private func snapshotARN(_ id: String, region: String = "us-east-1") -> String {
    ApplyWorkspace.snapshotARN(id, region: region)
}

/// `kill -9` of `snapcopy apply` at many points of a run that has copies held in `copying`,
/// chained copies and tag updates of copies recorded before: the journal in the lock file must let
/// the next apply converge, with every copy made exactly once and no record lost.
@Suite("apply killed at any point converges", .serialized, .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct CrashTests {
    /// Copies recorded before the run whose tags the run updates.
    static let taggedTargets = ["tagged-1", "tagged-2"]
    /// The run: five copies within us-east-1, two to us-west-2, a chained copy in each region, two tag updates.
    fileprivate static let entries: [Entry] = (1...7).map { index in
        let target = String(format: "crash-%02d", index)
        return index <= 5
            ? Entry(source: "crash-src", target: target, tags: ["n": "\(index)"])
            : Entry(source: snapshotARN("crash-src"), target: target, region: "us-west-2", tags: ["n": "\(index)"])
    } + [
        Entry(source: "crash-01", target: "chained-east"),
        Entry(source: snapshotARN("crash-06", region: "us-west-2"), target: "chained-west", region: "us-west-2"),
    ] + taggedTargets.map { Entry(source: "crash-src", target: $0, tags: ["env": "new"]) }
    /// What the lock file held before the run: the tagged copies, with their old tags.
    fileprivate static let before: [Entry] = taggedTargets.map { Entry(source: "crash-src", target: $0, tags: ["env": "old"]) }
    static let copiedTargets = entries.map(\.target).filter { !taggedTargets.contains($0) }
    static let regions = ["us-east-1", "us-west-2"]
    /// Kills wanted, at as many different points.
    static let iterations = 55
    static let requiredKills = 50
    /// Bounds the test's time when runs keep ending before their kill point.
    static let maximumIterations = 70

    /// Resets the server and the workspace to the starting state every iteration shares: the
    /// source, the tagged copies adopted into a lock file, copies held `copying` for a second.
    private func prepare(_ server: FakeNeptuneServer, _ workspace: ApplyWorkspace) async throws {
        try await server.reset()
        try await server.seed(Seed(
            region: "us-east-1", clusters: [.init(id: "graph")],
            snapshots: [.init(id: "crash-src", cluster: "graph", type: .manual, tags: ["team": "graph"])]
                + Self.taggedTargets.map { .init(id: $0, cluster: "graph", type: .manual,
                                                 tags: [TagRules.ownershipKey: snapshotARN("crash-src"), "env": "old"]) }))
        try await server.seed(Seed(region: "us-west-2"))
        try workspace.write(ApplyManifest(Self.before))
        let adopted = try await workspace.apply()
        try #require(adopted.exitCode == 0 && adopted.stdout.contains("2 adopted"), "setting up the lock file failed:\n\(adopted.stdout)\n\(adopted.stderr)")
        try workspace.write(ApplyManifest(Self.entries))
        try await server.configure(FakeConfig(latencyMs: 20, copyingSeconds: 1))
        try await server.resetStats()
    }

    @Test("after a SIGKILL at 50 points of a run with copies copying, chained copies and tag updates, a re-run converges with each copy made once")
    func killedAtManyPoints() async throws {
        let server = try await ApplyServers.crash()

        // Calibrate: how long a whole run takes here (the shorter of two, so kill points stay inside runs).
        var duration = Duration.seconds(3600)
        for _ in 0..<2 {
            duration = min(duration, try await withTemporaryDirectory(prefix: "snapcopy-crash") { directory in
                let workspace = try ApplyWorkspace(server: server, directory: directory)
                try await prepare(server, workspace)
                let started = ContinuousClock.now
                let run = try await workspace.apply(timeout: .seconds(60))
                let duration = ContinuousClock.now - started
                try #require(run.exitCode == 0, "the uninterrupted run failed:\n\(run.stdout)\n\(run.stderr)")
                try #require(run.stdout.contains("2 tags updated") && run.stdout.contains("9 created"), "\(run.stdout)")
                try await checkConverged(workspace, server, iteration: -1)
                return duration
            })
        }
        try #require(duration < .seconds(30), "a whole run took \(duration); the kill points would be too sparse")

        var kills = 0
        var journalsLeft = 0
        var iteration = 0
        while kills < Self.iterations && iteration < Self.maximumIterations {
            defer { iteration += 1 }
            // Kill points spread evenly over the run however many are taken (a golden-ratio sequence),
            // so kills land during start-up, planning, the journaled tag updates and copy waves, the
            // polling that follows copies held copying, and the chained copies that start after them.
            // A run that ends before its kill point does not count, and another point is tried.
            let fraction = (Double(iteration) * 0.618_033_988_75).truncatingRemainder(dividingBy: 1)
            let delay = duration * (0.02 + 0.9 * fraction)
            try await withTemporaryDirectory(prefix: "snapcopy-crash") { directory in
                let workspace = try ApplyWorkspace(server: server, directory: directory)
                try await prepare(server, workspace)

                let victim = try workspace.launch(workspace.applyArguments(), name: "victim")
                try await Task.sleep(for: delay)
                victim.killNow()
                let killed = await victim.wait(timeout: .seconds(30))
                if killed.exitCode == 128 + SIGKILL { kills += 1 }
                if workspace.hasJournal { journalsLeft += 1 }

                try await checkJournal(workspace, iteration: iteration, delay: delay)

                let rerun = try await workspace.apply(timeout: .seconds(60))
                try #require(rerun.exitCode == 0, "iteration \(iteration) (killed after \(delay)): the re-run failed:\n\(rerun.stdout)\n\(rerun.stderr)")
                try await checkConverged(workspace, server, iteration: iteration)
            }
        }
        #expect(kills >= Self.requiredKills, "only \(kills) of \(iteration) runs were still running when killed")
        // Most kills land while apply appends to its journal, so the re-runs prove its replay and fold.
        #expect(journalsLeft >= Self.requiredKills / 2, "only \(journalsLeft) of \(kills) kills left a journal to recover from")
    }

    @Test("killed while copies are copying: plan reads the journal (they are waiting, not created again), the next apply folds it")
    func killedApplyIsRecoveredFromTheJournal() async throws {
        let server = try await ApplyServers.crash()
        try await withTemporaryDirectory(prefix: "snapcopy-journal") { directory in
            let workspace = try ApplyWorkspace(server: server, directory: directory)
            try await server.seedSources(["jr-a", "jr-b"])
            try await server.configure(FakeConfig(copyingSeconds: 60))
            let manifest = try workspace.write(ApplyManifest([ApplyManifest.Entry(source: "jr-a", target: "jr-copy-a"), ApplyManifest.Entry(source: "jr-b", target: "jr-copy-b")]))

            let victim = try workspace.launch(workspace.applyArguments(), name: "victim")
            let copying = try await ApplyWorkspace.eventually(within: .seconds(30)) {
                (try workspace.lockFile()?.records ?? []).filter { $0.status == .copying }.count == 2
            }
            try #require(copying, "the copies never started")
            victim.killNow()
            _ = await victim.wait(timeout: .seconds(10))

            // The lock file alone has the intents (its first save is whole); the journal has what followed.
            #expect(workspace.hasJournal)
            let onDisk = try #require(try workspace.lockFileOnDisk())
            #expect(onDisk.records.allSatisfy { $0.status == .pending }, "\(onDisk.records.map(\.status))")
            let replayed = try #require(try workspace.lockFile())
            #expect(replayed.serial > onDisk.serial)

            let plan = try await workspace.run(["plan", manifest, "--no-color", "--detailed-exitcode"] + workspace.commonOptions)
            #expect(plan.exitCode == 0, "\(plan.stdout)\n\(plan.stderr)")
            #expect(plan.stdout.contains("2 waiting"), "\(plan.stdout)")
            #expect(workspace.hasJournal, "plan only reads")

            let rerun = try await workspace.run(workspace.applyArguments(["copies.json"], ["--no-wait"]), timeout: .seconds(60))
            #expect(rerun.exitCode == 0, "\(rerun.stdout)\n\(rerun.stderr)")
            #expect(rerun.stderr.contains("was left by a run that stopped before it finished"), "\(rerun.stderr)")
            #expect(!workspace.hasJournal)
            let folded = try #require(try workspace.lockFileOnDisk())
            #expect(folded.records.map(\.target) == ["jr-copy-a", "jr-copy-b"])
            #expect(folded.records.allSatisfy { $0.status == .copying && $0.targetARN != nil }, "\(folded.records.map(\.status))")
            #expect(try await server.stats().copiesCreatedByTarget == ["jr-copy-a": 1, "jr-copy-b": 1])
        }
    }

    /// Right after the kill: the lock file parses, no record from before the run is lost, and every
    /// copy that exists has a record (the intent was journaled before the call that made it).
    private func checkJournal(_ workspace: ApplyWorkspace, iteration: Int, delay: Duration) async throws {
        let lock: LockFile?
        do {
            lock = try workspace.lockFile()
        } catch {
            Issue.record("iteration \(iteration) (killed after \(delay)): the lock file does not parse: \(error)")
            return
        }
        let recorded = Set(lock?.records.map(\.identity) ?? [])
        for target in Self.taggedTargets {
            #expect(recorded.contains(CopyIdentity(region: "us-east-1", target: target)), "iteration \(iteration) (killed after \(delay)): the record of \(target) was lost")
        }
        for region in Self.regions {
            for identifier in try await workspace.live.identifiers(region: region) where Self.copiedTargets.contains(identifier) {
                let identity = CopyIdentity(region: region, target: identifier)
                #expect(recorded.contains(identity), "iteration \(iteration) (killed after \(delay)): \(identity) exists but has no record")
            }
        }
    }

    /// Every desired copy exists exactly once, available, with its tags, and has an available record; nothing else is recorded.
    private func checkConverged(_ workspace: ApplyWorkspace, _ server: FakeNeptuneServer, iteration: Int) async throws {
        let stats = try await server.stats()
        let expected = Dictionary(uniqueKeysWithValues: Self.copiedTargets.map { ($0, 1) })
        #expect(stats.copiesCreatedByTarget == expected, "iteration \(iteration): copies made \(stats.copiesCreatedByTarget)")
        let lock = try #require(try workspace.lockFile(), "iteration \(iteration): no lock file after the re-run")
        // The re-run folded the killed run's journal and its own: the lock file alone holds everything.
        #expect(!workspace.hasJournal, "iteration \(iteration): a journal is left after the re-run")
        #expect(try workspace.lockFileOnDisk() == lock, "iteration \(iteration): the lock file on disk is not what snapcopy reads")
        let desired = Self.entries.map { CopyIdentity(region: $0.region ?? "us-east-1", target: $0.target) }.sorted()
        #expect(lock.records.map(\.identity) == desired, "iteration \(iteration): records \(lock.records.map(\.identity))")
        for record in lock.records {
            #expect(record.status == .available && record.operation == nil && record.targetARN != nil,
                    "iteration \(iteration): \(record.identity) is \(record.status) \(record.operation?.rawValue ?? "")")
            #expect(SnapshotARN(record.sourceARN) != nil, "iteration \(iteration): \(record.identity) records source \(record.sourceARN)")
        }
        for identity in desired {
            let live = try await workspace.live.snapshot(identity.target, region: identity.region)
            #expect(live?.status == "available", "iteration \(iteration): \(identity) is \(live?.status ?? "missing")")
        }
        for target in Self.taggedTargets {
            let arn = snapshotARN(target)
            #expect(try await workspace.live.tags(of: arn)["env"] == "new", "iteration \(iteration): \(target) kept its old tags")
        }
    }
}
