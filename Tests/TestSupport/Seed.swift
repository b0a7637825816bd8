import Foundation

/// State to create in one account and region of a ``FakeNeptuneServer``, in-process.
///
/// Keys are made first, then roles, clusters, snapshots. Seeding a snapshot that
/// exists updates its status, progress, tags, creation time and sharing instead.
public struct Seed: Codable, Sendable, Equatable {
    public var account: String
    public var region: String
    public var clusters: [Cluster]
    public var snapshots: [Snapshot]
    public var kmsKeys: [KMSKey]
    public var roles: [Role]

    public init(
        account: String = FakeNeptuneServer.defaultAccount,
        region: String = "us-east-1",
        clusters: [Cluster] = [],
        snapshots: [Snapshot] = [],
        kmsKeys: [KMSKey] = [],
        roles: [Role] = []
    ) {
        self.account = account
        self.region = region
        self.clusters = clusters
        self.snapshots = snapshots
        self.kmsKeys = kmsKeys
        self.roles = roles
    }

    /// A DB cluster. `engine` is `neptune`, `aurora-mysql`, `aurora-postgresql`, `docdb`, ...
    public struct Cluster: Codable, Sendable, Equatable {
        public var id: String
        public var engine: String
        public var engineVersion: String?
        public var isStorageEncrypted: Bool
        /// A key id, ARN or alias; resolved to the key's ARN when it exists in moto KMS.
        public var kmsKeyID: String?
        public var tags: [String: String]
        /// Defaults to `available`.
        public var status: String?

        public init(
            id: String,
            engine: String = "neptune",
            engineVersion: String? = nil,
            isStorageEncrypted: Bool = false,
            kmsKeyID: String? = nil,
            tags: [String: String] = [:],
            status: String? = nil
        ) {
            self.id = id
            self.engine = engine
            self.engineVersion = engineVersion
            self.isStorageEncrypted = isStorageEncrypted
            self.kmsKeyID = kmsKeyID
            self.tags = tags
            self.status = status
        }

        enum CodingKeys: String, CodingKey {
            case id, engine, engineVersion, isStorageEncrypted = "storageEncrypted"
            case kmsKeyID = "kmsKeyId", tags, status
        }
    }

    /// A DB cluster snapshot of a seeded (or existing) cluster.
    public struct Snapshot: Codable, Sendable, Equatable {
        public enum SnapshotType: String, Codable, Sendable {
            case manual, automated
        }

        public var id: String
        /// Required when the snapshot does not exist yet.
        public var cluster: String?
        public var type: SnapshotType?
        /// `nil` keeps the tags of an existing snapshot.
        public var tags: [String: String]?
        /// E.g. `creating` for a source that is not available yet; defaults to `available`.
        public var status: String?
        public var percentProgress: Int?
        /// Accounts the snapshot is shared with (the `restore` attribute); manual only.
        public var shareWith: [String]
        public var createdAt: Date?

        public init(
            id: String,
            cluster: String? = nil,
            type: SnapshotType? = nil,
            tags: [String: String]? = nil,
            status: String? = nil,
            percentProgress: Int? = nil,
            shareWith: [String] = [],
            createdAt: Date? = nil
        ) {
            self.id = id
            self.cluster = cluster
            self.type = type
            self.tags = tags
            self.status = status
            self.percentProgress = percentProgress
            self.shareWith = shareWith
            self.createdAt = createdAt
        }
    }

    /// A symmetric key in moto KMS; its ARN comes back in ``SeedResult/kmsKeys``.
    public struct KMSKey: Codable, Sendable, Equatable {
        /// E.g. `alias/snapcopy`.
        public var alias: String?
        public var description: String?

        public init(alias: String? = nil, description: String? = nil) {
            self.alias = alias
            self.description = description
        }
    }

    /// An IAM role anyone may assume, allowed rds:*, sts:*, kms:* unless `policy` says
    /// otherwise. Needed only when signature checks are on.
    public struct Role: Codable, Sendable, Equatable {
        public var name: String
        /// An IAM policy document (JSON text).
        public var policy: String?

        public init(name: String, policy: String? = nil) {
            self.name = name
            self.policy = policy
        }
    }
}

/// The ARNs of what a seed made or found, by identifier (KMS keys by alias, else key id).
public struct SeedResult: Codable, Sendable, Equatable {
    public var clusters: [String: String]
    public var snapshots: [String: String]
    public var kmsKeys: [String: String]
    public var roles: [String: String]
}
