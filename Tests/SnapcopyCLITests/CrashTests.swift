import Foundation
import NeptuneAPI
import SnapcopyCore
import Testing
import TestSupport

private typealias Entry = ApplyManifest.Entry

private func snapshotARN(_ id: String, region: String = "us-east-1") -> String {
    ApplyWorkspace.snapshotARN(id, region: region)
}

/// `kill -9` of `snapcopy apply` at many points of a run: the journal in the lock file must let the
/// next apply converge, with every copy made exactly once and no record lost.
@Suite("apply killed at any point converges", .serialized, .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct CrashTests {
    /// Ten copies: seven within us-east-1, three to us-west-2.
    static let entries: [ApplyManifest.Entry] = (1...10).map { index in
        let target = String(format: "crash-%02d", index)
        return index <= 7
            ? Entry(source: "crash-src", target: target, tags: ["n": "\(index)"])
            : Entry(source: snapshotARN("crash-src"), target: target, region: "us-west-2", tags: ["n": "\(index)"])
    }
    static let regions = ["us-east-1", "us-west-2"]
    /// Kills wanted, at as many different points.
    static let iterations = 22
    static let requiredKills = 20
    /// Bounds the test's time when runs keep ending before their kill point.
    static let maximumIterations = 30

    /// Resets the server to the starting state every iteration shares.
    private func prepare(_ server: FakeNeptuneServer) async throws {
        try await server.reset()
        try await server.seedSources(["crash-src"], tags: ["team": "graph"])
        try await server.configure(FakeConfig(latencyMs: 30, copyingSeconds: 1))
    }

    @Test("after a SIGKILL at 22 points of a run, the lock file parses and a re-run converges with each copy made once")
    func killedAtManyPoints() async throws {
        let server = try await ApplyServers.crash()

        // Calibrate: how long a whole run takes here (the shorter of two, so kill points stay inside runs).
        var duration = Duration.seconds(3600)
        for _ in 0..<2 {
            try await prepare(server)
            duration = min(duration, try await withTemporaryDirectory(prefix: "snapcopy-crash") { directory in
                let workspace = try ApplyWorkspace(server: server, directory: directory)
                try workspace.write(ApplyManifest(Self.entries))
                let started = ContinuousClock.now
                let run = try await workspace.apply(timeout: .seconds(60))
                let duration = ContinuousClock.now - started
                try #require(run.exitCode == 0, "the uninterrupted run failed:\n\(run.stdout)\n\(run.stderr)")
                try await checkConverged(workspace, server, iteration: -1)
                return duration
            })
        }
        try #require(duration < .seconds(30), "a whole run took \(duration); the kill points would be too sparse")

        var kills = 0
        var iteration = 0
        while kills < Self.iterations && iteration < Self.maximumIterations {
            defer { iteration += 1 }
            // Kill points spread evenly over most of the run however many are taken (a golden-ratio
            // sequence), so kills land during start-up, planning, the journaled copy waves, tagging,
            // and the polling that follows copies to the end. A run that ends before its kill point
            // (the machine was faster than the calibration) does not count, and another point is tried.
            let fraction = (Double(iteration) * 0.618_033_988_75).truncatingRemainder(dividingBy: 1)
            let delay = duration * (0.02 + 0.86 * fraction)
            try await prepare(server)
            try await withTemporaryDirectory(prefix: "snapcopy-crash") { directory in
                let workspace = try ApplyWorkspace(server: server, directory: directory)
                try workspace.write(ApplyManifest(Self.entries))

                let victim = try workspace.launch(workspace.applyArguments(), name: "victim")
                try await Task.sleep(for: delay)
                victim.killNow()
                let killed = await victim.wait(timeout: .seconds(30))
                if killed.exitCode == 128 + SIGKILL { kills += 1 }

                try await checkJournal(workspace, iteration: iteration, delay: delay)

                let rerun = try await workspace.apply(timeout: .seconds(60))
                try #require(rerun.exitCode == 0, "iteration \(iteration) (killed after \(delay)): the re-run failed:\n\(rerun.stdout)\n\(rerun.stderr)")
                try await checkConverged(workspace, server, iteration: iteration)
            }
        }
        #expect(kills >= Self.requiredKills, "only \(kills) of \(iteration) runs were still running when killed")
    }

    /// Right after the kill: the lock file, if any, parses, and every copy that exists has a record
    /// (the intent was journaled before the call that made it).
    private func checkJournal(_ workspace: ApplyWorkspace, iteration: Int, delay: Duration) async throws {
        let lock: LockFile?
        do {
            lock = try workspace.lockFile()
        } catch {
            Issue.record("iteration \(iteration) (killed after \(delay)): the lock file does not parse: \(error)")
            return
        }
        let recorded = Set(lock?.records.map(\.identity) ?? [])
        for region in Self.regions {
            for identifier in try await workspace.live.identifiers(region: region) where identifier.hasPrefix("crash-") && identifier != "crash-src" {
                let identity = CopyIdentity(region: region, target: identifier)
                #expect(recorded.contains(identity), "iteration \(iteration) (killed after \(delay)): \(identity) exists but has no record")
            }
        }
    }

    /// Every desired copy exists exactly once, available, and has an available record; nothing else is recorded.
    private func checkConverged(_ workspace: ApplyWorkspace, _ server: FakeNeptuneServer, iteration: Int) async throws {
        let stats = try await server.stats()
        let expected = Dictionary(uniqueKeysWithValues: Self.entries.map { ($0.target, 1) })
        #expect(stats.copiesCreatedByTarget == expected, "iteration \(iteration): copies made \(stats.copiesCreatedByTarget)")
        let lock = try #require(try workspace.lockFile(), "iteration \(iteration): no lock file after the re-run")
        let desired = Self.entries.map { CopyIdentity(region: $0.region ?? "us-east-1", target: $0.target) }.sorted()
        #expect(lock.records.map(\.identity) == desired, "iteration \(iteration): records \(lock.records.map(\.identity))")
        for record in lock.records {
            #expect(record.status == .available && record.operation == nil && record.targetARN != nil,
                    "iteration \(iteration): \(record.identity) is \(record.status) \(record.operation?.rawValue ?? "")")
        }
        for identity in desired {
            let live = try await workspace.live.snapshot(identity.target, region: identity.region)
            #expect(live?.status == "available", "iteration \(iteration): \(identity) is \(live?.status ?? "missing")")
        }
    }
}
