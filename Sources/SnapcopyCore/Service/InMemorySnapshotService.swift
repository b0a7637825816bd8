import Foundation

/// An account held in memory: the `SnapshotService` tests and dry runs use.
///
/// Copies start in `copying` and advance by `progressPerListing` percent on every listing of their
/// region, so waiting can be exercised without a clock; errors can be scripted per operation.
public actor InMemorySnapshotService: SnapshotService {
    public private(set) var snapshots: [String: LiveSnapshot] = [:]
    /// Every call made, as `Operation target`, in order.
    public private(set) var calls: [String] = []
    /// How far a copy advances per listing of its region (100 makes copies finish at the first listing).
    public var progressPerListing: Int
    /// Errors to throw, consumed in order, keyed by operation name (`copy`, `list`, `tags`, `addTags`, `removeTags`, `delete`).
    public var scriptedErrors: [String: [SnapshotServiceError]] = [:]
    /// Simulates the API's in-flight copy limit per region (nil: none).
    public var maximumCopying: Int?
    public private(set) var maximumObservedCopying = 0
    /// Tag keys a copy loses on arrival, as some accounts drop or delay tags.
    public private(set) var droppedTagKeys: [String] = []
    let account: String

    public init(account: String = "123456789012", snapshots: [LiveSnapshot] = [], progressPerListing: Int = 100) {
        self.account = account
        self.progressPerListing = progressPerListing
        for snapshot in snapshots { self.snapshots[snapshot.arn.description] = snapshot }
    }

    public func fail(_ operation: String, with errors: SnapshotServiceError...) {
        scriptedErrors[operation, default: []] += errors
    }

    public func setMaximumCopying(_ limit: Int?) { maximumCopying = limit }
    public func setDropsTagsOnCopy(_ keys: [String]) { droppedTagKeys = keys }

    private func scripted(_ operation: String) throws {
        if var queue = scriptedErrors[operation], !queue.isEmpty {
            let error = queue.removeFirst()
            scriptedErrors[operation] = queue
            throw error
        }
    }

    public func snapshot(region: String, identifier: String) -> LiveSnapshot? {
        snapshots.values.first { $0.region == region && $0.identifier.lowercased() == identifier.lowercased() }
    }

    public func listSnapshots(in scope: AccountScope, includeShared: Bool) async throws -> [LiveSnapshot] {
        calls.append("list \(scope.region)")
        try scripted("list")
        for (arn, snapshot) in snapshots where snapshot.region == scope.region && snapshot.status == "copying" {
            var advanced = snapshot
            let percent = min(100, (snapshot.percentProgress ?? 0) + progressPerListing)
            advanced.percentProgress = percent
            if percent >= 100 { advanced.status = "available" }
            snapshots[arn] = advanced
        }
        return snapshots.values.filter { $0.region == scope.region }.map { snapshot in
            var listed = snapshot
            listed.tags = Tags()
            return listed
        }.sorted { $0.arn.description < $1.arn.description }
    }

    public func tags(of arn: String, in scope: AccountScope) async throws -> Tags {
        calls.append("tags \(arn)")
        try scripted("tags")
        guard let snapshot = snapshots[arn] else { throw SnapshotServiceError(.notFound, "\(arn) not found") }
        return snapshot.tags
    }

    public func copySnapshot(_ request: CopyRequest, in scope: AccountScope) async throws -> LiveSnapshot {
        calls.append("copy \(request.target)")
        try scripted("copy")
        if snapshot(region: scope.region, identifier: request.target) != nil {
            throw SnapshotServiceError(.alreadyExists, "\(request.target) already exists")
        }
        let source = SnapshotARN(request.source).flatMap { snapshots[$0.description] }
            ?? snapshot(region: scope.region, identifier: request.source)
        guard let source, source.isAvailable else { throw SnapshotServiceError(.notFound, "source \(request.source) not found or not available") }
        let copying = snapshots.values.filter { $0.region == scope.region && $0.status == "copying" }.count
        if let maximumCopying, copying >= maximumCopying {
            throw SnapshotServiceError(.quotaExceeded, "SnapshotQuotaExceeded: too many copies in progress")
        }
        let arn = SnapshotARN(region: scope.region, account: account, identifier: request.target.lowercased())
        var tags = request.tags
        if request.copyTags && request.tags.isEmpty { tags = source.tags }
        for key in droppedTagKeys { tags[key] = nil }
        let copy = LiveSnapshot(
            identifier: request.target.lowercased(), arn: arn, status: progressPerListing >= 100 ? "available" : "copying",
            percentProgress: progressPerListing >= 100 ? 100 : 0, storageEncrypted: source.storageEncrypted || request.kmsKeyID != nil,
            kmsKeyID: request.kmsKeyID ?? source.kmsKeyID, snapshotType: "manual", createTime: Date(timeIntervalSince1970: 1_790_000_000),
            sourceARN: nil, tags: tags)
        snapshots[arn.description] = copy
        maximumObservedCopying = max(maximumObservedCopying, copying + (copy.status == "copying" ? 1 : 0))
        var reported = copy
        reported.tags = Tags()
        return reported
    }

    public func addTags(_ tags: Tags, to arn: String, in scope: AccountScope) async throws {
        calls.append("addTags \(arn) \(tags.keys.joined(separator: ","))")
        try scripted("addTags")
        guard var snapshot = snapshots[arn] else { throw SnapshotServiceError(.notFound, "\(arn) not found") }
        snapshot.tags.merge(tags)
        snapshots[arn] = snapshot
    }

    public func removeTags(_ keys: [String], from arn: String, in scope: AccountScope) async throws {
        calls.append("removeTags \(arn) \(keys.joined(separator: ","))")
        try scripted("removeTags")
        guard var snapshot = snapshots[arn] else { throw SnapshotServiceError(.notFound, "\(arn) not found") }
        for key in keys { snapshot.tags[key] = nil }
        snapshots[arn] = snapshot
    }

    public func deleteSnapshot(identifier: String, in scope: AccountScope) async throws {
        calls.append("delete \(identifier)")
        try scripted("delete")
        guard let existing = snapshot(region: scope.region, identifier: identifier) else {
            throw SnapshotServiceError(.notFound, "\(identifier) not found")
        }
        snapshots[existing.arn.description] = nil
    }
}
