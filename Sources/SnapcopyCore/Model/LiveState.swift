import Foundation

/// Everything known about live snapshots, indexed for the planner.
public struct LiveState: Sendable {
    public private(set) var snapshots: [LiveSnapshot] = []
    private var byARN: [String: Int] = [:]
    /// The first snapshot of each region and identifier, and (rarely: other accounts) the later ones.
    private var byRegionAndID: [Place: Int] = [:]
    private var moreByRegionAndID: [Place: [Int]] = [:]
    /// Regions the state covers: a target missing from a covered region does not exist; in a
    /// region not covered, nothing is known.
    public private(set) var regions: Set<String> = []
    /// The copies in flight each listed scope saw (its own account's, `copying`).
    private var inFlightByScope: [AccountScope: Set<CopyIdentity>] = [:]
    /// When the state was observed, when known (a capture's `CapturedAt`).
    public var capturedAt: Date?

    /// Builds an index of `snapshots`, keeping Neptune ones only. `regions` are the regions
    /// described completely; nil means the regions of `snapshots`.
    public init(_ snapshots: [LiveSnapshot] = [], regions: Set<String>? = nil) {
        self.regions = regions ?? Set(snapshots.map(\.region))
        insert(contentsOf: snapshots)
    }

    /// Adds snapshots as ``insert(_:)`` adds each. Into an empty state, a list of distinct Neptune
    /// snapshots (a capture, a listing) is indexed where it stands instead of copied one by one.
    public mutating func insert(contentsOf list: [LiveSnapshot]) {
        if snapshots.isEmpty && byARN.isEmpty {
            byARN.reserveCapacity(list.count)
            byRegionAndID.reserveCapacity(list.count)
            var distinct = true
            for (position, snapshot) in list.enumerated() {
                guard snapshot.isNeptune, byARN.updateValue(position, forKey: Self.key(snapshot.arn)) == nil else {
                    distinct = false
                    break
                }
                index(snapshot, at: position)
            }
            if distinct {
                snapshots = list
                return
            }
            byARN = [:]
            byRegionAndID = [:]
            moreByRegionAndID = [:]
        }
        snapshots.reserveCapacity(snapshots.count + list.count)
        for snapshot in list { insert(snapshot) }
    }

    /// Adds a snapshot; a later snapshot with the same ARN replaces the earlier one. Non-Neptune
    /// snapshots are ignored. It does not mark the region described: see ``markDescribed(_:)``.
    public mutating func insert(_ snapshot: LiveSnapshot) {
        guard snapshot.isNeptune else { return }
        let key = Self.key(snapshot.arn)
        if let existing = byARN[key] {
            snapshots[existing] = snapshot
            return
        }
        byARN[key] = snapshots.count
        index(snapshot, at: snapshots.count)
        snapshots.append(snapshot)
    }

    /// Indexes the snapshot at `position` by region and identifier.
    private mutating func index(_ snapshot: LiveSnapshot, at position: Int) {
        let place = Place(snapshot.region, snapshot.identifier)
        if byRegionAndID[place] == nil {
            byRegionAndID[place] = position
        } else {
            moreByRegionAndID[place, default: []].append(position)
        }
    }

    /// Changes every snapshot in place (tags looked up later); identities and ARNs must not change.
    public mutating func updateSnapshots(_ body: (inout LiveSnapshot) -> Void) {
        for index in snapshots.indices { body(&snapshots[index]) }
    }

    /// Records that `region` was described, even if nothing was found there.
    public mutating func markDescribed(_ region: String) {
        regions.insert(region)
    }

    /// Records what the listing of `scope` saw: its region is described, and its copies in flight are known.
    public mutating func markListed(_ scope: AccountScope, snapshots listed: [LiveSnapshot]) {
        regions.insert(scope.region)
        inFlightByScope[scope, default: []].formUnion(listed.filter { $0.isNeptune && $0.isCopyInFlight }.map(\.identity))
    }

    /// Whether the state covers `region`.
    public func covers(_ region: String) -> Bool { regions.contains(region) }

    /// The copies in flight in `scope`'s account and region: as its listing saw them, or (for a
    /// state built without listings) every copy in flight in the region of the role's account,
    /// or of any account when no role is named.
    public func copiesInFlight(in scope: AccountScope) -> Set<CopyIdentity> {
        if let seen = inFlightByScope[scope] { return seen }
        let account = scope.roleARN.flatMap { DesiredCopy.account(ofRole: $0) }
        return Set(snapshots.filter { snapshot in
            snapshot.region == scope.region && snapshot.isCopyInFlight && (account == nil || snapshot.account == account)
        }.map(\.identity))
    }

    public func snapshot(arn: SnapshotARN) -> LiveSnapshot? {
        byARN[Self.key(arn)].map { snapshots[$0] }
    }

    /// The snapshots called `identifier` in `region`, in any account; identifiers compare case-insensitively.
    public func snapshots(region: String, identifier: String) -> [LiveSnapshot] {
        let place = Place(region, identifier)
        guard let first = byRegionAndID[place] else { return [] }
        return [snapshots[first]] + (moreByRegionAndID[place] ?? []).map { snapshots[$0] }
    }

    /// The first of the snapshots called `identifier` in `region` that satisfies `predicate`,
    /// in the order of ``snapshots(region:identifier:)``, without making that list.
    public func firstSnapshot(region: String, identifier: String, where predicate: (LiveSnapshot) -> Bool) -> LiveSnapshot? {
        let place = Place(region, identifier)
        guard let first = byRegionAndID[place] else { return nil }
        if predicate(snapshots[first]) { return snapshots[first] }
        for position in moreByRegionAndID[place] ?? [] where predicate(snapshots[position]) { return snapshots[position] }
        return nil
    }

    /// The snapshot called `identifier` in `region`, preferring `account` when one is given.
    public func snapshot(region: String, identifier: String, account: String? = nil) -> LiveSnapshot? {
        if let account { return firstSnapshot(region: region, identifier: identifier) { $0.account == account } }
        return firstSnapshot(region: region, identifier: identifier) { !$0.type.isForeign }
            ?? firstSnapshot(region: region, identifier: identifier) { _ in true }
    }

    /// A region and an identifier, compared case-insensitively (as the API compares identifiers).
    private struct Place: Hashable {
        var region: String
        var identifier: String

        init(_ region: String, _ identifier: String) {
            self.region = region
            self.identifier = identifier.lowercasedCheaply
        }
    }

    private static func key(_ arn: SnapshotARN) -> String {
        arn.description.lowercasedCheaply
    }

}
