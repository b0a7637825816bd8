import Foundation
import Testing
@testable import SnapcopyCore

/// Apply's effects recorded in memory: no clock, no disk.
final class RecordingEnvironment: ApplyEnvironment, @unchecked Sendable {
    private let lock = NSLock()
    private var _persisted: [LockFile] = []
    private var _events: [ApplyEvent] = []
    private var _sleeps = 0
    private var _interrupted = false
    /// Interrupt after this many sleeps (nil: never).
    var interruptAfterSleeps: Int?

    var persisted: [LockFile] { lock.withLock { _persisted } }
    var events: [ApplyEvent] { lock.withLock { _events } }
    var sleeps: Int { lock.withLock { _sleeps } }
    func interrupt() { lock.withLock { _interrupted = true } }

    func now() -> Date { Date(timeIntervalSince1970: 1_795_000_000) }
    func sleep(for duration: Duration) async throws {
        lock.withLock {
            _sleeps += 1
            if let limit = interruptAfterSleeps, _sleeps >= limit { _interrupted = true }
        }
    }
    func persist(_ lockFile: LockFile) throws { lock.withLock { _persisted.append(lockFile) } }
    var isInterrupted: Bool { lock.withLock { _interrupted } }
    func report(_ event: ApplyEvent) { lock.withLock { _events.append(event) } }
}

/// Plans `copies` against the in-memory account and applies the plan, as `snapcopy apply` does.
func planAndApply(
    _ copies: [DesiredCopy], service: InMemorySnapshotService, lock: LockFile? = nil, options: ApplyOptions = ApplyOptions(),
    environment: RecordingEnvironment = RecordingEnvironment()
) async throws -> (Plan, ApplyResult, LockFile) {
    let records = lock?.records ?? []
    let live = try await LiveStateLoader(service: service, parallelism: 4).load(copies: copies, records: records)
    let plan = Planner().plan(desired: ManifestSet(copies: copies, diagnostics: [], digest: "d"), live: live, lock: lock)
    try Applier.check(plan, options: options)
    let applier = Applier(service: service, environment: environment, options: options, lock: lock ?? LockFile(lineage: "L"))
    let (result, final) = await applier.apply(plan, live: live)
    return (plan, result, final)
}

@Suite struct ApplierTests {
    static let source = arn(east, "prod-1")

    func account(_ extra: [LiveSnapshot] = [], progress: Int = 100) -> InMemorySnapshotService {
        InMemorySnapshotService(snapshots: [snapshot(east, "prod-1", tags: ["owner": "graph"])] + extra, progressPerListing: progress)
    }

    @Test func createsJournalsFirstAndRecordsTheMergedTags() async throws {
        let service = account()
        let environment = RecordingEnvironment()
        let (_, result, lock) = try await planAndApply([copy(copyTags: true, tags: ["env": "prod"])], service: service, environment: environment)
        #expect(result.created == 1 && result.succeeded)
        let first = try #require(environment.persisted.first?.records.first)
        #expect(first.status == .pending && first.operation == .create && first.targetARN == nil, "the intent is written before the call")
        let record = try #require(lock.records.first)
        #expect(record.status == .available && record.operation == nil)
        #expect(record.targetARN == arn(west, "prod-dr").description)
        let expected: Tags = ["env": "prod", "owner": "graph", TagRules.ownershipKey: Self.source.description]
        #expect(record.tags == expected)
        #expect(await service.snapshot(region: west, identifier: "prod-dr")?.tags == expected)
        #expect(lock.serial == environment.persisted.count)
    }

    @Test func repairsTagsTheAccountDropped() async throws {
        let service = account()
        await service.setDropsTagsOnCopy(["env"])
        let (_, result, _) = try await planAndApply([copy(tags: ["env": "prod", "team": "a"])], service: service)
        #expect(result.succeeded)
        #expect(await service.calls.contains("addTags \(arn(west, "prod-dr")) env"))
        #expect(await service.snapshot(region: west, identifier: "prod-dr")?.tags["env"] == "prod")
    }

    @Test func secondApplyIsANoOpAndWritesNothing() async throws {
        let service = account()
        let (_, _, lock) = try await planAndApply([copy(tags: ["env": "prod"])], service: service)
        let environment = RecordingEnvironment()
        let (plan, result, again) = try await planAndApply([copy(tags: ["env": "prod"])], service: service, lock: lock, environment: environment)
        #expect(plan.isEmpty)
        #expect(result.unchanged == 1)
        #expect(environment.persisted.isEmpty, "a no-op apply must not write the lock file")
        #expect(again.encoded() == lock.encoded())
    }

    @Test func updatesTagsRemovingThenAdding() async throws {
        let service = account([snapshot(west, "prod-dr", tags: owned(by: Self.source, ["env": "dev", "old": "1"]))])
        let (_, result, lock) = try await planAndApply([copy(tags: ["env": "prod"])], service: service, lock: LockFile(lineage: "L", records: [record()]))
        #expect(result.tagsUpdated == 1)
        let calls = await service.calls.filter { $0.hasPrefix("removeTags") || $0.hasPrefix("addTags") }
        #expect(calls == ["removeTags \(arn(west, "prod-dr")) old", "addTags \(arn(west, "prod-dr")) env"])
        #expect(await service.snapshot(region: west, identifier: "prod-dr")?.tags == owned(by: Self.source, ["env": "prod"]))
        #expect(lock.records.first?.tags == owned(by: Self.source, ["env": "prod"]))
    }

    @Test func adoptsWithoutWriting() async throws {
        let service = account([snapshot(west, "prod-dr", tags: owned(by: Self.source))])
        let (_, result, lock) = try await planAndApply([copy()], service: service)
        #expect(result.adopted == 1)
        #expect(await service.calls.allSatisfy { $0.hasPrefix("list") || $0.hasPrefix("tags") })
        #expect(lock.records.map(\.target) == ["prod-dr"])
    }

    @Test func deletesAndForgetsDepartedEntries() async throws {
        let service = account([snapshot(west, "drop-me", tags: owned(by: Self.source)), snapshot(west, "keep-me", tags: owned(by: Self.source))])
        let lock = LockFile(lineage: "L", records: [record("drop-me", policy: .delete), record("keep-me")])
        let (_, result, final) = try await planAndApply([], service: service, lock: lock)
        #expect(result.deleted == 1 && result.forgotten == 1)
        #expect(final.records.isEmpty)
        #expect(await service.snapshot(region: west, identifier: "drop-me") == nil)
        #expect(await service.snapshot(region: west, identifier: "keep-me") != nil)
    }

    @Test func replaceNeedsPermissionAndThenDeletesAndCopies() async throws {
        let service = InMemorySnapshotService(snapshots: [snapshot(east, "prod-2"), snapshot(west, "prod-dr", tags: owned(by: Self.source))])
        let copies = [copy(from: .arn(arn(east, "prod-2")))]
        let lock = LockFile(lineage: "L", records: [record()])
        await #expect(throws: ApplyRefusal.self) { try await planAndApply(copies, service: service, lock: lock) }
        #expect(await service.calls.allSatisfy { !$0.hasPrefix("delete") && !$0.hasPrefix("copy") }, "a refused apply changes nothing")
        var options = ApplyOptions()
        options.allowReplace = true
        let (_, result, final) = try await planAndApply(copies, service: service, lock: lock, options: options)
        #expect(result.replaced == 1 && result.succeeded)
        #expect(final.records.first?.sourceARN == arn(east, "prod-2").description)
        let calls = await service.calls.filter { $0.hasPrefix("delete") || $0.hasPrefix("copy") }
        #expect(calls == ["delete prod-dr", "copy prod-dr"])
    }

    @Test func waitsWithProgressUntilAvailable() async throws {
        let service = account(progress: 25)
        let environment = RecordingEnvironment()
        let (_, result, lock) = try await planAndApply([copy()], service: service, environment: environment)
        #expect(result.succeeded && result.stillCopying.isEmpty)
        let percents = environment.events.compactMap { event -> Int? in
            if case .progress(_, let percent, _) = event { return percent }
            return nil
        }
        #expect(percents == [25, 50, 75, 100])
        #expect(lock.records.first?.status == .available)
        #expect(lock.records.first?.completedAt != nil)
        #expect(environment.sleeps == 4)
    }

    @Test func noWaitLeavesCopiesRecordedAsCopying() async throws {
        var options = ApplyOptions()
        options.wait = false
        let (_, result, lock) = try await planAndApply([copy()], service: account(progress: 10), options: options)
        #expect(result.stillCopying == [CopyIdentity(region: west, target: "prod-dr")])
        #expect(lock.records.first?.status == .copying)
        #expect(result.succeeded)
    }

    @Test func neverExceedsTheInFlightLimit() async throws {
        let sources = (0..<12).map { snapshot(east, "s\($0)") }
        let service = InMemorySnapshotService(snapshots: sources, progressPerListing: 50)
        var options = ApplyOptions()
        options.maxInflightCopies = 3
        let copies = (0..<12).map { copy("t\($0)", from: .arn(arn(east, "s\($0)"))) }
        let (_, result, lock) = try await planAndApply(copies, service: service, options: options)
        #expect(result.created == 12 && result.succeeded)
        #expect(await service.maximumObservedCopying == 3)
        #expect(lock.records.allSatisfy { $0.status == .available })
    }

    @Test func quotaExceededMeansWaitForASlot() async throws {
        let sources = (0..<6).map { snapshot(east, "s\($0)") }
        let service = InMemorySnapshotService(snapshots: sources, progressPerListing: 50)
        await service.setMaximumCopying(2)
        let copies = (0..<6).map { copy("t\($0)", from: .arn(arn(east, "s\($0)"))) }
        let (_, result, lock) = try await planAndApply(copies, service: service)
        #expect(result.created == 6 && result.succeeded, "\(result.failures)")
        #expect(await service.maximumObservedCopying == 2)
        #expect(lock.records.count == 6)
    }

    @Test func chainedCopyStartsAfterItsUpstreamIsAvailable() async throws {
        let service = account(progress: 50)
        let copies = [copy("mid", from: .arn(Self.source), to: west), copy("final", from: .arn(arn(west, "mid")), to: "eu-west-1")]
        let (plan, result, lock) = try await planAndApply(copies, service: service)
        #expect(plan.changes.map(\.target) == ["mid", "final"])
        #expect(result.created == 2 && result.succeeded, "\(result.failures)")
        let final = await service.snapshot(region: "eu-west-1", identifier: "final")
        #expect(final?.tags[TagRules.ownershipKey] == arn(west, "mid").description)
        #expect(lock.records.count == 2)
    }

    @Test func aDefiniteFailureIsReportedAndOthersStillRecorded() async throws {
        let service = InMemorySnapshotService(snapshots: [snapshot(east, "a"), snapshot(east, "b")])
        await service.fail("copy", with: SnapshotServiceError(.kmsKeyNotAccessible, "KMS key not accessible"))
        let (_, result, lock) = try await planAndApply([copy("ta", from: .arn(arn(east, "a"))), copy("tb", from: .arn(arn(east, "b")))], service: service)
        #expect(result.failures.count == 1 && result.created == 1)
        #expect(!result.succeeded)
        #expect(lock.records.count == 1, "the failed copy's pending record is withdrawn; the other is kept")
        #expect(lock.records.allSatisfy { $0.operation == nil })
    }

    @Test func anUnknownOutcomeKeepsThePendingRecordAndTheNextRunConverges() async throws {
        let service = account()
        await service.fail("copy", with: SnapshotServiceError(.other, "connection reset"))
        let (_, result, lock) = try await planAndApply([copy()], service: service)
        #expect(!result.succeeded)
        #expect(lock.records.first?.status == .pending)
        let (plan, again, final) = try await planAndApply([copy()], service: service, lock: lock)
        #expect(plan.changes.first?.action == .create)
        #expect(again.created == 1 && again.succeeded)
        #expect(final.records.first?.status == .available)
        #expect(await service.calls.filter { $0.hasPrefix("copy") }.count == 2)
    }

    @Test func aPendingCreateWhoseCopyExistsIsAdoptedNotCopiedTwice() async throws {
        let service = account([snapshot(west, "prod-dr", tags: owned(by: Self.source))])
        var pending = record()
        pending.status = .pending
        pending.operation = .create
        let (plan, result, final) = try await planAndApply([copy()], service: service, lock: LockFile(lineage: "L", records: [pending]))
        #expect(plan.changes.first?.action == .noop)
        #expect(result.succeeded)
        #expect(final.records.first?.status == .available && final.records.first?.operation == nil)
        #expect(await service.calls.allSatisfy { !$0.hasPrefix("copy") })
    }

    @Test func interruptStopsStartingNewWork() async throws {
        let environment = RecordingEnvironment()
        environment.interrupt()
        let (_, result, lock) = try await planAndApply([copy()], service: account(), environment: environment)
        #expect(result.interrupted && !result.succeeded)
        #expect(result.created == 0)
        #expect(lock.records.isEmpty)
    }

    @Test func summaryLine() {
        var result = ApplyResult()
        result.created = 3
        result.tagsUpdated = 1
        result.unchanged = 2
        #expect(result.summaryLine == "Apply complete: 3 created, 1 tags updated, 0 replaced, 0 deleted, 2 unchanged.")
    }
}

@Suite struct ApplierQuotaTests {
    @Test func theAccountSnapshotQuotaFailsTheRestWithoutCallingAgain() async throws {
        let sources = (0..<4).map { snapshot(east, "s\($0)") }
        let service = InMemorySnapshotService(snapshots: sources)
        await service.fail("copy", with: SnapshotServiceError(.quotaExceeded, "SnapshotQuotaExceeded"))
        var options = ApplyOptions()
        options.parallelism = 1
        let copies = (0..<4).map { copy("t\($0)", from: .arn(arn(east, "s\($0)"))) }
        let (_, result, lock) = try await planAndApply(copies, service: service, options: options)
        #expect(result.failures.count == 4)
        #expect(result.failures.first?.message.contains("snapshot quota") == true)
        #expect(await service.calls.filter { $0.hasPrefix("copy") }.count == 1, "one refusal is enough to know the rest would fail")
        #expect(lock.records.isEmpty)
    }

    @Test func aSavedPlanMadeBeforeTheLockFileExistedSaysSo() {
        let saved = makePlan([copy()], live: [snapshot(east, "prod-1")], records: nil)
        var now = saved
        now.inputs.lockLineage = "L"
        now.inputs.lockSerial = 1
        #expect(saved.staleness(against: now).first?.contains("the lock file was created since the plan was made") == true)
    }
}
