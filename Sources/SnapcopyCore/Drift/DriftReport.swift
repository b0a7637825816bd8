import Foundation

/// What `snapcopy drift` found: a value, rendered elsewhere (text, JSON, Markdown, JUnit).
///
/// The JSON form is versioned (`formatVersion`) and described by `schemas/drift.schema.json`.
/// Everything in it is sorted, so the same inputs give the same bytes.
public struct DriftReport: Sendable, Hashable {
    /// The version of the drift document (`schemas/drift.schema.json`).
    public static let currentFormatVersion = 1

    /// A region the live state has no data for: its copies were not checked.
    public struct UncheckedRegion: Sendable, Hashable, Codable {
        public var region: String
        /// The recorded or desired copies there, lower-cased and sorted.
        public var targets: [String]

        public init(region: String, targets: [String]) {
            self.region = region
            self.targets = targets
        }
    }

    /// Something worth saying about a copy that is not a finding, such as tags that could not be compared.
    public struct Note: Sendable, Hashable, Codable {
        public var region: String
        public var target: String
        public var message: String

        public init(region: String, target: String, message: String) {
            self.region = region
            self.target = target
            self.message = message
        }
    }

    /// The thresholds the report was made with, in whole seconds.
    public struct Thresholds: Sendable, Hashable, Codable {
        /// A copy in progress longer than this is stuck.
        public var stuckAfterSeconds: Int
        /// A copy whose progress has not moved for longer than this is stuck.
        public var stalledAfterSeconds: Int

        public init(stuckAfterSeconds: Int, stalledAfterSeconds: Int) {
            self.stuckAfterSeconds = stuckAfterSeconds
            self.stalledAfterSeconds = stalledAfterSeconds
        }
    }

    /// A rule's recovery point for one cluster: its newest available copy, and whether it is within the RPO.
    public struct RecoveryPoint: Sendable, Hashable, Codable {
        public var rule: String
        /// The cluster, or `*` when the rule's selector matches no cluster at all.
        public var cluster: String
        /// The rule's destination region.
        public var region: String
        public var rpoSeconds: Int
        /// The newest available copy, when there is one.
        public var newestCopy: String?
        /// When that copy's source was created (ISO 8601).
        public var sourceCreateTime: String?
        /// Its age from the source's creation, in seconds.
        public var ageSeconds: Int?
        public var violated: Bool

        /// The identity its findings and JUnit case carry: region and `RULE/CLUSTER`.
        public var identity: CopyIdentity { CopyIdentity(region: region, target: "\(rule)/\(cluster)") }
    }

    public var formatVersion: Int
    /// When the report was made (ISO 8601, UTC): the `now` the detector was given.
    public var generatedAt: String
    /// Every finding not ignored, by region, target and kind.
    public var findings: [DriftFinding]
    /// The managed copies (lock records) whose region the live state covers, sorted.
    public var checked: [CopyIdentity]
    /// Regions without live data, with the copies there, sorted by region.
    public var uncheckedRegions: [UncheckedRegion]
    /// Notes by region and target.
    public var notes: [Note]
    /// How many findings ignore rules removed.
    public var ignored: Int
    public var thresholds: Thresholds
    /// The rules' recovery points, by rule and cluster.
    public var recoveryPoints: [RecoveryPoint] = []

    /// A report; findings, copies, regions and notes are sorted here.
    public init(
        generatedAt: String, findings: [DriftFinding], checked: [CopyIdentity], uncheckedRegions: [UncheckedRegion] = [],
        notes: [Note] = [], ignored: Int = 0, thresholds: Thresholds
    ) {
        self.formatVersion = Self.currentFormatVersion
        self.generatedAt = generatedAt
        self.findings = findings.sorted(by: DriftFinding.precedes)
        self.checked = Array(Set(checked)).sorted()
        self.uncheckedRegions = uncheckedRegions.map { UncheckedRegion(region: $0.region, targets: Array(Set($0.targets)).sorted()) }
            .sorted { $0.region < $1.region }
        self.notes = notes.sorted { ($0.region, $0.target.lowercased(), $0.message) < ($1.region, $1.target.lowercased(), $1.message) }
        self.ignored = ignored
        self.thresholds = thresholds
    }

    /// Whether any finding is drift (warnings are not).
    public var hasDrift: Bool { findings.contains(where: \.isDrift) }

    /// Counts by kind and severity.
    public var summary: DriftSummary {
        var summary = DriftSummary()
        for finding in findings {
            summary.byKind[finding.kind, default: 0] += 1
            switch finding.severity {
            case .drift: summary.findings += 1
            case .warning: summary.warnings += 1
            }
        }
        summary.checked = checked.count
        summary.ignored = ignored
        summary.regionsNotChecked = uncheckedRegions.count
        return summary
    }

    /// The findings about `identity`, in report order.
    public func findings(for identity: CopyIdentity) -> [DriftFinding] {
        findings.filter { $0.identity == identity }
    }
}

extension DriftReport: Codable {
    private enum CodingKeys: String, CodingKey {
        case formatVersion, generatedAt, findings, checked, uncheckedRegions, notes, ignored, thresholds, recoveryPoints, summary, hasDrift
    }

    /// Reads a report; `summary` and `hasDrift` are derived, so they are not read back.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            generatedAt: try container.decode(String.self, forKey: .generatedAt),
            findings: try container.decode([DriftFinding].self, forKey: .findings),
            checked: try container.decode([CopyIdentity].self, forKey: .checked),
            uncheckedRegions: try container.decode([UncheckedRegion].self, forKey: .uncheckedRegions),
            notes: try container.decode([Note].self, forKey: .notes),
            ignored: try container.decode(Int.self, forKey: .ignored),
            thresholds: try container.decode(Thresholds.self, forKey: .thresholds))
        formatVersion = try container.decode(Int.self, forKey: .formatVersion)
        recoveryPoints = try container.decodeIfPresent([RecoveryPoint].self, forKey: .recoveryPoints) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(generatedAt, forKey: .generatedAt)
        try container.encode(findings, forKey: .findings)
        try container.encode(checked, forKey: .checked)
        try container.encode(uncheckedRegions, forKey: .uncheckedRegions)
        try container.encode(notes, forKey: .notes)
        try container.encode(ignored, forKey: .ignored)
        try container.encode(thresholds, forKey: .thresholds)
        if !recoveryPoints.isEmpty { try container.encode(recoveryPoints, forKey: .recoveryPoints) }
        try container.encode(summary, forKey: .summary)
        try container.encode(hasDrift, forKey: .hasDrift)
    }
}
