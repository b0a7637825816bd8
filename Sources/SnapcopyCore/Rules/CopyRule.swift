/// A rule of a manifest: copy the snapshots a selector picks, name them by a template, keep the
/// newest, and say how recent the newest copy must be.
public struct CopyRule: Sendable, Hashable {
    /// Which snapshots a rule copies by their `SnapshotType`.
    public enum SnapshotKind: String, Sendable, Hashable, CaseIterable {
        case automated, manual
        /// AWS Backup's snapshots: only when named, never with `any`.
        case awsbackup
        /// Automated and manual.
        case any

        func admits(_ type: SnapshotType) -> Bool {
            switch (self, type) {
            case (.automated, .automated), (.manual, .manual), (.awsbackup, .awsBackup), (.any, .automated), (.any, .manual): true
            default: false
            }
        }
    }

    /// How far back the selector looks, per cluster.
    public enum Window: Sendable, Hashable {
        /// The newest N snapshots.
        case latest(Int)
        /// Snapshots created within this duration before now.
        case within(ISODuration)
    }

    /// A cluster name or glob pattern.
    public struct ClusterPattern: Sendable, Hashable {
        public var text: String
        let glob: GlobPattern

        /// Whether it names one cluster literally (no glob characters).
        public var isLiteral: Bool { !text.contains(where: { "*?[]".contains($0) }) }

        public func matches(_ cluster: String) -> Bool { glob.matches(cluster) }

        /// Parses a cluster pattern.
        public static func parse(_ text: String) -> ClusterPattern? {
            guard !text.isEmpty, let glob = try? GlobPattern(text) else { return nil }
            return ClusterPattern(text: text, glob: glob)
        }
    }

    public var name: String
    // Selection
    /// The region the sources are in.
    public var sourceRegion: String
    /// The account that shares the sources, for snapshots shared with this one.
    public var sourceAccount: String?
    /// Clusters the sources belong to (empty: every cluster).
    public var clusters: [ClusterPattern]
    public var kind: SnapshotKind
    /// Tags every source must carry (all of them).
    public var sourceTags: Tags
    public var window: Window
    // Destination
    public var region: String
    public var target: TargetTemplate
    public var kmsKeyID: String?
    public var copyTags: Bool
    public var tags: Tags
    public var ignoreTagKeys: [String]
    public var roleARN: String?
    /// What happens to the rule's copies when the rule leaves the manifests (retention deletes regardless).
    public var deletionPolicy: DeletionPolicy
    // Retention and recovery point
    /// The newest N copies per cluster are kept.
    public var keep: Int?
    /// Copies whose source is older than this are deleted.
    public var maxAge: ISODuration?
    /// The newest copy per cluster must be younger than this (from its source's creation).
    public var rpo: ISODuration?
    public var location: ManifestLocation

    /// The tag naming the rule that made a copy.
    public static let ruleTagKey = "snapcopy:rule"

    /// A digest of everything that defines the rule.
    public var digest: String {
        var fields = [
            "rule=\(name)", "sourceRegion=\(sourceRegion)", "sourceAccount=\(sourceAccount ?? "")",
            "clusters=\(clusters.map(\.text).joined(separator: ","))", "kind=\(kind.rawValue)", "region=\(region)",
            "target=\(target.text)", "kmsKeyId=\(kmsKeyID ?? "")", "copyTags=\(copyTags)", "roleArn=\(roleARN ?? "")",
            "deletionPolicy=\(deletionPolicy.rawValue)", "keep=\(keep.map(String.init) ?? "")", "maxAge=\(maxAge?.text ?? "")",
            "rpo=\(rpo?.text ?? "")", "ignoreTagKeys=\(ignoreTagKeys.sorted().joined(separator: ","))",
        ]
        switch window {
        case .latest(let count): fields.append("latest=\(count)")
        case .within(let duration): fields.append("within=\(duration.text)")
        }
        fields += sourceTags.sorted.map { "select-tag:\($0.key)=\($0.value)" } + tags.sorted.map { "tag:\($0.key)=\($0.value)" }
        return Digest.sha256(fields.joined(separator: "\n"))
    }
}
