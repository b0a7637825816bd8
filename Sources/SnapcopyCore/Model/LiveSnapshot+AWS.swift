import Foundation

/// The members of the API's `DBClusterSnapshot` that snapcopy reads, every one optional, as the
/// live API (XML) or a captured `describe-db-cluster-snapshots` (JSON) gives them.
public struct DBClusterSnapshotMembers: Sendable, Hashable {
    /// `DBClusterSnapshotIdentifier`
    public var identifier: String?
    /// `DBClusterSnapshotArn`
    public var arn: String?
    /// `DBClusterIdentifier`
    public var clusterIdentifier: String?
    /// `Status`
    public var status: String?
    /// `PercentProgress`
    public var percentProgress: Int?
    /// `Engine`
    public var engine: String?
    /// `StorageEncrypted`
    public var storageEncrypted: Bool?
    /// `KmsKeyId`
    public var kmsKeyID: String?
    /// `SnapshotType`
    public var snapshotType: String?
    /// `SnapshotCreateTime`
    public var createTime: Date?
    /// `SourceDBClusterSnapshotArn`
    public var sourceARN: String?
    /// `TagList` (not in Neptune's describe responses; captures may add it). Nil: unknown.
    public var tags: Tags?

    public init(
        identifier: String? = nil, arn: String? = nil, clusterIdentifier: String? = nil, status: String? = nil,
        percentProgress: Int? = nil, engine: String? = nil, storageEncrypted: Bool? = nil, kmsKeyID: String? = nil,
        snapshotType: String? = nil, createTime: Date? = nil, sourceARN: String? = nil, tags: Tags? = nil
    ) {
        self.identifier = identifier
        self.arn = arn
        self.clusterIdentifier = clusterIdentifier
        self.status = status
        self.percentProgress = percentProgress
        self.engine = engine
        self.storageEncrypted = storageEncrypted
        self.kmsKeyID = kmsKeyID
        self.snapshotType = snapshotType
        self.createTime = createTime
        self.sourceARN = sourceARN
        self.tags = tags
    }
}

/// Why an API snapshot cannot be used.
public struct SnapshotShapeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The member at fault (`DBClusterSnapshotArn`), when one is.
    public var member: String?
    public var message: String

    public init(member: String?, _ message: String) {
        self.member = member
        self.message = message
    }

    public var description: String { message }
}

extension LiveSnapshot {
    /// Maps the AWS shape, with its defaults in this one place: a missing `Status` reads as
    /// `available`, `Engine` as `neptune`, `StorageEncrypted` as false, `SnapshotType` as manual,
    /// the identifier as the ARN's; an empty `SourceDBClusterSnapshotArn` as none.
    /// - Throws: when the ARN (which gives the region and account) is missing or malformed.
    public init(_ members: DBClusterSnapshotMembers) throws(SnapshotShapeError) {
        // Named only in an error: not written out for every snapshot read.
        var name: String { members.identifier.map { "\"\($0)\"" } ?? "without an identifier" }
        guard let text = members.arn, !text.isEmpty else {
            throw SnapshotShapeError(member: "DBClusterSnapshotArn",
                                     "the snapshot \(name) has no DBClusterSnapshotArn; the region and account come from it")
        }
        let arn: SnapshotARN
        switch SnapshotARN.parse(text) {
        case .success(let parsed): arn = parsed
        case .failure(let error):
            throw SnapshotShapeError(member: "DBClusterSnapshotArn", "the snapshot \(name) has an unusable ARN: \(error.message)")
        }
        let identifier = members.identifier.flatMap { $0.isEmpty ? nil : $0 } ?? arn.identifier
        self.init(
            identifier: identifier, arn: arn, clusterIdentifier: members.clusterIdentifier,
            status: members.status.map(SnapshotStatus.init) ?? .available, percentProgress: members.percentProgress,
            engine: members.engine ?? Self.neptuneEngine, storageEncrypted: members.storageEncrypted ?? false,
            kmsKeyID: members.kmsKeyID.flatMap { $0.isEmpty ? nil : $0 },
            type: SnapshotType(members.snapshotType, identifier: identifier), createTime: members.createTime,
            sourceARN: members.sourceARN.flatMap { $0.isEmpty ? nil : $0 }, tags: members.tags)
    }
}
