/// The account a call acts in: a region, reached with the default credentials or by assuming a role.
public struct AccountScope: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var region: String
    /// The role assumed for the call; nil for the default credentials.
    public var roleARN: String?

    public init(region: String, roleARN: String? = nil) {
        self.region = region
        self.roleARN = roleARN
    }

    public static func < (lhs: AccountScope, rhs: AccountScope) -> Bool {
        (lhs.region, lhs.roleARN ?? "") < (rhs.region, rhs.roleARN ?? "")
    }

    public var description: String { roleARN.map { "\(region) as \($0)" } ?? region }
}

/// What `CopyDBClusterSnapshot` needs, with the tag set already merged (the API does not merge
/// `CopyTags` with `Tags`: when `Tags` is non-empty it ignores `CopyTags`).
public struct CopyRequest: Sendable, Hashable, Codable {
    /// The source ARN (cross-region or cross-account) or identifier, as the manifest names it.
    public var source: String
    /// The source's ARN when known: what the lock file records.
    public var sourceARN: String?
    /// The source's region; a pre-signed URL is generated when it differs from the destination.
    public var sourceRegion: String
    public var target: String
    public var kmsKeyID: String?
    /// The complete tag set for the copy, including snapcopy's ownership tag.
    public var tags: Tags
    public var copyTags: Bool

    public init(source: String, sourceARN: String? = nil, sourceRegion: String, target: String, kmsKeyID: String?, tags: Tags, copyTags: Bool) {
        self.source = source
        self.sourceARN = sourceARN ?? SnapshotARN(source)?.description
        self.sourceRegion = sourceRegion
        self.target = target
        self.kmsKeyID = kmsKeyID
        self.tags = tags
        self.copyTags = copyTags
    }
}

extension CopyRequest {
    /// The copy call of a planned create: source, key and tags exactly as planned. For a chained
    /// copy whose upstream's ARN the plan could not know (its account was not known), the
    /// upstream's ARN, learnt once it exists, is recorded and put in the ownership tag.
    public init(for change: PlannedChange, upstreamARN: String?) {
        let sourceARN = change.after?.sourceARN ?? SnapshotARN(change.source)?.description ?? upstreamARN
        var tags = change.after?.tags ?? Tags()
        if tags[TagRules.ownershipKey] == nil, let sourceARN { tags[TagRules.ownershipKey] = sourceARN }
        self.init(source: change.source, sourceARN: sourceARN,
                  sourceRegion: SnapshotARN(change.source)?.region ?? change.region, target: change.target,
                  kmsKeyID: change.after?.kmsKeyID, tags: tags, copyTags: change.after?.copyTags ?? false)
    }
}

/// Why a service call failed, in the terms the planner and applier act on.
public struct SnapshotServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case notFound, alreadyExists, quotaExceeded, invalidState, kmsKeyNotAccessible, accessDenied, throttled, other
    }

    public var kind: Kind
    /// A sentence for people, with no secret in it.
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// The calls that only read an account: all `plan`, `drift` and `capture` are given, so they
/// cannot write by construction.
public protocol SnapshotReader: Sendable {
    /// Every cluster snapshot in the scope's region (all pages), shared ones too when asked.
    /// Tags are not filled in; other engines may be included (the caller filters them).
    func listSnapshots(in scope: AccountScope, includeShared: Bool) async throws -> [LiveSnapshot]
    /// The tags of a snapshot.
    func tags(of arn: String, in scope: AccountScope) async throws -> Tags
}

/// Every call snapcopy makes to an account, behind one protocol: the NeptuneAPI client in
/// production, an in-memory account in tests.
public protocol SnapshotService: SnapshotReader {
    /// Starts a copy and returns the new snapshot as the API first reports it.
    func copySnapshot(_ request: CopyRequest, in scope: AccountScope) async throws -> LiveSnapshot
    func addTags(_ tags: Tags, to arn: String, in scope: AccountScope) async throws
    func removeTags(_ keys: [String], from arn: String, in scope: AccountScope) async throws
    /// Deletes a snapshot (also the documented way to cancel a copy in progress).
    func deleteSnapshot(identifier: String, in scope: AccountScope) async throws
}
