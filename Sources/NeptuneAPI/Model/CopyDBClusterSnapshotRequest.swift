/// Parameters of `CopyDBClusterSnapshot`.
///
/// For a cross-region copy, send the request to the destination region's client, give the
/// source snapshot's ARN and set ``sourceRegion``: the client then builds the pre-signed URL
/// itself (as botocore does) unless ``preSignedURL`` is already set.
public struct CopyDBClusterSnapshotRequest: Sendable, Equatable {
    /// The snapshot to copy: identifier, or ARN for a cross-region or shared source.
    public var sourceIdentifier: String
    /// The identifier of the new snapshot.
    public var targetIdentifier: String
    /// The KMS key to encrypt the copy with (required for cross-region encrypted copies).
    public var kmsKeyID: String?
    /// Copy the source snapshot's tags.
    public var copyTags: Bool?
    /// Tags for the new snapshot.
    public var tags: [Tag]
    /// The source snapshot's region; not sent, it drives pre-signed URL generation.
    public var sourceRegion: String?
    /// A caller-provided pre-signed URL (redacted when printed).
    public var preSignedURL: PresignedURL?

    /// Creates a request.
    public init(sourceIdentifier: String, targetIdentifier: String, kmsKeyID: String? = nil, copyTags: Bool? = nil, tags: [Tag] = [], sourceRegion: String? = nil, preSignedURL: PresignedURL? = nil) {
        self.sourceIdentifier = sourceIdentifier
        self.targetIdentifier = targetIdentifier
        self.kmsKeyID = kmsKeyID
        self.copyTags = copyTags
        self.tags = tags
        self.sourceRegion = sourceRegion
        self.preSignedURL = preSignedURL
    }

    /// The operation parameters without `PreSignedUrl`, in the order snapcopy (and the
    /// botocore vectors) use: source, target, KMS key, copy-tags, tags.
    var operationParameters: [(String, String)] {
        var parameters: [(String, String)] = [
            ("SourceDBClusterSnapshotIdentifier", sourceIdentifier),
            ("TargetDBClusterSnapshotIdentifier", targetIdentifier),
        ]
        if let kmsKeyID { parameters.append(("KmsKeyId", kmsKeyID)) }
        if let copyTags { parameters.append(("CopyTags", copyTags ? "true" : "false")) }
        parameters += Tag.queryParameters(tags)
        return parameters
    }
}
