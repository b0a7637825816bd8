import Foundation
import Testing
@testable import SnapcopyCore

/// The state machine on its own: events in, actions out, no driver, no account.
@Suite struct ApplySchedulerTests {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    func plan(_ copies: [DesiredCopy], live: [LiveSnapshot], records: [LockRecord]? = nil) -> (Plan, LiveState) {
        let state = LiveState(live, regions: [east, west])
        let plan = Planner().plan(desired: ManifestSet(copies: copies, diagnostics: [], digest: "d"), live: state,
                                  lock: records.map { LockFile(lineage: "L", records: $0) })
        return (plan, state)
    }

    func writes(_ actions: [ApplyScheduler.Action]) -> [ApplyWrite] {
        actions.flatMap { action -> [ApplyWrite] in if case .perform(let writes) = action { writes } else { [] } }
    }

    @Test("the first actions start only as many copies as there are free slots, counting others' copies once")
    func startsWithinTheLimit() {
        let live = (0..<7).map { snapshot(east, "s\($0)") } + [snapshot(west, "theirs", status: "copying", percent: 10)]
        let (plan, state) = plan((0..<7).map { copy("t\($0)", from: .arn(arn(east, "s\($0)"))) }, live: live)
        var scheduler = ApplyScheduler(plan: plan, live: state, options: ApplyOptions(), now: Self.start)
        let actions = scheduler.start(at: Self.start)
        #expect(writes(actions).count == 4, "5 slots, one taken by someone else's copy")
        #expect(actions.contains(.report(.waitingForSlot(AccountScope(region: west), inflight: 5))))
        #expect(!actions.contains { if case .sleep = $0 { true } else { false } }, "never sleeps with calls in flight")
    }

    @Test("when the journal cannot be saved, the writes are failed, nothing new starts, and it finishes once calls return")
    func journalFailureStops() throws {
        let live = (0..<3).map { snapshot(east, "s\($0)") }
        let (plan, state) = plan((0..<3).map { copy("t\($0)", from: .arn(arn(east, "s\($0)"))) }, live: live)
        var options = ApplyOptions()
        options.parallelism = 2
        var scheduler = ApplyScheduler(plan: plan, live: state, options: options, now: Self.start)
        let first = writes(scheduler.start(at: Self.start))
        #expect(first.count == 2)
        let error = JournalError(location: "snapcopy.lock", detail: "Read-only file system")
        let after = scheduler.handle(.journalFailed(first, error), at: Self.start)
        #expect(writes(after).isEmpty, "nothing may start after the journal failed")
        guard case .finish(let result)? = after.last else {
            Issue.record("expected a finish, got \(after)")
            return
        }
        #expect(result.failures.count == 3, "\(result.failures)")
        #expect(result.failures.contains { $0.message.contains("Read-only file system") && $0.message.contains("fix:") })
        #expect(result.notStarted.map(\.identity.target) == ["t2"])
        #expect(!result.succeeded)
    }

    @Test("a listing issued before a copy call returned cannot show the copy; after that one miss may be lag, two are proof")
    func listingsThatCannotShowACopy() throws {
        let live = [snapshot(east, "s0"), snapshot(east, "s1")]
        let (plan, state) = plan([copy("t0", from: .arn(arn(east, "s0"))), copy("t1", from: .arn(arn(east, "s1")))], live: live)
        var options = ApplyOptions()
        options.parallelism = 2
        var scheduler = ApplyScheduler(plan: plan, live: state, options: options, now: Self.start)
        let started = writes(scheduler.start(at: Self.start))
        try #require(started.count == 2)
        let scope = AccountScope(region: west)
        func at(_ seconds: TimeInterval) -> Date { Self.start.addingTimeInterval(seconds) }
        func copying(_ id: String, _ percent: Int = 0) -> LiveSnapshot {
            LiveSnapshot(identifier: id, arn: arn(west, id), status: .copying, percentProgress: percent)
        }
        func failures(_ actions: [ApplyScheduler.Action]) -> [String] {
            actions.compactMap { if case .report(.failed(let identity, _)) = $0 { identity.target } else { nil } }
        }

        // t0 returns after the poll interval: a listing goes out while t1's copy call is still in flight.
        let first = scheduler.handle(.wrote(started[0], .succeeded(copying("t0"))), at: at(16))
        #expect(first.contains(.list(scope)), "\(first)")
        _ = scheduler.handle(.wrote(started[1], .succeeded(copying("t1"))), at: at(17))
        let early = scheduler.handle(.listed(scope, .success([copying("t0", 5)])), at: at(18))
        #expect(failures(early).isEmpty, "a listing older than the copy call failed it: \(early)")

        // The next listing misses t1 too: it may lag, so t1 is still followed.
        _ = scheduler.handle(.woke, at: at(40))
        let lagging = scheduler.handle(.listed(scope, .success([copying("t0", 30)])), at: at(41))
        #expect(failures(lagging).isEmpty, "one miss is not proof: \(lagging)")
        // It shows up: followed to the end.
        _ = scheduler.handle(.woke, at: at(60))
        let found = scheduler.handle(.listed(scope, .success([copying("t0", 60), copying("t1", 10)])), at: at(61))
        #expect(failures(found).isEmpty)

        // Two listings in a row without t0: gone.
        _ = scheduler.handle(.woke, at: at(80))
        let once = scheduler.handle(.listed(scope, .success([copying("t1", 40)])), at: at(81))
        #expect(failures(once).isEmpty)
        _ = scheduler.handle(.woke, at: at(100))
        let twice = scheduler.handle(.listed(scope, .success([copying("t1", 70)])), at: at(101))
        #expect(failures(twice) == ["t0"], "\(twice)")
    }

    @Test("an interrupt while copies are followed stops listings and sleeps, and finishes with them still copying")
    func interruptWhileWaiting() throws {
        let (plan, state) = plan([copy()], live: [snapshot(east, "prod-1")])
        var scheduler = ApplyScheduler(plan: plan, live: state, options: ApplyOptions(), now: Self.start)
        let started = writes(scheduler.start(at: Self.start))
        let copying = LiveSnapshot(identifier: "prod-dr", arn: arn(west, "prod-dr"), status: .copying, percentProgress: 0)
        let next = scheduler.handle(.wrote(try #require(started.first), .succeeded(copying)), at: Self.start)
        #expect(next.contains(.sleep(until: Self.start.addingTimeInterval(15))))
        let woke = scheduler.handle(.interrupted, at: Self.start.addingTimeInterval(3))
        #expect(woke.isEmpty, "asleep: nothing to do until the sleep returns")
        let end = scheduler.handle(.woke, at: Self.start.addingTimeInterval(3))
        #expect(!end.contains { if case .list = $0 { true } else { false } })
        guard case .finish(let result)? = end.last else {
            Issue.record("expected a finish, got \(end)")
            return
        }
        #expect(result.interrupted && result.stillCopying.map(\.identity.target) == ["prod-dr"])
        #expect(end.contains(.record([.stillInProgress([CopyIdentity(region: west, target: "prod-dr")])])))
    }
}

@Suite struct CancellerTests {
    func records() -> LockFile {
        var copying = record("slow")
        copying.status = .copying
        return LockFile(lineage: "L", serial: 2, records: [copying, record("done"), record("slow", region: east)])
    }

    @Test("targets resolve to one record each; unknown and ambiguous targets are refused before any call")
    func resolvesTargets() throws {
        #expect(try Canceller.records(for: ["SLOW"], region: west, in: records()).map(\.identity) == [CopyIdentity(region: west, target: "slow")])
        #expect(throws: Canceller.Refusal.self) { try Canceller.records(for: ["slow"], region: nil, in: records()) }
        #expect(throws: Canceller.Refusal.self) { try Canceller.records(for: ["nope"], region: nil, in: records()) }
    }

    @Test("a copy in progress is deleted through the journal; an available one is refused; the serial moves once per write")
    func cancelsThroughTheJournal() async throws {
        let service = InMemorySnapshotService(snapshots: [
            LiveSnapshot(identifier: "slow", arn: arn(west, "slow"), status: .copying, percentProgress: 40),
            snapshot(west, "done"),
        ])
        let store = InMemoryLockStore()
        var journal = Journal(lock: records(), store: store, newLineage: "X")
        let targets = try Canceller.records(for: ["slow", "done"], region: west, in: records())
        let outcomes = await Canceller(service: service).cancel(targets, journal: &journal, now: { Date(timeIntervalSince1970: 0) })
        #expect(outcomes.map(\.cancelled) == [true, false])
        #expect(outcomes[0].message.contains("copy cancelled at 40%"))
        #expect(outcomes[1].message.contains("is available, not copying"))
        #expect(await service.writeCalls == ["delete slow"])
        #expect(store.saved.map(\.serial) == [3, 4], "the intent, then the outcome")
        #expect(store.saved.first?.records.first { $0.target == "slow" && $0.region == west }?.operation == .delete)
        #expect(journal.lock.records.map(\.identity) == [CopyIdentity(region: east, target: "slow"), CopyIdentity(region: west, target: "done")])
    }

    @Test("no deletion when the intent cannot be saved")
    func noCancelWithoutTheJournal() async throws {
        let service = InMemorySnapshotService(snapshots: [LiveSnapshot(identifier: "slow", arn: arn(west, "slow"), status: .copying, percentProgress: 40)])
        let store = InMemoryLockStore()
        store.failSaves(with: "Permission denied")
        var journal = Journal(lock: records(), store: store, newLineage: "X")
        let targets = try Canceller.records(for: ["slow"], region: west, in: records())
        let outcomes = await Canceller(service: service).cancel(targets, journal: &journal, now: { Date() })
        #expect(outcomes.first?.cancelled == false)
        #expect(outcomes.first?.message.contains("Permission denied") == true)
        #expect(await service.writeCalls.isEmpty)
    }
}
