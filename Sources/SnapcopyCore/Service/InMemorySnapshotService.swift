import Foundation

/// An account held in memory: the `SnapshotService` of unit tests and simulations.
///
/// Time comes from an injected clock, so copies can take simulated hours: a copy sits at 0 %
/// for its timing's `queued` time, then rises to 100 % over its `duration` (or ends `failed`
/// at `failsAt` percent). It enforces an in-flight copy limit and a manual snapshot quota per
/// region when told to, both answering `SnapshotQuotaExceeded` as the API does. Errors can be
/// scripted per operation, and snapshots changed out of band.
public actor InMemorySnapshotService: SnapshotService {
    /// How long copies take.
    public struct CopyTiming: Sendable, Equatable {
        /// Time spent at 0 % before progress starts (a queue).
        public var queued: Duration
        /// Time from 0 % to 100 %.
        public var duration: Duration
        /// Ends `failed` on reaching this percent (nil: never fails).
        public var failsAt: Int?

        public init(queued: Duration = .zero, duration: Duration = .zero, failsAt: Int? = nil) {
            self.queued = queued
            self.duration = duration
            self.failsAt = failsAt
        }

        /// Copies that are available as soon as they are made.
        public static let instant = CopyTiming()
    }

    private var store: [String: LiveSnapshot] = [:]
    private var progress: [String: (started: Date, timing: CopyTiming)] = [:]
    private let now: @Sendable () -> Date
    /// Every call made, as `operation target`, in order.
    public private(set) var calls: [String] = []
    /// The timing of new copies, unless ``timings`` names the target.
    public var copyTiming: CopyTiming
    /// Timings per target identifier (lower-case).
    public private(set) var timings: [String: CopyTiming] = [:]
    /// Errors to throw, consumed in order, keyed by operation name (`copy`, `list`, `tags`, `addTags`, `removeTags`, `delete`).
    public private(set) var scriptedErrors: [String: [SnapshotServiceError]] = [:]
    /// The API's limit of copies in flight per region (nil: none).
    public private(set) var maximumCopying: Int?
    /// The account's manual snapshot quota per region (nil: none).
    public private(set) var manualSnapshotQuota: Int?
    /// The most copies ever in flight at once in one region.
    public private(set) var maximumObservedCopying = 0
    /// Tag keys a copy loses on arrival, as some accounts drop or delay tags.
    public private(set) var droppedTagKeys: [String] = []
    /// Whether copy answers and listings carry each snapshot's tags, as RDS-family responses'
    /// `TagList` does (false: tags only through ``tags(of:in:)``, as Neptune's model documents).
    public private(set) var reportsTagLists = false
    let account: String

    /// An account holding `snapshots`, whose time is `now()`.
    public init(
        account: String = "123456789012", snapshots: [LiveSnapshot] = [], copyTiming: CopyTiming = .instant,
        now: @escaping @Sendable () -> Date = { Date(timeIntervalSince1970: 1_795_000_000) }
    ) {
        self.account = account
        self.copyTiming = copyTiming
        self.now = now
        for snapshot in snapshots {
            var stored = snapshot
            if stored.tags == nil { stored.tags = Tags() }
            store[snapshot.arn.description] = stored
        }
    }

    // MARK: - Set-up and out-of-band changes

    public func fail(_ operation: String, with errors: SnapshotServiceError...) {
        scriptedErrors[operation, default: []] += errors
    }

    public func setMaximumCopying(_ limit: Int?) { maximumCopying = limit }
    public func setManualSnapshotQuota(_ quota: Int?) { manualSnapshotQuota = quota }
    public func setDropsTagsOnCopy(_ keys: [String]) { droppedTagKeys = keys }
    public func setReportsTagLists(_ reports: Bool) { reportsTagLists = reports }
    public func setCopyTiming(_ timing: CopyTiming) { copyTiming = timing }
    public func setTiming(_ timing: CopyTiming, for target: String) { timings[target.lowercased()] = timing }

    /// Adds (or replaces) a snapshot, as another party would.
    public func put(_ snapshot: LiveSnapshot) {
        var stored = snapshot
        if stored.tags == nil { stored.tags = Tags() }
        store[snapshot.arn.description] = stored
        progress[snapshot.arn.description] = nil
    }

    /// Starts a copy in progress that someone else makes: it counts against the in-flight limit.
    public func startForeignCopy(_ identifier: String, region: String, timing: CopyTiming) {
        let arn = SnapshotARN(region: region, account: account, identifier: identifier.lowercased())
        store[arn.description] = LiveSnapshot(identifier: identifier.lowercased(), arn: arn, status: .copying, percentProgress: 0,
                                              createTime: now(), tags: Tags())
        progress[arn.description] = (now(), timing)
    }

    /// Deletes a snapshot behind snapcopy's back.
    public func deleteOutOfBand(region: String, identifier: String) {
        guard let existing = snapshot(region: region, identifier: identifier) else { return }
        store[existing.arn.description] = nil
        progress[existing.arn.description] = nil
    }

    /// The snapshot `identifier` in `region` now, with its tags.
    public func snapshot(region: String, identifier: String) -> LiveSnapshot? {
        advance()
        return store.values.first { $0.region == region && $0.identifier.lowercased() == identifier.lowercased() }
    }

    /// Every snapshot now, with tags.
    public var snapshots: [LiveSnapshot] {
        advance()
        return store.values.sorted { $0.arn.description < $1.arn.description }
    }

    // MARK: - SnapshotService

    public func listSnapshots(in scope: AccountScope, includeShared: Bool) async throws -> [LiveSnapshot] {
        calls.append("list \(scope.region)")
        try scripted("list")
        advance()
        return store.values.filter { $0.region == scope.region }.map { snapshot in
            var listed = snapshot
            if !reportsTagLists { listed.tags = nil }
            return listed
        }.sorted { $0.arn.description < $1.arn.description }
    }

    public func tags(of arn: String, in scope: AccountScope) async throws -> Tags {
        calls.append("tags \(arn)")
        try scripted("tags")
        guard let snapshot = store[arn] else { throw SnapshotServiceError(.notFound, "\(arn) not found") }
        return snapshot.knownTags
    }

    public func copySnapshot(_ request: CopyRequest, in scope: AccountScope) async throws -> LiveSnapshot {
        calls.append("copy \(request.target)")
        try scripted("copy")
        advance()
        if snapshot(region: scope.region, identifier: request.target) != nil {
            throw SnapshotServiceError(.alreadyExists, "DBClusterSnapshotAlreadyExistsFault: \(request.target) already exists")
        }
        let source = SnapshotARN(request.source).flatMap { store[$0.description] }
            ?? snapshot(region: scope.region, identifier: request.source)
        guard let source else { throw SnapshotServiceError(.notFound, "DBClusterSnapshotNotFoundFault: source \(request.source) not found") }
        guard source.isAvailable else {
            throw SnapshotServiceError(.invalidState, "InvalidDBClusterSnapshotStateFault: source \(request.source) is \(source.status)")
        }
        let inRegion = store.values.filter { $0.region == scope.region }
        let copying = inRegion.filter { $0.status == .copying }.count
        if let maximumCopying, copying >= maximumCopying {
            throw SnapshotServiceError(.quotaExceeded, "SnapshotQuotaExceeded: too many copies in progress")
        }
        if let manualSnapshotQuota, inRegion.filter({ $0.type == .manual }).count >= manualSnapshotQuota {
            throw SnapshotServiceError(.quotaExceeded, "SnapshotQuotaExceeded: the manual snapshot quota is reached")
        }
        let arn = SnapshotARN(region: scope.region, account: account, identifier: request.target.lowercased())
        var tags = request.tags
        if request.copyTags && request.tags.isEmpty { tags = source.knownTags }
        for key in droppedTagKeys { tags[key] = nil }
        let copy = LiveSnapshot(
            identifier: request.target.lowercased(), arn: arn, clusterIdentifier: source.clusterIdentifier, status: .copying,
            percentProgress: 0, storageEncrypted: source.storageEncrypted || request.kmsKeyID != nil,
            kmsKeyID: request.kmsKeyID ?? source.kmsKeyID, type: .manual, createTime: now(),
            sourceARN: source.arn.description, tags: tags)
        store[arn.description] = copy
        progress[arn.description] = (now(), timings[request.target.lowercased()] ?? copyTiming)
        advance()
        maximumObservedCopying = max(maximumObservedCopying, store.values.filter { $0.region == scope.region && $0.status == .copying }.count)
        var reported = store[arn.description] ?? copy
        if !reportsTagLists { reported.tags = nil }
        return reported
    }

    public func addTags(_ tags: Tags, to arn: String, in scope: AccountScope) async throws {
        calls.append("addTags \(arn) \(tags.keys.joined(separator: ","))")
        try scripted("addTags")
        guard var snapshot = store[arn] else { throw SnapshotServiceError(.notFound, "\(arn) not found") }
        snapshot.tags = snapshot.knownTags.merging(tags)
        store[arn] = snapshot
    }

    public func removeTags(_ keys: [String], from arn: String, in scope: AccountScope) async throws {
        calls.append("removeTags \(arn) \(keys.joined(separator: ","))")
        try scripted("removeTags")
        guard var snapshot = store[arn] else { throw SnapshotServiceError(.notFound, "\(arn) not found") }
        var tags = snapshot.knownTags
        for key in keys { tags[key] = nil }
        snapshot.tags = tags
        store[arn] = snapshot
    }

    public func deleteSnapshot(identifier: String, in scope: AccountScope) async throws {
        calls.append("delete \(identifier)")
        try scripted("delete")
        guard let existing = snapshot(region: scope.region, identifier: identifier) else {
            throw SnapshotServiceError(.notFound, "DBClusterSnapshotNotFoundFault: \(identifier) not found")
        }
        store[existing.arn.description] = nil
        progress[existing.arn.description] = nil
    }

    // MARK: - Time

    private func scripted(_ operation: String) throws {
        if var queue = scriptedErrors[operation], !queue.isEmpty {
            let error = queue.removeFirst()
            scriptedErrors[operation] = queue
            throw error
        }
    }

    /// Moves every copy in progress along its timing to the clock's time.
    private func advance() {
        let time = now()
        for (arn, clock) in progress {
            guard var snapshot = store[arn] else {
                progress[arn] = nil
                continue
            }
            let elapsed = time.timeIntervalSince(clock.started) - ApplyScheduler.seconds(clock.timing.queued)
            let total = ApplyScheduler.seconds(clock.timing.duration)
            let percent = elapsed < 0 ? 0 : (total <= 0 ? 100 : min(100, Int(elapsed / total * 100)))
            if let failsAt = clock.timing.failsAt, percent >= failsAt {
                snapshot.status = .failed
                snapshot.percentProgress = failsAt
                progress[arn] = nil
            } else if percent >= 100 {
                snapshot.status = .available
                snapshot.percentProgress = 100
                progress[arn] = nil
            } else {
                snapshot.percentProgress = percent
            }
            store[arn] = snapshot
        }
    }
}
