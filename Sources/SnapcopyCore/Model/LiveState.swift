/// Everything known about live snapshots, indexed for the planner.
public struct LiveState: Sendable {
    public private(set) var snapshots: [LiveSnapshot] = []
    private var byARN: [String: Int] = [:]
    private var byRegionAndID: [String: [Int]] = [:]
    /// Regions the state covers: a target missing from a covered region does not exist.
    public private(set) var regions: Set<String> = []

    /// Builds an index of `snapshots`, keeping Neptune ones only.
    public init(_ snapshots: [LiveSnapshot] = [], regions: Set<String> = []) {
        self.regions = regions
        for snapshot in snapshots { insert(snapshot) }
    }

    /// Adds a snapshot; a later snapshot with the same ARN replaces the earlier one. Non-Neptune snapshots are ignored.
    public mutating func insert(_ snapshot: LiveSnapshot) {
        guard snapshot.isNeptune else { return }
        regions.insert(snapshot.region)
        let key = snapshot.arn.description.lowercased()
        if let existing = byARN[key] {
            snapshots[existing] = snapshot
            return
        }
        byARN[key] = snapshots.count
        byRegionAndID[Self.key(snapshot.region, snapshot.identifier), default: []].append(snapshots.count)
        snapshots.append(snapshot)
    }

    /// Records that `region` was described, even if nothing was found there.
    public mutating func markDescribed(_ region: String) {
        regions.insert(region)
    }

    public func snapshot(arn: SnapshotARN) -> LiveSnapshot? {
        byARN[arn.description.lowercased()].map { snapshots[$0] }
    }

    /// The snapshots called `identifier` in `region`, in any account; identifiers compare case-insensitively.
    public func snapshots(region: String, identifier: String) -> [LiveSnapshot] {
        (byRegionAndID[Self.key(region, identifier)] ?? []).map { snapshots[$0] }
    }

    /// The snapshot called `identifier` in `region`, preferring `account` when one is given.
    public func snapshot(region: String, identifier: String, account: String? = nil) -> LiveSnapshot? {
        let candidates = snapshots(region: region, identifier: identifier)
        if let account { return candidates.first { $0.account == account } }
        return candidates.first { $0.snapshotType != "shared" } ?? candidates.first
    }

    private static func key(_ region: String, _ identifier: String) -> String {
        "\(region)/\(identifier.lowercased())"
    }
}
