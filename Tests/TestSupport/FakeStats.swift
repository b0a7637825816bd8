/// What a ``FakeNeptuneServer`` saw since it started or since ``FakeNeptuneServer/resetStats()``.
public struct FakeStats: Codable, Sendable, Equatable {
    /// AWS calls received (faulted ones included), by action.
    public var callsByAction: [String: Int]
    /// AWS calls received, by the region of their credential scope.
    public var callsByRegion: [String: Int]
    /// Region, then action.
    public var callsByRegionAndAction: [String: [String: Int]]
    /// Faults injected, by kind (`throttle`, `500`, `html500`, `503`, `reset`, `slow`).
    public var faultsInjected: [String: Int]
    /// Action, then kind.
    public var faultsInjectedByAction: [String: [String: Int]]
    /// Account, then region: the most snapshots ever `copying` at once.
    public var maxConcurrentCopies: [String: [String: Int]]
    /// Account, then region: snapshots `copying` now.
    public var copyingNow: [String: [String: Int]]
    /// `CopyDBClusterSnapshot` requests by lowercased target id, faulted or refused ones included.
    public var copyRequestsByTarget: [String: Int]
    /// Copies moto actually made, by lowercased target id: more than 1 means a copy was made twice.
    public var copiesCreatedByTarget: [String: Int]
    /// Copies refused with `SnapshotQuotaExceeded` because of `maxInflightCopies`.
    public var inflightQuotaRejections: Int
    /// The AWS calls signed with each access key ID, and when (first and last).
    public var accessKeys: [String: KeyUse]

    /// The calls signed with one access key: how many, and the first and last (Unix seconds).
    public struct KeyUse: Codable, Sendable, Equatable {
        public var calls: Int
        public var firstUse: Double
        public var lastUse: Double
    }

    /// Calls received for `action`.
    public func calls(_ action: String) -> Int {
        callsByAction[action, default: 0]
    }

    /// The most snapshots ever `copying` at once in one account and region.
    public func maxConcurrentCopies(
        account: String = FakeNeptuneServer.defaultAccount, region: String
    ) -> Int {
        maxConcurrentCopies[account]?[region] ?? 0
    }

    /// All faults injected, of every kind.
    public var totalFaultsInjected: Int {
        faultsInjected.values.reduce(0, +)
    }
}
