import Foundation
import Testing
@testable import SnapcopyCore

/// Apply in simulated time: copies that take hours, sit queued at 0 %, fail part-way, vanish,
/// share the per-region limit with others' copies, and runs that are re-run while copies are in
/// progress. Nothing here sleeps for real: the clock moves only when apply sleeps.
@Suite("apply in simulated hours")
struct SchedulerSimulationTests {
    static let hour = Duration.seconds(3600)

    func sources(_ count: Int) -> [LiveSnapshot] {
        (0..<count).map { snapshot(east, "src-\($0)") }
    }

    func copies(_ count: Int, prefix: String = "t") -> [DesiredCopy] {
        (0..<count).map { copy("\(prefix)-\($0)", from: .arn(arn(east, "src-\($0 % 50)")), to: west) }
    }

    @Test("40 copies under a limit of 5 while others' copies are in progress: never more than 5 in flight, no call refused")
    func fortyCopiesUnderTheLimit() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(50), timing: .init(queued: .seconds(600), duration: .seconds(1800)), environment: environment)
        await service.setMaximumCopying(5)
        for index in 0..<3 {
            await service.startForeignCopy("someone-else-\(index)", region: west, timing: .init(duration: Self.hour * 2))
        }
        let start = environment.clock.now
        let run = try await planAndApply(copies(40), service: service, environment: environment)
        #expect(run.result.succeeded, "\(run.result.failures)")
        #expect(run.result.created == 40)
        #expect(await service.copyCalls.count == 40, "a copy call was refused: the limit was exceeded")
        #expect(await service.maximumObservedCopying == 5)
        #expect(run.lock.records.count == 40 && run.lock.records.allSatisfy { $0.status == .available })
        let hours = environment.clock.now.timeIntervalSince(start) / 3600
        // 2 slots for the first 2 hours (4 copies of 40 min each ... ) then 5: about 6 h; far less than serial (26 h).
        #expect(hours > 4 && hours < 8, "took \(hours) simulated hours")
    }

    @Test("copies already in progress count once against the limit: 2 copying + 3 new start at once (defect 1)")
    func copiesInProgressAreCountedOnce() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(5), timing: .init(duration: Self.hour * 2), environment: environment)
        await service.setMaximumCopying(5)
        var options = ApplyOptions()
        options.wait = false
        let first = try await planAndApply(copies(2), service: service, options: options, environment: environment)
        #expect(first.result.stillCopying.count == 2)
        environment.clock.advance(by: .seconds(600))

        let second = try await planAndApply(copies(5), service: service, lock: first.lock, options: options, environment: environment)
        #expect(second.result.created == 3, "\(second.result.notStarted)")
        #expect(second.result.notStarted.isEmpty)
        #expect(second.result.stillCopying.count == 5)
        #expect(environment.sleeps.isEmpty, "--no-wait blocked waiting for a slot it had")
        #expect(!environment.events.contains { if case .waitingForSlot = $0 { true } else { false } })
    }

    @Test("5 copying and --max-inflight-copies 8: 3 more start at once (defect 1)")
    func aHigherLimitStartsMoreAtOnce() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(8), timing: .init(duration: Self.hour * 2), environment: environment)
        await service.setMaximumCopying(8)
        var options = ApplyOptions()
        options.wait = false
        options.maxInflightCopies = 8
        let first = try await planAndApply(copies(5), service: service, options: options, environment: environment)
        #expect(first.result.created == 5)
        let second = try await planAndApply(copies(8), service: service, lock: first.lock, options: options, environment: environment)
        #expect(second.result.created == 3)
        #expect(second.result.notStarted.isEmpty)
        #expect(await service.maximumObservedCopying == 8)
    }

    @Test("--no-wait with more copies than slots starts what fits and says the rest wait for a slot")
    func noWaitStartsWhatFits() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(7), timing: .init(duration: Self.hour), environment: environment)
        var options = ApplyOptions()
        options.wait = false
        let run = try await planAndApply(copies(7), service: service, options: options, environment: environment)
        #expect(run.result.created == 5)
        #expect(run.result.notStarted.count == 2)
        #expect(run.result.notStarted.allSatisfy { $0.reason == .waitingForSlot(AccountScope(region: west)) })
        #expect(run.result.succeeded)
        #expect(run.result.summaryLine.contains("5 still copying, 2 waiting for a free slot"))
        #expect(environment.sleeps.isEmpty)
    }

    @Test("a copy stuck at 0 % for hours: --wait-timeout runs out as a failure, everything recorded, and a later run finishes it without copying again")
    func stuckAtZeroThenTimeout() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(1), timing: .init(queued: Self.hour * 6, duration: Self.hour), environment: environment)
        var options = ApplyOptions()
        options.waitTimeout = Self.hour * 2
        let start = environment.clock.now
        let first = try await planAndApply(copies(1), service: service, options: options, environment: environment)
        #expect(!first.result.succeeded, "running out of --wait-timeout must fail")
        #expect(first.result.timedOut == Self.hour * 2)
        #expect(first.result.stillCopying == [.init(identity: CopyIdentity(region: west, target: "t-0"), percent: 0)])
        #expect(environment.clock.now.timeIntervalSince(start) == 7200, "it stopped at the deadline, not later")
        #expect(environment.percents(of: "t-0").isEmpty, "0 % is no progress to report")
        let record = try #require(first.lock.records.first)
        #expect(record.status == .copying && record.percentProgress == 0)
        #expect(record.progressSince == Timestamp.format(start), "no progress since the copy started")
        #expect(record.observedAt == Timestamp.format(start.addingTimeInterval(7200)))

        environment.clock.advance(by: Self.hour * 4)
        let second = try await planAndApply(copies(1), service: service, lock: first.lock, environment: environment)
        #expect(second.plan.changes.first?.action == .wait)
        #expect(second.result.succeeded && second.result.finished == 1)
        #expect(await service.copyCalls == ["t-0"])
        #expect(second.lock.records.first?.status == .available)
        #expect(second.lock.records.first?.progressSince == nil)
    }

    @Test("a chained copy starts once its upstream, made in the same run, is available, and records ARNs from its first write (defect 3)")
    func chainedAfterPendingUpstream() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(1), timing: .init(duration: Self.hour), environment: environment)
        let store = InMemoryLockStore()
        let chain = [copy("d1", from: .arn(arn(east, "src-0")), to: west), copy("d1-chained", from: .identifier("d1"), to: west)]
        let run = try await planAndApply(chain, service: service, environment: environment, store: store)
        #expect(run.result.succeeded && run.result.created == 2, "\(run.result.failures)")
        #expect(await service.copyCalls == ["d1", "d1-chained"])
        for saved in store.saved {
            for record in saved.records { #expect(SnapshotARN(record.sourceARN) != nil, "\(record.target) recorded source \(record.sourceARN)") }
        }
        let chained = try #require(run.lock.records.first { $0.target == "d1-chained" })
        #expect(chained.sourceARN == arn(west, "d1").description)
        #expect(chained.tags[TagRules.ownershipKey] == arn(west, "d1").description)

        let quiet = InMemoryLockStore()
        let again = try await planAndApply(chain, service: service, lock: run.lock, environment: environment, store: quiet)
        #expect(again.plan.isEmpty)
        #expect(quiet.saved.isEmpty, "a no-op apply rewrote the lock file")
        #expect(try again.lock.encoded() == (try run.lock.encoded()))
    }

    @Test("a chained copy whose upstream was already copying when apply began is started once it is available (defect 2)")
    func chainedAfterUpstreamFromEarlierRun() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(1), timing: .init(duration: Self.hour), environment: environment)
        let chain = [copy("d1", from: .arn(arn(east, "src-0")), to: west), copy("d1-chained", from: .identifier("d1"), to: west)]
        var noWait = ApplyOptions()
        noWait.wait = false
        let first = try await planAndApply(chain, service: service, options: noWait, environment: environment)
        #expect(first.result.created == 1)
        #expect(first.result.notStarted == [.init(identity: CopyIdentity(region: west, target: "d1-chained"),
                                                  reason: .waitingForSource(CopyIdentity(region: west, target: "d1")))])
        environment.clock.advance(by: .seconds(900))

        let second = try await planAndApply(chain, service: service, lock: first.lock, environment: environment)
        #expect(second.plan.changes.map(\.action) == [.wait, .create])
        #expect(second.result.succeeded && second.result.created == 1 && second.result.finished == 1, "\(second.result)")
        #expect(await service.copyCalls == ["d1", "d1-chained"])
        let third = try await planAndApply(chain, service: service, lock: second.lock, environment: environment)
        #expect(third.plan.isEmpty, "the next plan still wants \(third.plan.changes.filter(\.action.isChange).map(\.target))")
    }

    @Test("a chained copy whose upstream fails part-way is not started; the failed copy is recorded failed and planned for replacement")
    func chainedAfterFailedUpstream() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(1), timing: .init(duration: Self.hour), environment: environment)
        await service.setTiming(.init(duration: Self.hour, failsAt: 40), for: "d1")
        let chain = [copy("d1", from: .arn(arn(east, "src-0")), to: west), copy("d1-chained", from: .identifier("d1"), to: west)]
        let run = try await planAndApply(chain, service: service, environment: environment)
        #expect(!run.result.succeeded)
        #expect(run.result.failures.map(\.identity.target) == ["d1", "d1-chained"])
        #expect(run.result.failures[0].message.contains("ended in status failed"))
        #expect(run.result.failures[1].message.contains("its source d1 (us-west-2) failed"))
        #expect(await service.copyCalls == ["d1"])
        #expect(run.lock.records.map(\.status) == [.failed])
        let next = try await planAndApply(chain, service: service, lock: run.lock, options: {
            var options = ApplyOptions()
            options.allowReplace = true
            return options
        }(), environment: environment)
        #expect(next.plan.changes.map(\.action) == [.replace, .create])
    }

    @Test("a copy deleted out of band while copying fails visibly, and its chained copy is never started")
    func upstreamDeletedWhileCopying() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(1), timing: .init(duration: Self.hour), environment: environment)
        environment.at(.seconds(1200)) { await service.deleteOutOfBand(region: west, identifier: "d1") }
        let chain = [copy("d1", from: .arn(arn(east, "src-0")), to: west), copy("d1-chained", from: .identifier("d1"), to: west)]
        let run = try await planAndApply(chain, service: service, environment: environment)
        #expect(!run.result.succeeded)
        #expect(run.result.failures.first?.message.contains("disappeared while at 32%") == true, "\(run.result.failures)")
        #expect(run.result.failures.last?.identity.target == "d1-chained")
        #expect(await service.copyCalls == ["d1"])
        let next = try await planAndApply(chain, service: service, lock: run.lock, environment: environment)
        #expect(next.plan.changes.first?.action == .create, "the vanished copy is copied again")
    }

    @Test("SnapshotQuotaExceeded for copies in flight means waiting for a slot")
    func inFlightQuotaWaitsForASlot() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(6), timing: .init(duration: Self.hour), environment: environment)
        await service.setMaximumCopying(2)
        let run = try await planAndApply(copies(6), service: service, environment: environment)
        #expect(run.result.succeeded && run.result.created == 6, "\(run.result.failures)")
        #expect(await service.maximumObservedCopying == 2)
        let refused = await service.copyCalls.count - 6
        #expect(refused <= 3, "after the first refusals the learnt limit holds: \(refused) refused")
        #expect(run.lock.records.count == 6)
    }

    @Test("SnapshotQuotaExceeded with nothing in flight is the account's snapshot quota: the rest fail without more calls")
    func accountQuotaFailsTheRest() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(4) + [snapshot(west, "old-1"), snapshot(west, "old-2")], environment: environment)
        await service.setManualSnapshotQuota(2)
        var options = ApplyOptions()
        options.parallelism = 1
        let run = try await planAndApply(copies(4), service: service, options: options, environment: environment)
        #expect(run.result.failures.count == 4)
        #expect(run.result.failures.allSatisfy { $0.message.contains("manual snapshot quota in us-west-2 is reached (2 manual cluster snapshots there") })
        #expect(await service.copyCalls.count == 1, "one refusal (and a listing) is enough to know the rest would fail")
        #expect(run.lock.records.isEmpty)
    }

    @Test("SnapshotQuotaExceeded when others started copies since the plan is told apart by a listing, and waited out")
    func quotaFromCopiesStartedSinceThePlan() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount(sources(1), timing: .init(duration: Self.hour), environment: environment)
        await service.setMaximumCopying(2)
        let live = try await LiveStateLoader(service: service).load(copies: copies(1), records: [])
        let plan = Planner().plan(desired: ManifestSet(copies: copies(1), diagnostics: [], digest: "d"), live: live, lock: nil)
        // After the plan's listing, others start two copies: the plan knows of none in flight.
        await service.startForeignCopy("late-1", region: west, timing: .init(duration: Self.hour))
        await service.startForeignCopy("late-2", region: west, timing: .init(duration: Self.hour))
        var journal = Journal(lock: nil, store: InMemoryLockStore(), newLineage: "L")
        let result = await Applier(service: service, environment: environment, options: ApplyOptions()).apply(plan, live: live, journal: &journal)
        #expect(result.succeeded && result.created == 1, "\(result.failures)")
        #expect(await service.copyCalls == ["t-0", "t-0"], "refused once, then started when a slot freed")
        #expect(environment.events.contains(.waitingForSlot(AccountScope(region: west), inflight: 2)))
    }

    @Test("an interrupt at every step leaves a lock file from which a re-run converges, every copy made once")
    func interruptAtEveryStep() async throws {
        let scenario = InterruptScenario()
        let baseline = try await scenario.run(interruptAtCheck: nil)
        #expect(baseline.result.succeeded, "\(baseline.result.failures)")
        let steps = baseline.checks
        #expect(steps > 10, "only \(steps) steps")
        for step in 1...steps {
            let interrupted = try await scenario.run(interruptAtCheck: step)
            #expect(interrupted.result.interrupted, "step \(step)")
            for record in interrupted.lock.records {
                #expect(record.operation == nil || record.status == .pending, "step \(step): \(record.target) is \(record.status) with \(record.operation?.rawValue ?? "")")
            }
            let recorded = Set(interrupted.lock.records.map(\.identity))
            for made in await interrupted.service.snapshots where made.region == west && made.identifier != "tagged" {
                #expect(recorded.contains(made.identity), "step \(step): \(made.identity) exists but has no record")
            }
            interrupted.environment.clock.advance(by: .seconds(60))
            let rerun = try await planAndApply(scenario.copies, service: interrupted.service, lock: interrupted.lock,
                                               environment: SimulatedEnvironment(clock: interrupted.environment.clock))
            #expect(rerun.result.succeeded, "step \(step): \(rerun.result.failures)")
            let calls = await interrupted.service.copyCalls
            #expect(calls.sorted() == ["a", "b", "c", "chained"], "step \(step): copies made \(calls)")
            #expect(rerun.lock.records.count == 5 && rerun.lock.records.allSatisfy { $0.status == .available && $0.operation == nil },
                    "step \(step): \(rerun.lock.records.map { "\($0.target) \($0.status)" })")
            let tagged = await interrupted.service.snapshot(region: west, identifier: "tagged")
            #expect(tagged?.tags?["env"] == "new", "step \(step)")
        }
    }
}

/// Three copies (limit 2), a tag update and a chained copy, each copy taking 20 minutes.
struct InterruptScenario {
    let copies: [DesiredCopy] = ["a", "b", "c"].map { copy($0, from: .arn(arn(east, "src")), to: west) }
        + [copy("chained", from: .identifier("a"), to: west), copy("tagged", from: .arn(arn(east, "src")), to: west, tags: ["env": "new"])]

    struct Outcome {
        var result: ApplyResult
        var lock: LockFile
        var checks: Int
        var service: InMemorySnapshotService
        var environment: SimulatedEnvironment
    }

    func run(interruptAtCheck: Int?) async throws -> Outcome {
        let environment = SimulatedEnvironment()
        environment.interruptAtCheck = interruptAtCheck
        let service = simulatedAccount([snapshot(east, "src"), snapshot(west, "tagged", tags: owned(by: arn(east, "src"), ["env": "old"]))],
                                       timing: .init(duration: .seconds(1200)), environment: environment)
        let lock = LockFile(lineage: "L", serial: 1, records: [record("tagged", source: arn(east, "src"))])
        var options = ApplyOptions()
        options.maxInflightCopies = 2
        options.pollInterval = .seconds(300)
        let run = try await planAndApply(copies, service: service, lock: lock, options: options, environment: environment)
        return Outcome(result: run.result, lock: run.lock, checks: environment.checks, service: service, environment: environment)
    }
}
