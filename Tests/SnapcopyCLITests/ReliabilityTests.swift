import Foundation
import SnapcopyCore
import Testing
import TestSupport

private typealias Entry = ApplyManifest.Entry

/// Concurrent applies and fault storms: the built binary against the fault-injecting fake.
///
/// The fault storm runs 24 copies here; `scripts/fault-storm` runs it with 200
/// (`SNAPCOPY_FAULT_STORM_COPIES`) and several seeds (`SNAPCOPY_FAULT_STORM_SEED`).
@Suite("concurrent applies and fault storms (built binary against fake_neptune)", .serialized,
       .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct ReliabilityTests {
    private func withWorkspace(_ body: (ApplyWorkspace, FakeNeptuneServer) async throws -> Void) async throws {
        let server = try await ApplyServers.reliability()
        try await withTemporaryDirectory(prefix: "snapcopy-reliability") { directory in
            try await body(try ApplyWorkspace(server: server, directory: directory), server)
        }
    }

    /// Starts `count` applies of the workspace's manifest at once and waits for all of them.
    private func applyAtOnce(_ count: Int, _ workspace: ApplyWorkspace, extra: [String] = [])
        async throws -> [(run: ApplyWorkspace.BackgroundRun, result: ProcessResult, endedAt: ContinuousClock.Instant)]
    {
        let runs = try (1...count).map { try workspace.launch(workspace.applyArguments(["copies.json"], extra), name: "apply-\($0)") }
        return await withTaskGroup(of: (Int, ProcessResult, ContinuousClock.Instant).self) { group in
            for (index, run) in runs.enumerated() {
                group.addTask {
                    let result = await run.wait(timeout: .seconds(240))
                    return (index, result, ContinuousClock.now)
                }
            }
            var ended: [(ApplyWorkspace.BackgroundRun, ProcessResult, ContinuousClock.Instant)] = []
            for await (index, result, instant) in group { ended.append((runs[index], result, instant)) }
            return ended
        }
    }

    @Test("8 applies started at once on one lock file: one proceeds, 7 fail fast naming it; with --lock-timeout all 8 finish and equal one apply")
    func eightConcurrentApplies() async throws {
        try await withWorkspace { workspace, server in
            try await server.seedSources(["race-src"])
            try await server.configure(FakeConfig(latencyMs: 100, copyingSeconds: 2))
            let targets = (1...4).map { "race-\($0)" }
            try workspace.write(ApplyManifest(targets.map { Entry(source: "race-src", target: $0) }))

            let first = try await applyAtOnce(8, workspace)
            let winners = first.filter { $0.result.exitCode == 0 }
            try #require(winners.count == 1, "\(first.map { "\($0.result.exitCode): \($0.result.stderr)" })")
            let winner = try #require(winners.first)
            #expect(winner.result.stdout.contains("Apply complete: 4 created"), "\(winner.result.stdout)")
            for loser in first where loser.result.exitCode != 0 {
                #expect(loser.result.exitCode == 1)
                #expect(loser.result.stderr.contains("another apply holds"), "\(loser.result.stderr)")
                #expect(loser.result.stderr.contains("pid \(winner.run.pid) "), "the refusal does not name the holder: \(loser.result.stderr)")
                #expect(loser.endedAt < winner.endedAt, "a refused apply waited for the holder to finish")
            }
            var stats = try await server.stats()
            #expect(stats.copiesCreatedByTarget == Dictionary(uniqueKeysWithValues: targets.map { ($0, 1) }))
            #expect(stats.copyRequestsByTarget.values.allSatisfy { $0 == 1 }, "\(stats.copyRequestsByTarget)")
            let afterOne = try #require(workspace.lockBytes())

            // With --lock-timeout they queue: one applies what changed, the others find nothing to do.
            try workspace.write(ApplyManifest((targets + ["race-5", "race-6"]).map { Entry(source: "race-src", target: $0) }))
            try await server.resetStats()
            let queued = try await applyAtOnce(8, workspace, extra: ["--lock-timeout", "120s"])
            #expect(queued.allSatisfy { $0.result.exitCode == 0 }, "\(queued.map { "\($0.result.exitCode): \($0.result.stderr)" })")
            let creators = queued.filter { $0.result.stdout.contains("Apply complete: 2 created") }
            #expect(creators.count == 1, "\(queued.map(\.result.stdout))")
            #expect(queued.filter { $0.result.stdout.contains("6 unchanged") }.count == 7, "\(queued.map(\.result.stdout))")
            stats = try await server.stats()
            #expect(stats.copiesCreatedByTarget == ["race-5": 1, "race-6": 1])
            let lock = try #require(try workspace.lockFile())
            #expect(lock.records.map(\.target).sorted() == (targets + ["race-5", "race-6"]).sorted())
            #expect(lock.records.allSatisfy { $0.status == .available })
            // Seven no-op applies after the one that changed something: the serial moved once more,
            // exactly as after a single apply.
            let before = try LockFile.decode(Array(afterOne), file: "before")
            #expect(lock.serial > before.serial)
            let once = try await workspace.apply()
            #expect(once.exitCode == 0 && once.stdout.contains("6 unchanged"), "\(once.stdout)")
            #expect(try workspace.lockFile()?.serial == lock.serial, "a further apply still had something to do")
        }
    }

    /// What the storm test runs: from the environment, so `scripts/fault-storm` can scale it.
    struct StormSettings {
        var copies = 24
        var seed = 1
        var regions = ["us-west-2", "eu-west-1"]

        static var current: StormSettings {
            var settings = StormSettings()
            let environment = ProcessInfo.processInfo.environment
            if let copies = environment["SNAPCOPY_FAULT_STORM_COPIES"].flatMap(Int.init), copies > 0 { settings.copies = copies }
            if let seed = environment["SNAPCOPY_FAULT_STORM_SEED"].flatMap(Int.init), seed >= 0 { settings.seed = seed }
            // At most 50 copies per region, well inside the manual snapshot quota of 100.
            let all = ["us-west-2", "eu-west-1", "us-east-2", "eu-central-1", "ap-southeast-2", "us-west-1"]
            settings.regions = Array(all.prefix(min(all.count, max(2, (settings.copies + 49) / 50))))
            return settings
        }
    }

    @Test("a fault storm (30 % throttling, 5 % 500s, 2 % lost responses, 0-2 s stalls) converges: every copy once, the lock file matches the account, retries reported")
    func faultStorm() async throws {
        let settings = StormSettings.current
        try await withWorkspace { workspace, server in
            let sources = (1...4).map { "storm-src-\($0)" }
            try await server.seedSources(sources)
            for region in settings.regions { try await server.seed(Seed(region: region)) }
            let entries = (0..<settings.copies).map { index in
                Entry(source: ApplyWorkspace.snapshotARN(sources[index % sources.count]), target: "storm-\(index)",
                      region: settings.regions[index % settings.regions.count], tags: ["storm": "\(settings.seed)"])
            }
            try workspace.write(ApplyManifest(entries))
            try await server.configure(FakeConfig(copyingSeconds: 1, faults: [
                FaultRule(.throttle, probability: 0.30),
                FaultRule(.internalFailure, probability: 0.05),
                FaultRule(.reset, probability: 0.02, phase: .after),
                FaultRule(.slow, probability: 0.10, delayMs: 0, maxDelayMs: 2_000),
            ], maxInflightCopies: 5, randomSeed: settings.seed))
            try await server.resetStats()

            let started = ContinuousClock.now
            var runs: [ProcessResult] = []
            // A run that gives up on a call (5 attempts failed) leaves the rest for the next: at most 4 runs.
            repeat {
                runs.append(try await workspace.apply(["copies.json"], ["--format", "json", "--parallelism", "8"], timeout: .seconds(900)))
            } while runs.last?.exitCode != 0 && runs.count < 4
            let elapsed = ContinuousClock.now - started
            let stats = try await server.stats()
            try await server.configure(FakeConfig())  // the checks below read without faults
            let last = try #require(runs.last)
            try #require(last.exitCode == 0, "no convergence in \(runs.count) runs: \(last.stderr.suffix(3_000))")

            // Every copy exists exactly once: one CopyDBClusterSnapshot that moto carried out per target.
            let expected = Dictionary(uniqueKeysWithValues: entries.map { ($0.target, 1) })
            #expect(stats.copiesCreatedByTarget == expected, "copies made more than once: \(stats.copiesCreatedByTarget.filter { $0.value != 1 })")
            #expect(stats.maxConcurrentCopies.values.flatMap(\.values).allSatisfy { $0 <= 5 }, "\(stats.maxConcurrentCopies)")

            // The run reports its retries, and they agree with the faults the fake injected.
            let reports = try runs.map { run in
                try JSONDecoder().decode(ApplyReport.self, from: Data(run.stdout.utf8))
            }
            let retries = reports.map(\.retries).reduce(0, +)
            let attempts = reports.flatMap { $0.calls.values }.reduce(0, +)
            let failing = stats.faultsInjected.filter { $0.key != "slow" }.values.reduce(0, +)
            #expect(attempts == stats.callsByAction.values.reduce(0, +), "the calls reported differ from the calls the fake received")
            #expect(retries > 0 && retries <= failing, "retries \(retries), failed attempts injected \(failing)")
            #expect(runs.allSatisfy { $0.stderr.contains("of them retries") }, "a run did not report its retries")

            // The lock file matches live state, copy by copy.
            let lock = try #require(try workspace.lockFile())
            #expect(lock.records.count == entries.count)
            for entry in entries {
                let region = try #require(entry.region)
                let record = try #require(lock.records.first { $0.target == entry.target && $0.region == region }, "no record of \(entry.target)")
                let live = try #require(try await workspace.live.snapshot(entry.target, region: region), "\(entry.target) is not in \(region)")
                #expect(record.status == .available && live.status == "available", "\(entry.target): \(record.status) / \(live.status ?? "-")")
                #expect(record.targetARN == live.arn, "\(entry.target): \(record.targetARN ?? "-") / \(live.arn ?? "-")")
                #expect(record.sourceARN == entry.source)
            }
            let line = "fault storm: \(entries.count) copies in \(settings.regions.count) regions, seed \(settings.seed): "
                + "\(runs.count) run(s), \(attempts) calls, \(retries) retries, faults injected: "
                + stats.faultsInjected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                + String(format: ", %.1f s", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            print(line)
            for (index, run) in runs.enumerated() where run.exitCode != 0 {
                let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.hasPrefix("snapcopy:") }
                print("  run \(index + 1) exited \(run.exitCode): \(errors.prefix(5).joined(separator: " | "))")
            }
            if let path = ProcessInfo.processInfo.environment["SNAPCOPY_FAULT_STORM_REPORT"] {
                try (line + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            }
        }
    }
}
