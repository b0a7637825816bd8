import Foundation

/// Renders responses as the RDS Query API does (the shapes of botocore's Neptune model, plus the
/// `TagList` RDS-family responses carry), so snapcopy, the AWS CLI and boto3 all parse them.
enum BenchXML {
    static let namespace = "http://rds.amazonaws.com/doc/2014-10-31/"

    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") }) else {
            return text
        }
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    static func requestID() -> String { UUID().uuidString.lowercased() }

    /// `<ActionResponse><ActionResult>result</ActionResult><ResponseMetadata/></ActionResponse>`;
    /// no result element when `result` is nil (AddTagsToResource, RemoveTagsFromResource).
    static func response(_ action: String, result: String?) -> String {
        let inner = result.map { "<\(action)Result>\($0)</\(action)Result>" } ?? ""
        return "<\(action)Response xmlns=\"\(namespace)\">\(inner)<ResponseMetadata><RequestId>\(requestID())</RequestId></ResponseMetadata></\(action)Response>\n"
    }

    static func error(code: String, message: String, sender: Bool = true) -> String {
        "<ErrorResponse xmlns=\"\(namespace)\"><Error><Type>\(sender ? "Sender" : "Receiver")</Type><Code>\(code)</Code><Message>\(escape(message))</Message></Error><RequestId>\(requestID())</RequestId></ErrorResponse>\n"
    }

    static func tagList(_ tags: [(String, String)]) -> String {
        var out = "<TagList>"
        for (key, value) in tags { out += "<Tag><Key>\(escape(key))</Key><Value>\(escape(value))</Value></Tag>" }
        return out + "</TagList>"
    }

    /// A `<DBClusterSnapshot>` element, members in the model's order.
    static func snapshot(_ s: BenchSnapshot, at now: UInt64, withTags: Bool) -> String {
        var out = "<DBClusterSnapshot><AvailabilityZones><AvailabilityZone>\(s.region)a</AvailabilityZone><AvailabilityZone>\(s.region)b</AvailabilityZone></AvailabilityZones>"
        out += "<DBClusterSnapshotIdentifier>\(escape(s.identifier))</DBClusterSnapshotIdentifier>"
        out += "<DBClusterIdentifier>\(escape(s.cluster))</DBClusterIdentifier>"
        out += "<SnapshotCreateTime>\(s.createTime)</SnapshotCreateTime><Engine>neptune</Engine><AllocatedStorage>0</AllocatedStorage>"
        out += "<Status>\(s.status(at: now))</Status><Port>8182</Port><VpcId>vpc-0bench</VpcId>"
        out += "<ClusterCreateTime>2026-01-05T10:00:00.000Z</ClusterCreateTime><MasterUsername>admin</MasterUsername>"
        out += "<EngineVersion>1.3.2.1</EngineVersion><LicenseModel>neptune</LicenseModel><SnapshotType>\(s.type)</SnapshotType>"
        out += "<PercentProgress>\(s.percent(at: now))</PercentProgress><StorageEncrypted>\(s.kmsKeyID != nil)</StorageEncrypted>"
        if let kms = s.kmsKeyID { out += "<KmsKeyId>\(escape(kms))</KmsKeyId>" }
        out += "<DBClusterSnapshotArn>\(escape(s.arn))</DBClusterSnapshotArn>"
        if let source = s.sourceARN { out += "<SourceDBClusterSnapshotArn>\(escape(source))</SourceDBClusterSnapshotArn>" }
        out += "<IAMDatabaseAuthenticationEnabled>false</IAMDatabaseAuthenticationEnabled><StorageType>standard</StorageType>"
        if withTags { out += tagList(s.tags) }
        return out + "</DBClusterSnapshot>"
    }
}
