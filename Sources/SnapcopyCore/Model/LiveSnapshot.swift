import Foundation

/// A DB cluster snapshot as the API describes it, with its tags.
///
/// Mirrors the members of `DBClusterSnapshot` in the Neptune API model.
public struct LiveSnapshot: Sendable, Hashable, Codable {
    public var identifier: String
    public var arn: SnapshotARN
    public var clusterIdentifier: String?
    public var status: String
    public var percentProgress: Int?
    public var engine: String
    public var engineVersion: String?
    public var storageEncrypted: Bool
    public var kmsKeyID: String?
    /// `manual`, `automated`, `shared` or `public`.
    public var snapshotType: String?
    public var createTime: Date?
    public var clusterCreateTime: Date?
    /// The snapshot this one was copied from, when the API says.
    public var sourceARN: String?
    public var allocatedStorage: Int?
    public var port: Int?
    public var vpcID: String?
    public var availabilityZones: [String]
    public var iamDatabaseAuthenticationEnabled: Bool?
    public var licenseModel: String?
    public var tags: Tags

    public init(
        identifier: String, arn: SnapshotARN, clusterIdentifier: String? = nil, status: String = "available",
        percentProgress: Int? = 100, engine: String = "neptune", engineVersion: String? = nil,
        storageEncrypted: Bool = false, kmsKeyID: String? = nil, snapshotType: String? = "manual",
        createTime: Date? = nil, clusterCreateTime: Date? = nil, sourceARN: String? = nil,
        allocatedStorage: Int? = nil, port: Int? = nil, vpcID: String? = nil, availabilityZones: [String] = [],
        iamDatabaseAuthenticationEnabled: Bool? = nil, licenseModel: String? = nil, tags: Tags = [:]
    ) {
        self.identifier = identifier
        self.arn = arn
        self.clusterIdentifier = clusterIdentifier
        self.status = status
        self.percentProgress = percentProgress
        self.engine = engine
        self.engineVersion = engineVersion
        self.storageEncrypted = storageEncrypted
        self.kmsKeyID = kmsKeyID
        self.snapshotType = snapshotType
        self.createTime = createTime
        self.clusterCreateTime = clusterCreateTime
        self.sourceARN = sourceARN
        self.allocatedStorage = allocatedStorage
        self.port = port
        self.vpcID = vpcID
        self.availabilityZones = availabilityZones
        self.iamDatabaseAuthenticationEnabled = iamDatabaseAuthenticationEnabled
        self.licenseModel = licenseModel
        self.tags = tags
    }

    public var region: String { arn.region }
    public var account: String { arn.account }
    public var isAvailable: Bool { status == "available" }

    /// Whether the snapshot is still being made (`creating`, `copying`, ...).
    public var isInProgress: Bool {
        ["creating", "copying", "pending", "backing-up"].contains(status)
    }

    /// Whether the snapshot ended in a state it cannot leave (`failed`, `incompatible-*`, `error`).
    public var hasFailed: Bool {
        status == "failed" || status == "error" || status.hasPrefix("incompatible")
    }

    /// Whether the snapshot belongs to Neptune: the shared RDS endpoint also lists Aurora and DocumentDB ones.
    public var isNeptune: Bool { engine == "neptune" }
}
