import Foundation
import Testing
@testable import SnapcopyCore

@Suite struct ApplierTests {
    static let source = arn(east, "prod-1")

    func account(_ extra: [LiveSnapshot] = [], timing: InMemorySnapshotService.CopyTiming = .instant,
                 environment: SimulatedEnvironment = SimulatedEnvironment()) -> InMemorySnapshotService {
        simulatedAccount([snapshot(east, "prod-1", tags: ["owner": "graph"])] + extra, timing: timing, environment: environment)
    }

    @Test func createsJournalsFirstAndRecordsTheMergedTags() async throws {
        let service = account()
        let store = InMemoryLockStore()
        let run = try await planAndApply([copy(copyTags: true, tags: ["env": "prod"])], service: service, store: store)
        #expect(run.result.created == 1 && run.result.succeeded)
        let first = try #require(store.saved.first?.records.first)
        #expect(first.status == .pending && first.operation == .create && first.targetARN == nil, "the intent is written before the call")
        let record = try #require(run.lock.records.first)
        #expect(record.status == .available && record.operation == nil)
        #expect(record.targetARN == arn(west, "prod-dr").description)
        let expected: Tags = ["env": "prod", "owner": "graph", TagRules.ownershipKey: Self.source.description]
        #expect(record.tags == expected)
        #expect(await service.snapshot(region: west, identifier: "prod-dr")?.tags == expected)
        #expect(run.lock.serial == store.saved.count)
    }

    @Test func repairsTagsTheAccountDropped() async throws {
        let service = account()
        await service.setDropsTagsOnCopy(["env"])
        let run = try await planAndApply([copy(tags: ["env": "prod", "team": "a"])], service: service)
        #expect(run.result.succeeded)
        #expect(await service.calls.contains("addTags \(arn(west, "prod-dr")) env"))
        #expect(await service.snapshot(region: west, identifier: "prod-dr")?.tags?["env"] == "prod")
        #expect(run.lock.records.first?.operation == nil && run.lock.records.first?.status == .available)
    }

    @Test func secondApplyIsANoOpAndWritesNothing() async throws {
        let service = account()
        let first = try await planAndApply([copy(tags: ["env": "prod"])], service: service)
        let store = InMemoryLockStore()
        let again = try await planAndApply([copy(tags: ["env": "prod"])], service: service, lock: first.lock, store: store)
        #expect(again.plan.isEmpty)
        #expect(again.result.unchanged == 1)
        #expect(store.saved.isEmpty, "a no-op apply must not write the lock file")
        #expect(try again.lock.encoded() == (try first.lock.encoded()))
    }

    @Test func updatesTagsRemovingThenAdding() async throws {
        let service = account([snapshot(west, "prod-dr", tags: owned(by: Self.source, ["env": "dev", "old": "1"]))])
        let run = try await planAndApply([copy(tags: ["env": "prod"])], service: service, lock: LockFile(lineage: "L", records: [record()]))
        #expect(run.result.tagsUpdated == 1)
        let calls = await service.calls.filter { $0.hasPrefix("removeTags") || $0.hasPrefix("addTags") }
        #expect(calls == ["removeTags \(arn(west, "prod-dr")) old", "addTags \(arn(west, "prod-dr")) env"])
        #expect(await service.snapshot(region: west, identifier: "prod-dr")?.tags == owned(by: Self.source, ["env": "prod"]))
        #expect(run.lock.records.first?.tags == owned(by: Self.source, ["env": "prod"]))
        #expect(run.lock.records.first?.status == .available && run.lock.records.first?.operation == nil)
    }

    @Test func adoptsWithoutWriting() async throws {
        let service = account([snapshot(west, "prod-dr", tags: owned(by: Self.source))])
        let run = try await planAndApply([copy()], service: service)
        #expect(run.result.adopted == 1)
        #expect(await service.writeCalls.isEmpty)
        #expect(run.lock.records.map(\.target) == ["prod-dr"])
    }

    @Test func deletesAndForgetsDepartedEntries() async throws {
        let service = account([snapshot(west, "drop-me", tags: owned(by: Self.source)), snapshot(west, "keep-me", tags: owned(by: Self.source))])
        let lock = LockFile(lineage: "L", records: [record("drop-me", policy: .delete), record("keep-me")])
        let run = try await planAndApply([], service: service, lock: lock)
        #expect(run.result.deleted == 1 && run.result.forgotten == 1)
        #expect(run.lock.records.isEmpty)
        #expect(await service.snapshot(region: west, identifier: "drop-me") == nil)
        #expect(await service.snapshot(region: west, identifier: "keep-me") != nil)
    }

    @Test func replaceNeedsPermissionAndThenDeletesAndCopies() async throws {
        let environment = SimulatedEnvironment()
        let service = simulatedAccount([snapshot(east, "prod-2"), snapshot(west, "prod-dr", tags: owned(by: Self.source))], environment: environment)
        let copies = [copy(from: .arn(arn(east, "prod-2")))]
        let lock = LockFile(lineage: "L", records: [record()])
        await #expect(throws: ApplyRefusal.self) { try await planAndApply(copies, service: service, lock: lock) }
        #expect(await service.writeCalls.isEmpty, "a refused apply changes nothing")
        var options = ApplyOptions()
        options.allowReplace = true
        let run = try await planAndApply(copies, service: service, lock: lock, options: options, environment: environment)
        #expect(run.result.replaced == 1 && run.result.succeeded, "\(run.result.failures)")
        #expect(run.lock.records.first?.sourceARN == arn(east, "prod-2").description)
        #expect(await service.writeCalls == ["delete prod-dr", "copy prod-dr"])
    }

    @Test func waitsWithProgressUntilAvailable() async throws {
        let environment = SimulatedEnvironment()
        let service = account(timing: .init(duration: .seconds(60)), environment: environment)
        let run = try await planAndApply([copy()], service: service, environment: environment)
        #expect(run.result.succeeded && run.result.stillCopying.isEmpty)
        #expect(environment.percents(of: "prod-dr") == [25, 50, 75, 100], "one listing every 15 s over a 60 s copy")
        #expect(run.lock.records.first?.status == .available)
        #expect(run.lock.records.first?.completedAt != nil)
        #expect(environment.sleeps.count == 4)
    }

    @Test func noWaitLeavesCopiesRecordedAsCopying() async throws {
        var options = ApplyOptions()
        options.wait = false
        let environment = SimulatedEnvironment()
        let run = try await planAndApply([copy()], service: account(timing: .init(duration: .seconds(600)), environment: environment),
                                         options: options, environment: environment)
        #expect(run.result.stillCopying.map(\.identity) == [CopyIdentity(region: west, target: "prod-dr")])
        #expect(run.lock.records.first?.status == .copying)
        #expect(run.lock.records.first?.observedAt != nil)
        #expect(run.result.succeeded)
        #expect(environment.sleeps.isEmpty, "--no-wait never sleeps")
    }

    @Test func aDefiniteFailureIsReportedAndOthersStillRecorded() async throws {
        let service = InMemorySnapshotService(snapshots: [snapshot(east, "a"), snapshot(east, "b")])
        await service.fail("copy", with: SnapshotServiceError(.kmsKeyNotAccessible, "KMS key not accessible"))
        let run = try await planAndApply([copy("ta", from: .arn(arn(east, "a"))), copy("tb", from: .arn(arn(east, "b")))], service: service)
        #expect(run.result.failures.count == 1 && run.result.created == 1)
        #expect(!run.result.succeeded)
        #expect(run.lock.records.count == 1, "the failed copy's pending record is withdrawn; the other is kept")
        #expect(run.lock.records.allSatisfy { $0.operation == nil })
    }

    @Test func anUnknownOutcomeKeepsThePendingRecordAndTheNextRunConverges() async throws {
        let service = account()
        await service.fail("copy", with: SnapshotServiceError(.other, "connection reset"))
        let first = try await planAndApply([copy()], service: service)
        #expect(!first.result.succeeded)
        #expect(first.lock.records.first?.status == .pending)
        let again = try await planAndApply([copy()], service: service, lock: first.lock)
        #expect(again.plan.changes.first?.action == .create)
        #expect(again.result.created == 1 && again.result.succeeded)
        #expect(again.lock.records.first?.status == .available)
        #expect(await service.copyCalls.count == 2)
    }

    @Test func aPendingCreateWhoseCopyExistsIsSettledNotCopiedTwice() async throws {
        let service = account([snapshot(west, "prod-dr", tags: owned(by: Self.source))])
        var pending = record()
        pending.status = .pending
        pending.operation = .create
        let run = try await planAndApply([copy()], service: service, lock: LockFile(lineage: "L", records: [pending]))
        #expect(run.plan.changes.first?.action == .noop)
        #expect(run.result.succeeded)
        #expect(run.lock.records.first?.status == .available && run.lock.records.first?.operation == nil)
        #expect(await service.copyCalls.isEmpty)
    }

    @Test func interruptStopsStartingNewWork() async throws {
        let environment = SimulatedEnvironment()
        environment.interrupt()
        let run = try await planAndApply([copy()], service: account(environment: environment), environment: environment)
        #expect(run.result.interrupted && !run.result.succeeded)
        #expect(run.result.created == 0)
        #expect(run.lock.records.isEmpty)
    }

    @Test func summaryLine() {
        var result = ApplyResult()
        result.created = 3
        result.tagsUpdated = 1
        result.unchanged = 2
        #expect(result.summaryLine == "Apply complete: 3 created, 1 tags updated, 0 replaced, 0 deleted, 2 unchanged.")
        result.timedOut = .seconds(7200)
        result.stillCopying = [.init(identity: CopyIdentity(region: west, target: "a"), percent: 40)]
        #expect(result.summaryLine == "Apply stopped waiting after 2h: 3 created, 1 tags updated, 0 replaced, 0 deleted, 2 unchanged, 1 still copying.")
        #expect(!result.succeeded)
    }
}

@Suite("write-ahead: no API write without its journal entry on disk")
struct WriteAheadTests {
    @Test("when the lock file cannot be written, no write call is made and apply fails saying where")
    func noWriteWhenTheJournalCannotBeSaved() async throws {
        let service = InMemorySnapshotService(snapshots: [snapshot(east, "prod-1"), snapshot(west, "tagged", tags: owned(by: arn(east, "prod-1"), ["env": "old"]))])
        let store = InMemoryLockStore()
        store.failSaves(with: "Permission denied")
        let lock = LockFile(lineage: "L", serial: 3, records: [record("tagged")])
        let run = try await planAndApply([copy(), copy("tagged", tags: ["env": "new"])], service: service, lock: lock, store: store)
        let writes = await service.writeCalls
        #expect(writes.isEmpty, "calls made: \(writes)")
        #expect(!run.result.succeeded)
        let message = run.result.failures.map(\.message).joined(separator: "\n")
        #expect(message.contains("the lock file <memory> could not be written (Permission denied)"))
        #expect(message.contains("fix:"))
        #expect(store.saved.isEmpty)
        #expect(run.lock == lock, "the journal holds what is on disk")
    }

    @Test("a journal that fails after some writes stops every write after it")
    func stopsWritingWhenTheJournalFailsLater() async throws {
        let sources = (0..<6).map { snapshot(east, "s\($0)") }
        let service = InMemorySnapshotService(snapshots: sources)
        let store = InMemoryLockStore()
        store.failSaves(with: "No space left on device", after: 1)
        var options = ApplyOptions()
        options.parallelism = 2
        let run = try await planAndApply((0..<6).map { copy("t\($0)", from: .arn(arn(east, "s\($0)"))) }, service: service, options: options, store: store)
        let copied = await service.copyCalls
        #expect(copied.count == 2, "only the first wave, whose intent was saved, was copied: \(copied)")
        for target in copied {
            #expect(store.saved.first?.records.contains { $0.target == target && $0.status == .pending } == true, "\(target) was journaled first")
        }
        #expect(!run.result.succeeded)
        #expect(run.result.failures.contains { $0.message.contains("No space left on device") })
    }

    @Test("begin leaves the journal unchanged when the save fails, and never makes the call")
    func beginThrowsAndRollsBack() throws {
        let store = InMemoryLockStore()
        store.failSaves(with: "Read-only file system")
        let original = LockFile(lineage: "L", serial: 1, records: [record()])
        var journal = Journal(lock: original, store: store, newLineage: "X")
        let change = PlannedChange(action: .create, region: west, target: "new", source: arn(east, "prod-1").description,
                                   after: SnapshotState(identifier: "new", region: west, sourceARN: arn(east, "prod-1").description))
        let write = ApplyWrite(change: change, scope: AccountScope(region: west), kind: .copy(CopyRequest(for: change, upstreamARN: nil)))
        #expect(throws: JournalError.self) { try journal.begin([write], at: Date()) }
        #expect(journal.lock == original)
        #expect(!journal.hasUnsavedChanges)
    }
}
