import Foundation

/// A problem in a captured live-state file.
public struct LiveStateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: ManifestLocation
    public var message: String

    public var description: String {
        "\(location): \(message)\n  fix: capture the file with `aws neptune describe-db-cluster-snapshots --output json` (optionally adding a TagList to each snapshot)"
    }
}

/// Reads what `aws neptune describe-db-cluster-snapshots --output json` prints:
/// `{"DBClusterSnapshots": [...]}`, where each snapshot may also carry a `TagList`.
///
/// This lets a reviewer plan in an air-gapped CI job from a captured describe.
public enum LiveStateFile {
    /// Parses one captured file. Snapshots of other engines are kept here and dropped by `LiveState`.
    public static func parse(_ contents: [UInt8], file: String) throws(LiveStateError) -> [LiveSnapshot] {
        let root: JSONNode
        do {
            root = try JSONParser.parse(contents)
        } catch {
            throw LiveStateError(location: ManifestLocation(file: file, path: "", position: error.position),
                                 message: "invalid JSON: \(error.message)")
        }
        guard let list = root["DBClusterSnapshots"], let items = list.elements else {
            throw LiveStateError(location: ManifestLocation(file: file, path: "DBClusterSnapshots", position: root.position),
                                 message: "expected an object with a \"DBClusterSnapshots\" array, as the describe command prints")
        }
        var snapshots: [LiveSnapshot] = []
        for (index, item) in items.enumerated() {
            snapshots.append(try snapshot(item, file: file, path: "DBClusterSnapshots[\(index)]"))
        }
        return snapshots
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
        guard let arnText = try string("DBClusterSnapshotArn") else {
            throw fail("the snapshot \"\(identifier)\" has no \"DBClusterSnapshotArn\"; the region and account come from it")
        }
        guard case .success(let arn) = SnapshotARN.parse(arnText) else {
            throw fail("\"\(arnText)\" is not a cluster snapshot ARN", node["DBClusterSnapshotArn"], "DBClusterSnapshotArn")
        }
        var tags = Tags()
        if let tagList = node["TagList"] {
            guard let elements = tagList.elements else { throw fail("\"TagList\" must be a list of {Key, Value}", tagList, "TagList") }
            for (i, element) in elements.enumerated() {
                guard let key = element["Key"]?.stringValue else {
                    throw fail("each tag needs a string \"Key\"", element, "TagList[\(i)]")
                }
                tags[key] = element["Value"]?.stringValue ?? ""
            }
        }
        let zones = node["AvailabilityZones"]?.elements?.compactMap(\.stringValue) ?? []
        return LiveSnapshot(
            identifier: identifier, arn: arn, clusterIdentifier: try string("DBClusterIdentifier"),
            status: try string("Status") ?? "available", percentProgress: try int("PercentProgress"),
            engine: try string("Engine") ?? "neptune", engineVersion: try string("EngineVersion"),
            storageEncrypted: try bool("StorageEncrypted") ?? false, kmsKeyID: try string("KmsKeyId"),
            snapshotType: try string("SnapshotType"), createTime: try date("SnapshotCreateTime"),
            clusterCreateTime: try date("ClusterCreateTime"), sourceARN: try string("SourceDBClusterSnapshotArn"),
            allocatedStorage: try int("AllocatedStorage"), port: try int("Port"), vpcID: try string("VpcId"),
            availabilityZones: zones, iamDatabaseAuthenticationEnabled: try bool("IAMDatabaseAuthenticationEnabled"),
            licenseModel: try string("LicenseModel"), tags: tags)
    }
}
