import Foundation
import Crypto

/// What happens to a snapshot when its entry leaves the manifests.
public enum DeletionPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    /// snapcopy forgets the copy and keeps the snapshot.
    case retain
    /// snapcopy deletes the snapshot.
    case delete
}

/// One copy the manifests ask for, with defaults applied.
public struct DesiredCopy: Sendable, Hashable {
    public var identity: CopyIdentity { didSet { digest = makeDigest() } }
    /// The target identifier as written in the manifest.
    public var target: String
    public var source: SnapshotReference { didSet { digest = makeDigest() } }
    /// The destination region.
    public var region: String { didSet { digest = makeDigest() } }
    public var kmsKeyID: String? { didSet { digest = makeDigest() } }
    public var copyTags: Bool { didSet { digest = makeDigest() } }
    /// The manifest's tags (defaults overlaid by the entry's own).
    public var tags: Tags { didSet { digest = makeDigest() } }
    /// Tag keys other systems manage: never compared, added or removed.
    public var ignoreTagKeys: [String] { didSet { digest = makeDigest() } }
    public var deletionPolicy: DeletionPolicy { didSet { digest = makeDigest() } }
    /// The role to assume for the destination account, if any.
    public var roleARN: String? { didSet { digest = makeDigest() } }
    /// Where the entry was declared (for a rule's copy, the rule).
    public var location: ManifestLocation
    /// The rule that asks for this copy; nil for an explicit entry.
    public var rule: String? { didSet { digest = makeDigest() } }
    /// The source's cluster and creation time, for a rule's copy (recorded, so retention can rank
    /// copies whose automated source has since expired).
    public var sourceCluster: String?
    public var sourceCreateTime: Date?

    public init(
        target: String, source: SnapshotReference, region: String, kmsKeyID: String? = nil,
        copyTags: Bool = false, tags: Tags = [:], ignoreTagKeys: [String] = [],
        deletionPolicy: DeletionPolicy = .retain, roleARN: String? = nil,
        location: ManifestLocation = ManifestLocation(file: "<memory>", path: "")
    ) {
        self.identity = CopyIdentity(region: region, target: target)
        self.target = target
        self.source = source
        self.region = region
        self.kmsKeyID = kmsKeyID
        self.copyTags = copyTags
        self.tags = tags
        self.ignoreTagKeys = ignoreTagKeys
        self.deletionPolicy = deletionPolicy
        self.roleARN = roleARN
        self.location = location
        self.digest = makeDigest()
    }

    /// The account of `roleARN`, when a role is named.
    public var roleAccount: String? { Self.account(ofRole: roleARN) }

    /// A digest of everything that defines the entry (not where it was written), so that moving
    /// an entry between files does not change it but editing any field does.
    ///
    /// Taken when the copy is made and again whenever a field it covers changes (their `didSet`),
    /// so it always matches the fields; a plan reads it twice per entry (the manifests' digest,
    /// and each change's).
    public private(set) var digest = ""

    private func makeDigest() -> String {
        // The fields, one a line, appended as bytes and hashed in place.
        var text: [UInt8] = []
        text.reserveCapacity(320)
        func field(_ name: StaticString, _ value: String) {
            if !text.isEmpty { text.append(UInt8(ascii: "\n")) }
            text.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            text.append(contentsOf: value.utf8)
        }
        field("region=", region)
        field("target=", identity.target)
        switch source {
        case .arn(let arn):
            field("source=arn:", arn.partition)
            // `arn.description`, written in place.
            text.append(contentsOf: ":rds:".utf8)
            text.append(contentsOf: arn.region.utf8)
            text.append(UInt8(ascii: ":"))
            text.append(contentsOf: arn.account.utf8)
            text.append(contentsOf: ":cluster-snapshot:".utf8)
            text.append(contentsOf: arn.identifier.utf8)
        case .identifier(let id):
            field("source=", id)
        }
        field("kmsKeyId=", kmsKeyID ?? "")
        field("copyTags=", copyTags ? "true" : "false")
        field("deletionPolicy=", deletionPolicy.rawValue)
        field("roleArn=", roleARN ?? "")
        field("ignoreTagKeys=", ignoreTagKeys.isEmpty ? "" : ignoreTagKeys.sorted().joined(separator: ","))
        for tag in tags.sorted {
            field("tag:", tag.key)
            text.append(UInt8(ascii: "="))
            text.append(contentsOf: tag.value.utf8)
        }
        if let rule { field("rule=", rule) }
        return Digest.sha256(bytes: text)
    }
}

/// Hex SHA-256 digests of text.
public enum Digest {
    public static func sha256(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// The digest of UTF-8 text given as bytes: `sha256(String(decoding: bytes, as: UTF8.self))`.
    static func sha256(bytes: [UInt8]) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// `sha256:` and the digest's bytes in lower-case hex, written into one allocation.
    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 7 + 2 * bytes.count) { out in
                var count = UnsafeMutableBufferPointer(rebasing: out[...]).initialize(from: "sha256:".utf8).1
                for byte in bytes {
                    out[count] = hexDigit(byte >> 4)
                    out[count + 1] = hexDigit(byte & 0x0F)
                    count += 2
                }
                return count
            }
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
