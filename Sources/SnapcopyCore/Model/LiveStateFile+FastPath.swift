import Foundation

extension LiveStateFile {
    /// The capture read straight from its bytes, without a tree of the document: nil when
    /// anything in it is not plainly valid (or is beyond ``JSONFastReader``), and `parse` then
    /// reads it again through ``JSONParser``, whose errors say what is wrong and where.
    ///
    /// What it returns is what the tree gives for the same bytes: the checks below are those of
    /// `parse` and `snapshot(_:file:path:)`, and a failed one returns nil instead of an error.
    static func fastCapture(_ contents: [UInt8]) -> LiveStateCapture? {
        var reader = JSONFastReader(contents)
        var snapshots: [LiveSnapshot]?
        var region: String?
        var capturedAt: Date?
        let read = reader.readObject { reader, key in
            if reader.key(key, is: Keys.snapshots) {
                var list: [LiveSnapshot] = []
                list.reserveCapacity(reader.bytes.count / 512)
                guard reader.readArray({ reader in
                    guard let snapshot = fastSnapshot(&reader) else { return false }
                    list.append(snapshot)
                    return true
                }) else { return false }
                snapshots = list
                return true
            }
            if reader.key(key, is: Keys.region) {
                guard case .string(let name) = reader.readToken(), Region.isWellFormed(name) else { return false }
                region = name
                return true
            }
            if reader.key(key, is: Keys.capturedAt) {
                guard case .string(let text) = reader.readToken(), let date = Timestamp.parse(text) else { return false }
                capturedAt = date
                return true
            }
            return reader.skipValue()
        }
        guard read, reader.isAtEnd(), let snapshots else { return nil }
        var capture = LiveStateCapture(snapshots: snapshots, regions: [], capturedAt: capturedAt)
        if let region { capture.regions.insert(region) }
        for snapshot in snapshots { capture.regions.insert(snapshot.region) }
        return capture
    }

    /// One element of `DBClusterSnapshots`, or nil where `snapshot(_:file:path:)` would throw.
    private static func fastSnapshot(_ reader: inout JSONFastReader) -> LiveSnapshot? {
        var members = DBClusterSnapshotMembers()
        var hasIdentifier = false
        let read = reader.readObject { reader, key in
            // A string member: absent or null is nil; anything else but a string is an error.
            func string(_ value: inout String?) -> Bool {
                switch reader.readToken() {
                case .string(let text): value = text; return true
                case .null: return true
                default: return false
                }
            }
            if reader.key(key, is: Keys.identifier) {
                guard string(&members.identifier) else { return false }
                hasIdentifier = members.identifier != nil
                return true
            }
            if reader.key(key, is: Keys.arn) { return string(&members.arn) }
            if reader.key(key, is: Keys.status) { return string(&members.status) }
            if reader.key(key, is: Keys.engine) { return string(&members.engine) }
            if reader.key(key, is: Keys.snapshotType) { return string(&members.snapshotType) }
            if reader.key(key, is: Keys.clusterIdentifier) { return string(&members.clusterIdentifier) }
            if reader.key(key, is: Keys.kmsKeyID) { return string(&members.kmsKeyID) }
            if reader.key(key, is: Keys.sourceARN) { return string(&members.sourceARN) }
            if reader.key(key, is: Keys.percentProgress) {
                switch reader.readToken() {
                case .number(let text):
                    guard let number = Int(text) else { return false }
                    members.percentProgress = number
                    return true
                case .null: return true
                default: return false
                }
            }
            if reader.key(key, is: Keys.storageEncrypted) {
                switch reader.readToken() {
                case .bool(let flag): members.storageEncrypted = flag; return true
                case .null: return true
                default: return false
                }
            }
            if reader.key(key, is: Keys.createTime) {
                switch reader.readToken() {
                case .string(let text):
                    guard let date = Timestamp.parse(text) else { return false }
                    members.createTime = date
                    return true
                case .null: return true
                default: return false
                }
            }
            if reader.key(key, is: Keys.tagList) {
                guard let tags = fastTags(&reader) else { return false }
                members.tags = tags
                return true
            }
            return reader.skipValue()
        }
        guard read, hasIdentifier else { return nil }
        return try? LiveSnapshot(members)
    }

    /// A `TagList`: an array of objects, each with a string `Key`; a `Value` that is not a string reads as "".
    private static func fastTags(_ reader: inout JSONFastReader) -> Tags? {
        var tags = Tags()
        let read = reader.readArray { reader in
            var key: String?
            var value = ""
            guard reader.readObject({ reader, member in
                if reader.key(member, is: Keys.tagKey) {
                    guard case .string(let text) = reader.readToken() else { return false }
                    key = text
                    return true
                }
                if reader.key(member, is: Keys.tagValue) {
                    switch reader.readToken() {
                    case .string(let text): value = text; return true
                    case .object: return reader.readObject { reader, _ in reader.skipValue() }
                    case .array: return reader.readArray { reader in reader.skipValue() }
                    case .number, .bool, .null: return true
                    case nil: return false
                    }
                }
                return reader.skipValue()
            }), let key else { return false }
            tags[key] = value
            return true
        }
        return read ? tags : nil
    }

    /// The member names the fast path reads, as bytes.
    private enum Keys {
        static let snapshots = Array("DBClusterSnapshots".utf8)
        static let region = Array("Region".utf8)
        static let capturedAt = Array("CapturedAt".utf8)
        static let identifier = Array("DBClusterSnapshotIdentifier".utf8)
        static let arn = Array("DBClusterSnapshotArn".utf8)
        static let clusterIdentifier = Array("DBClusterIdentifier".utf8)
        static let status = Array("Status".utf8)
        static let percentProgress = Array("PercentProgress".utf8)
        static let engine = Array("Engine".utf8)
        static let storageEncrypted = Array("StorageEncrypted".utf8)
        static let kmsKeyID = Array("KmsKeyId".utf8)
        static let snapshotType = Array("SnapshotType".utf8)
        static let createTime = Array("SnapshotCreateTime".utf8)
        static let sourceARN = Array("SourceDBClusterSnapshotArn".utf8)
        static let tagList = Array("TagList".utf8)
        static let tagKey = Array("Key".utf8)
        static let tagValue = Array("Value".utf8)
    }
}
