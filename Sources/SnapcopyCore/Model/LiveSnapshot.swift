import Foundation

/// A DB cluster snapshot as snapcopy sees it: the members of the API's `DBClusterSnapshot` that
/// something reads, with the status and type parsed, and its tags when they were looked up.
///
/// Built in one place, ``init(_:)`` from ``DBClusterSnapshotMembers``, for the live API and for
/// captured files alike.
public struct LiveSnapshot: Sendable, Hashable {
    public var identifier: String
    public var arn: SnapshotARN
    public var clusterIdentifier: String?
    public var status: SnapshotStatus
    public var percentProgress: Int?
    public var engine: String
    public var storageEncrypted: Bool
    public var kmsKeyID: String?
    public var type: SnapshotType
    public var createTime: Date?
    /// The snapshot this one was copied from, when the API says.
    public var sourceARN: String?
    /// The snapshot's tags; nil when they are unknown (not looked up, or a capture without `TagList`).
    public var tags: Tags?

    public init(
        identifier: String, arn: SnapshotARN, clusterIdentifier: String? = nil, status: SnapshotStatus = .available,
        percentProgress: Int? = 100, engine: String = LiveSnapshot.neptuneEngine, storageEncrypted: Bool = false,
        kmsKeyID: String? = nil, type: SnapshotType = .manual, createTime: Date? = nil, sourceARN: String? = nil,
        tags: Tags? = nil
    ) {
        self.identifier = identifier
        self.arn = arn
        self.clusterIdentifier = clusterIdentifier
        self.status = status
        self.percentProgress = percentProgress
        self.engine = engine
        self.storageEncrypted = storageEncrypted
        self.kmsKeyID = kmsKeyID
        self.type = type
        self.createTime = createTime
        self.sourceARN = sourceARN
        self.tags = tags
    }

    /// The `Engine` of Neptune snapshots.
    public static let neptuneEngine = "neptune"

    public var region: String { arn.region }
    public var account: String { arn.account }
    public var identity: CopyIdentity { CopyIdentity(region: region, target: identifier) }
    public var isAvailable: Bool { status.isAvailable }
    public var isInProgress: Bool { status.isInProgress }
    public var hasFailed: Bool { status.hasFailed }

    /// Whether the snapshot belongs to Neptune: the shared RDS endpoint also lists Aurora and DocumentDB ones.
    public var isNeptune: Bool { engine == Self.neptuneEngine }

    /// Whether this is a copy in progress that counts against its account's limit of copies in
    /// flight per region (the account's own snapshots only; shared ones are another account's).
    public var isCopyInFlight: Bool { status == .copying && !type.isForeign }

    /// The tags, or none when they are unknown.
    public var knownTags: Tags { tags ?? Tags() }
}
