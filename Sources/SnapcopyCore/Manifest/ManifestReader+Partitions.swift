extension ManifestReader {
    /// The partition a region belongs to, by its name (as in botocore's `partitions.json`).
    static func partition(ofRegion region: String) -> String {
        regionPrefixes.first { region.hasPrefix($0.0) }?.1 ?? "aws"
    }

    private static let regionPrefixes: [(String, String)] = [
        ("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-isob-", "aws-iso-b"), ("us-isof-", "aws-iso-f"),
        ("us-iso-", "aws-iso"), ("eu-isoe-", "aws-iso-e"), ("eusc-", "aws-eusc"),
    ]

    /// Reports a source, KMS key or role ARN of another partition than the destination region's:
    /// no API call can cross partitions (an `aws-cn` snapshot cannot be copied to `us-east-1`).
    mutating func checkPartitions(_ node: JSONNode, path: String, region: String?, source: SnapshotReference?, kmsKeyID: String?, role: String?) {
        guard let region else { return }
        let expected = Self.partition(ofRegion: region)
        // The source's partition is its parsed ARN's (the second field of its text).
        var partitions: [(field: String, partition: String)] = []
        if case .arn(let arn)? = source, arn.partition != expected { partitions.append(("source", arn.partition)) }
        func partition(of arn: String) -> String {
            arn.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).dropFirst().first.map(String.init) ?? ""
        }
        if let kmsKeyID, kmsKeyID.hasPrefix("arn:") { partitions.append(("kmsKeyId", partition(of: kmsKeyID))) }
        if let role { partitions.append(("roleArn", partition(of: role))) }
        for (field, partition) in partitions {
            guard partition != expected else { continue }
            report(node[field] ?? node, "\(path).\(field)", rule: "arn-partition",
                   "the \(field) ARN is in the \(partition) partition, but the destination \(region) is in \(expected); AWS calls cannot cross partitions",
                   fix: "use an ARN of the \(expected) partition (arn:\(expected):...), or a destination region of \(partition)")
        }
    }
}
