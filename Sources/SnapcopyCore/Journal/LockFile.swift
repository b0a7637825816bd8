import Foundation

/// The lock file `snapcopy.lock`: what snapcopy has made and manages, meant to be committed.
///
/// Like Terraform's state it carries a `version` (read first), a `lineage` fixed when the file is
/// created, and a `serial` incremented on every write, so a saved plan can tell when it went stale.
public struct LockFile: Sendable, Hashable, Codable {
    /// The version this build writes; older versions stay readable.
    public static let currentVersion = 1

    public var version: Int
    public var lineage: String
    public var serial: Int
    /// The records by identity, and the identities in order (region, then target): look-ups and
    /// replacements in constant time, so plans and applies of many copies stay linear.
    private(set) var byIdentity: [CopyIdentity: LockRecord] = [:]
    private(set) var order: [CopyIdentity] = []

    public init(lineage: String, serial: Int = 0, records: [LockRecord] = []) {
        self.version = Self.currentVersion
        self.lineage = lineage
        self.serial = serial
        self.records = records
    }

    /// One record per managed copy, sorted by region then target. Setting it keeps the last of
    /// records with the same identity.
    public var records: [LockRecord] {
        get { order.compactMap { byIdentity[$0] } }
        set {
            byIdentity = Dictionary(newValue.map { ($0.identity, $0) }, uniquingKeysWith: { _, last in last })
            order = byIdentity.keys.sorted()
        }
    }

    /// How many records there are.
    public var count: Int { order.count }

    /// The record of `identity`, if any.
    public func record(for identity: CopyIdentity) -> LockRecord? {
        byIdentity[identity]
    }

    /// Inserts or replaces the record with the same identity.
    public mutating func upsert(_ record: LockRecord) {
        let identity = record.identity
        if byIdentity.updateValue(record, forKey: identity) == nil {
            order.insert(identity, at: insertionIndex(of: identity))
        }
    }

    /// Removes the record of `identity`.
    public mutating func remove(_ identity: CopyIdentity) {
        guard byIdentity.removeValue(forKey: identity) != nil else { return }
        let index = insertionIndex(of: identity)
        if index < order.count, order[index] == identity { order.remove(at: index) }
    }

    /// Where `identity` is, or would go, in `order` (binary search).
    private func insertionIndex(of identity: CopyIdentity) -> Int {
        var low = 0
        var high = order.count
        while low < high {
            let middle = (low + high) / 2
            if order[middle] < identity { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private enum CodingKeys: String, CodingKey {
        case version, lineage, serial, records
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        lineage = try container.decode(String.self, forKey: .lineage)
        serial = try container.decode(Int.self, forKey: .serial)
        let list = try container.decode([LockRecord].self, forKey: .records)
        var first: [CopyIdentity: Int] = [:]
        for (index, record) in list.enumerated() {
            if let earlier = first[record.identity] { throw DuplicateRecord(first: earlier, second: index, identity: record.identity) }
            first[record.identity] = index
        }
        records = list
    }

    /// Two records of one copy in a lock file being read.
    struct DuplicateRecord: Error {
        var first: Int
        var second: Int
        var identity: CopyIdentity
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(lineage, forKey: .lineage)
        try container.encode(serial, forKey: .serial)
        try container.encode(records, forKey: .records)
    }
}

/// What snapcopy knows about one copy it manages.
public struct LockRecord: Sendable, Hashable, Codable {
    /// Where the copy is in its life.
    public enum Status: String, Sendable, Hashable, Codable {
        /// A write call is about to be made or its outcome is unknown (see `operation`).
        case pending
        case copying
        case available
        /// The copy ended in a failed state; the next plan replaces it.
        case failed
    }

    /// The write a `pending` record is about to make.
    public enum Operation: String, Sendable, Hashable, Codable {
        case create, delete, replace
        case updateTags = "update-tags"
    }

    public var region: String
    public var target: String
    public var targetARN: String?
    public var sourceARN: String
    public var kmsKeyID: String?
    /// The tags snapcopy set (the merged set, with its ownership tag).
    public var tags: Tags
    public var copyTags: Bool
    public var deletionPolicy: DeletionPolicy
    public var roleARN: String?
    public var status: Status
    public var operation: Operation?
    public var percentProgress: Int?
    public var snapshotCreateTime: String?
    public var startedAt: String?
    public var completedAt: String?
    /// When snapcopy last saw the copy in progress (kept while it is copying).
    public var observedAt: String?
    /// When `percentProgress` was first seen at its current value, so a copy that makes no
    /// progress across observations can be told from one that is merely slow.
    public var progressSince: String?
    /// The digest of the manifest entry the record came from.
    public var entryDigest: String
    /// The rule that made the copy; nil for an explicit entry.
    public var rule: String?
    /// The source's cluster and creation time, for a rule's copy.
    public var sourceCluster: String?
    public var sourceCreateTime: String?

    public init(
        region: String, target: String, targetARN: String? = nil, sourceARN: String, kmsKeyID: String? = nil,
        tags: Tags = [:], copyTags: Bool = false, deletionPolicy: DeletionPolicy = .retain, roleARN: String? = nil,
        status: Status = .available, operation: Operation? = nil, percentProgress: Int? = nil,
        snapshotCreateTime: String? = nil, startedAt: String? = nil, completedAt: String? = nil,
        observedAt: String? = nil, progressSince: String? = nil, entryDigest: String = "",
        rule: String? = nil, sourceCluster: String? = nil, sourceCreateTime: String? = nil
    ) {
        self.region = region
        self.target = target.lowercased()
        self.targetARN = targetARN
        self.sourceARN = sourceARN
        self.kmsKeyID = kmsKeyID
        self.tags = tags
        self.copyTags = copyTags
        self.deletionPolicy = deletionPolicy
        self.roleARN = roleARN
        self.status = status
        self.operation = operation
        self.percentProgress = percentProgress
        self.snapshotCreateTime = snapshotCreateTime
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.observedAt = observedAt
        self.progressSince = progressSince
        self.entryDigest = entryDigest
        self.rule = rule
        self.sourceCluster = sourceCluster
        self.sourceCreateTime = sourceCreateTime
    }

    public var identity: CopyIdentity { CopyIdentity(region: region, target: target) }
}

/// Why a lock file cannot be read.
public struct LockFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var message: String
    public var fix: String

    public var description: String { "\(file): \(message)\n  fix: \(fix)" }
}

extension LockFile {
    /// Reads a lock file, checking its `version` before anything else.
    ///
    /// A newer version is refused with both versions named; a corrupt or truncated file is refused
    /// (never silently replaced by an empty one).
    public static func decode(_ contents: [UInt8], file: String) throws(LockFileError) -> LockFile {
        let root: JSONNode
        do {
            root = try JSONParser.parse(contents)
        } catch {
            throw LockFileError(
                file: file, message: "the lock file is corrupt or truncated (\(error.description)); it was left untouched",
                fix: "restore it from version control (git checkout -- \(file)); do not delete it, or snapcopy forgets what it manages")
        }
        guard let version = root["version"]?.integerValue else {
            throw LockFileError(file: file, message: "the lock file has no numeric \"version\"; it was left untouched",
                                fix: "restore it from version control (git checkout -- \(file))")
        }
        guard version <= currentVersion else {
            throw LockFileError(
                file: file, message: "the lock file has version \(version), but this snapcopy reads versions up to \(currentVersion)",
                fix: "upgrade snapcopy to a release that reads lock file version \(version)")
        }
        guard version >= 1 else {
            throw LockFileError(file: file, message: "lock file version \(version) does not exist", fix: "restore it from version control")
        }
        do {
            return try JSONDecoder().decode(LockFile.self, from: Data(contents))
        } catch let duplicate as DuplicateRecord {
            throw LockFileError(
                file: file,
                message: "records[\(duplicate.first)] and records[\(duplicate.second)] both record \(duplicate.identity.target) in \(duplicate.identity.region) (targets compare case-insensitively); a copy has one record. The lock file was left untouched",
                fix: "restore it from version control (git checkout -- \(file)), or delete the record that is wrong after checking the account")
        } catch {
            throw LockFileError(
                file: file, message: "the lock file does not match version \(version)'s format (\(CanonicalJSON.describe(error))); it was left untouched",
                fix: "restore it from version control (git checkout -- \(file))")
        }
    }

    /// The file's bytes: key-sorted JSON with two-space indent and a trailing newline.
    /// - Throws: when it cannot be encoded; nothing must be written then.
    public func encoded() throws(CanonicalJSON.EncodingFailure) -> [UInt8] {
        try CanonicalJSON.encode(self)
    }
}
