import Foundation

/// A Neptune DB cluster snapshot: every member of the Neptune model's `DBClusterSnapshot`.
///
/// Every field is optional because the API may omit any of them (moto omits several).
/// ``tags`` is not in the Neptune model but RDS-family responses (and moto) include a
/// `TagList`; it is `nil` when the response had none, so callers know to list tags.
public struct DBClusterSnapshot: Sendable, Equatable, Codable {
    /// The snapshot identifier (`DBClusterSnapshotIdentifier`).
    public var identifier: String?
    /// The snapshot ARN (`DBClusterSnapshotArn`).
    public var arn: String?
    /// The cluster the snapshot was taken from (`DBClusterIdentifier`).
    public var clusterIdentifier: String?
    /// `creating`, `available`, `copying`, ... (`Status`).
    public var status: String?
    /// Percentage of data transferred (`PercentProgress`).
    public var percentProgress: Int?
    /// The engine, `neptune` (`Engine`).
    public var engine: String?
    /// The engine version (`EngineVersion`).
    public var engineVersion: String?
    /// Whether the snapshot is encrypted (`StorageEncrypted`).
    public var storageEncrypted: Bool?
    /// The KMS key of an encrypted snapshot (`KmsKeyId`).
    public var kmsKeyID: String?
    /// `manual`, `automated`, `shared` or `public` (`SnapshotType`).
    public var snapshotType: String?
    /// When the snapshot was taken (`SnapshotCreateTime`).
    public var snapshotCreateTime: Date?
    /// When the cluster was created (`ClusterCreateTime`).
    public var clusterCreateTime: Date?
    /// The ARN of the snapshot this one was copied from (`SourceDBClusterSnapshotArn`).
    public var sourceDBClusterSnapshotARN: String?
    /// Allocated storage in GiB (`AllocatedStorage`).
    public var allocatedStorage: Int?
    /// The port of the cluster (`Port`).
    public var port: Int?
    /// The VPC of the cluster (`VpcId`).
    public var vpcID: String?
    /// Not supported by Neptune (`MasterUsername`).
    public var masterUsername: String?
    /// The license model (`LicenseModel`).
    public var licenseModel: String?
    /// Whether IAM database authentication is enabled (`IAMDatabaseAuthenticationEnabled`).
    public var iamDatabaseAuthenticationEnabled: Bool?
    /// Availability zones instances can be restored in (`AvailabilityZones`).
    public var availabilityZones: [String]
    /// The storage type (`StorageType`).
    public var storageType: String?
    /// Tags from the response's `TagList`, when it had one (not in the Neptune model).
    public var tags: [Tag]?

    /// Creates a snapshot value; every member defaults to absent.
    public init(
        identifier: String? = nil, arn: String? = nil, clusterIdentifier: String? = nil, status: String? = nil,
        percentProgress: Int? = nil, engine: String? = nil, engineVersion: String? = nil, storageEncrypted: Bool? = nil,
        kmsKeyID: String? = nil, snapshotType: String? = nil, snapshotCreateTime: Date? = nil, clusterCreateTime: Date? = nil,
        sourceDBClusterSnapshotARN: String? = nil, allocatedStorage: Int? = nil, port: Int? = nil, vpcID: String? = nil,
        masterUsername: String? = nil, licenseModel: String? = nil, iamDatabaseAuthenticationEnabled: Bool? = nil,
        availabilityZones: [String] = [], storageType: String? = nil, tags: [Tag]? = nil
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
        self.snapshotCreateTime = snapshotCreateTime
        self.clusterCreateTime = clusterCreateTime
        self.sourceDBClusterSnapshotARN = sourceDBClusterSnapshotARN
        self.allocatedStorage = allocatedStorage
        self.port = port
        self.vpcID = vpcID
        self.masterUsername = masterUsername
        self.licenseModel = licenseModel
        self.iamDatabaseAuthenticationEnabled = iamDatabaseAuthenticationEnabled
        self.availabilityZones = availabilityZones
        self.storageType = storageType
        self.tags = tags
    }
}

extension DBClusterSnapshot {
    /// Decodes a `<DBClusterSnapshot>` element.
    init(xml node: XMLNode) {
        self.init(
            identifier: node.string("DBClusterSnapshotIdentifier"),
            arn: node.string("DBClusterSnapshotArn"),
            clusterIdentifier: node.string("DBClusterIdentifier"),
            status: node.string("Status"),
            percentProgress: node.int("PercentProgress"),
            engine: node.string("Engine"),
            engineVersion: node.string("EngineVersion"),
            storageEncrypted: node.bool("StorageEncrypted"),
            kmsKeyID: node.string("KmsKeyId"),
            snapshotType: node.string("SnapshotType"),
            snapshotCreateTime: node.date("SnapshotCreateTime"),
            clusterCreateTime: node.date("ClusterCreateTime"),
            sourceDBClusterSnapshotARN: node.string("SourceDBClusterSnapshotArn"),
            allocatedStorage: node.int("AllocatedStorage"),
            port: node.int("Port"),
            vpcID: node.string("VpcId"),
            masterUsername: node.string("MasterUsername"),
            licenseModel: node.string("LicenseModel"),
            iamDatabaseAuthenticationEnabled: node.bool("IAMDatabaseAuthenticationEnabled"),
            availabilityZones: node.strings("AvailabilityZones", member: "AvailabilityZone"),
            storageType: node.string("StorageType"),
            tags: node.child("TagList").map { Tag.list(xml: $0) }
        )
    }
}

extension DBClusterSnapshot {
    /// Whether this is the snapshot `identifierOrARN` names: its identifier or its ARN, or for
    /// an ARN the identifier after `cluster-snapshot:`, compared ignoring case (Neptune stores
    /// identifiers in lower case). A snapshot with neither identifier nor ARN is no snapshot's.
    public func isNamed(_ identifierOrARN: String) -> Bool {
        let wanted = identifierOrARN.lowercased()
        if let identifier = identifier?.trimmingXMLWhitespace().lowercased(), !identifier.isEmpty {
            if identifier == wanted { return true }
            if wanted.hasPrefix("arn:"), let marker = wanted.range(of: ":cluster-snapshot:"),
               wanted[marker.upperBound...] == identifier, arn.map({ $0.lowercased() == wanted }) ?? true {
                return true
            }
        }
        if let arn = arn?.trimmingXMLWhitespace().lowercased(), !arn.isEmpty {
            if arn == wanted { return true }
            if !wanted.hasPrefix("arn:"), identifier == nil, arn.hasSuffix(":cluster-snapshot:" + wanted) { return true }
        }
        return false
    }

    /// Why this cannot be the snapshot `identifierOrARN` names, as a clause without a final
    /// period; `nil` when it is (see ``isNamed(_:)``).
    public func mismatch(for identifierOrARN: String) -> String? {
        guard !isNamed(identifierOrARN) else { return nil }
        let answered = identifier.map { $0.isEmpty ? "a snapshot with an empty identifier" : $0 } ?? arn ?? "a snapshot without an identifier"
        return "the request was for the snapshot \(identifierOrARN) but the answer describes \(answered), which snapcopy does not take for \(identifierOrARN)"
    }
}
