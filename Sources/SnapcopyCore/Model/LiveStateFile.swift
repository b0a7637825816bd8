import Foundation

/// A problem in a captured live-state file.
public struct LiveStateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: ManifestLocation
    public var message: String

    public var description: String {
        "\(location): \(message)\n  fix: capture the file with `aws neptune describe-db-cluster-snapshots --region REGION --output json` (optionally adding a TagList to each snapshot), or with `snapcopy capture`"
    }
}

/// One captured file: its snapshots, the regions it describes, and when it was taken if it says.
public struct LiveStateCapture: Sendable {
    public var snapshots: [LiveSnapshot]
    /// Regions this file describes completely: its `Region` member, and every region its snapshots are in.
    public var regions: Set<String>
    /// The capture's `CapturedAt` member, when it has one.
    public var capturedAt: Date?
}

/// Reads what `aws neptune describe-db-cluster-snapshots --output json` prints:
/// `{"DBClusterSnapshots": [...]}`, where each snapshot may also carry a `TagList`, and the file
/// may name its `Region` (so an empty region counts as described) and `CapturedAt`.
///
/// This lets a reviewer plan in an air-gapped CI job from a captured describe.
public enum LiveStateFile {
    /// Parses one captured file. Snapshots of other engines are kept here and dropped by `LiveState`.
    public static func parse(_ contents: [UInt8], file: String) throws(LiveStateError) -> LiveStateCapture {
        if let capture = fastCapture(contents) { return capture }
        return try parseTree(contents, file: file)
    }

    /// Parses one captured file through a tree of the document: the reading that explains errors,
    /// and the reference the fast path is tested against.
    static func parseTree(_ contents: [UInt8], file: String) throws(LiveStateError) -> LiveStateCapture {
        let root: JSONNode
        do {
            root = try JSONParser.parse(contents)
        } catch {
            throw LiveStateError(location: ManifestLocation(file: file, path: "", position: error.position),
                                 message: "invalid JSON: \(error.message)")
        }
        guard root.members != nil, let list = root["DBClusterSnapshots"], let items = list.elements else {
            throw LiveStateError(location: ManifestLocation(file: file, path: "DBClusterSnapshots", position: root.position),
                                 message: "expected an object with a \"DBClusterSnapshots\" array, as the describe command prints")
        }
        var capture = LiveStateCapture(snapshots: [], regions: [], capturedAt: nil)
        if let region = root["Region"] {
            guard let name = region.stringValue, Region.isWellFormed(name) else {
                throw LiveStateError(location: ManifestLocation(file: file, path: "Region", position: region.position),
                                     message: "\"Region\" must be a region name such as us-east-1")
            }
            capture.regions.insert(name)
        }
        if let time = root["CapturedAt"] {
            guard let text = time.stringValue, let date = Timestamp.parse(text) else {
                throw LiveStateError(location: ManifestLocation(file: file, path: "CapturedAt", position: time.position),
                                     message: "\"CapturedAt\" must be an ISO 8601 timestamp such as 2026-11-20T03:00:00Z")
            }
            capture.capturedAt = date
        }
        for (index, item) in items.enumerated() {
            let snapshot = try snapshot(item, file: file, path: "DBClusterSnapshots[\(index)]")
            capture.regions.insert(snapshot.region)
            capture.snapshots.append(snapshot)
        }
        return capture
    }

    /// A capture of `region` as `parse` reads it back: `{"CapturedAt", "DBClusterSnapshots", "Region"}`,
    /// each snapshot with the members snapcopy reads (named as the AWS CLI prints them) and its
    /// `TagList` when its tags are known; sorted by ARN, canonical JSON.
    public static func render(_ snapshots: [LiveSnapshot], region: String, capturedAt: Date) throws(CanonicalJSON.EncodingFailure) -> [UInt8] {
        struct Tag: Encodable {
            var Key: String
            var Value: String
        }
        struct Item: Encodable {
            var DBClusterSnapshotIdentifier: String
            var DBClusterSnapshotArn: String
            var DBClusterIdentifier: String?
            var Status: String
            var PercentProgress: Int?
            var Engine: String
            var StorageEncrypted: Bool
            var KmsKeyId: String?
            var SnapshotType: String
            var SnapshotCreateTime: String?
            var SourceDBClusterSnapshotArn: String?
            var TagList: [Tag]?
        }
        struct Document: Encodable {
            var Region: String
            var CapturedAt: String
            var DBClusterSnapshots: [Item]
        }
        let items = snapshots.sorted { $0.arn.description < $1.arn.description }.map { snapshot in
            Item(DBClusterSnapshotIdentifier: snapshot.identifier, DBClusterSnapshotArn: snapshot.arn.description,
                 DBClusterIdentifier: snapshot.clusterIdentifier, Status: snapshot.status.rawValue, PercentProgress: snapshot.percentProgress,
                 Engine: snapshot.engine, StorageEncrypted: snapshot.storageEncrypted, KmsKeyId: snapshot.kmsKeyID,
                 SnapshotType: snapshot.type.rawValue, SnapshotCreateTime: snapshot.createTime.map(Timestamp.format),
                 SourceDBClusterSnapshotArn: snapshot.sourceARN, TagList: snapshot.tags?.sorted.map { Tag(Key: $0.key, Value: $0.value) })
        }
        return try CanonicalJSON.encode(Document(Region: region, CapturedAt: Timestamp.format(capturedAt), DBClusterSnapshots: items))
    }

    private static func snapshot(_ node: JSONNode, file: String, path: String) throws(LiveStateError) -> LiveSnapshot {
        func fail(_ message: String, _ at: JSONNode? = nil, _ key: String? = nil) -> LiveStateError {
            LiveStateError(location: ManifestLocation(file: file, path: key.map { "\(path).\($0)" } ?? path,
                                                      position: (at ?? node).position), message: message)
        }
        guard node.members != nil else { throw fail("each snapshot must be an object") }
        func string(_ key: String) throws(LiveStateError) -> String? {
            guard let value = node[key] else { return nil }
            if case .null = value.value { return nil }
            guard let text = value.stringValue else { throw fail("\"\(key)\" must be a string", value, key) }
            return text
        }
        func int(_ key: String) throws(LiveStateError) -> Int? {
            guard let value = node[key] else { return nil }
            if case .null = value.value { return nil }
            guard let number = value.integerValue else { throw fail("\"\(key)\" must be a whole number", value, key) }
            return number
        }
        func bool(_ key: String) throws(LiveStateError) -> Bool? {
            guard let value = node[key] else { return nil }
            if case .null = value.value { return nil }
            guard let flag = value.boolValue else { throw fail("\"\(key)\" must be true or false", value, key) }
            return flag
        }
        func date(_ key: String) throws(LiveStateError) -> Date? {
            guard let text = try string(key) else { return nil }
            guard let date = Timestamp.parse(text) else { throw fail("\"\(key)\" is not an ISO 8601 timestamp: \"\(text)\"", node[key], key) }
            return date
        }
        guard let identifier = try string("DBClusterSnapshotIdentifier") else {
            throw fail("the snapshot has no \"DBClusterSnapshotIdentifier\"")
        }
        var tags: Tags?
        if let tagList = node["TagList"] {
            guard let elements = tagList.elements else { throw fail("\"TagList\" must be a list of {Key, Value}", tagList, "TagList") }
            var known = Tags()
            for (i, element) in elements.enumerated() {
                guard let key = element["Key"]?.stringValue else {
                    throw fail("each tag needs a string \"Key\"", element, "TagList[\(i)]")
                }
                known[key] = element["Value"]?.stringValue ?? ""
            }
            tags = known
        }
        let members = DBClusterSnapshotMembers(
            identifier: identifier, arn: try string("DBClusterSnapshotArn"), clusterIdentifier: try string("DBClusterIdentifier"),
            status: try string("Status"), percentProgress: try int("PercentProgress"), engine: try string("Engine"),
            storageEncrypted: try bool("StorageEncrypted"), kmsKeyID: try string("KmsKeyId"),
            snapshotType: try string("SnapshotType"), createTime: try date("SnapshotCreateTime"),
            sourceARN: try string("SourceDBClusterSnapshotArn"), tags: tags)
        do {
            return try LiveSnapshot(members)
        } catch {
            throw fail(error.message, error.member.flatMap { node[$0] }, error.member)
        }
    }
}
