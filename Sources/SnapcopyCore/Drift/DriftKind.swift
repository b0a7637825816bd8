/// What kind of difference a drift finding reports. A closed set: every switch over it names each case.
///
/// The declaration order is the order findings of one copy are sorted in and the order the
/// renderers group them in.
public enum DriftKind: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
    /// A recorded copy is gone from the account.
    case missing
    /// Live tags differ from what snapcopy set (`aws:`/`rds:` keys and ignored keys aside).
    case tagsChanged = "tags-changed"
    /// The target exists but is not the snapshot snapcopy made (another create time, source, KMS key or account).
    case replaced
    /// The manifests ask for something that was never applied: what the plan would still do.
    case unapplied
    /// A copy in progress longer than the stuck threshold, or whose progress stopped moving.
    case stuck
    /// A copy ended in a failed state.
    case failed
    /// A snapshot carrying snapcopy's ownership tag that no lock record knows and no manifest names.
    case unmanaged
    /// A rule's newest available copy of a cluster is older than the rule's RPO (or there is none).
    case rpoViolated = "rpo-violated"
    /// The source of a recorded copy no longer exists: worth knowing, reported as a warning.
    case sourceGone = "source-gone"

    /// Whether a finding of this kind is drift or only a warning.
    public var severity: DriftSeverity {
        switch self {
        case .missing, .tagsChanged, .replaced, .unapplied, .stuck, .failed, .unmanaged, .rpoViolated: .drift
        case .sourceGone: .warning
        }
    }

    /// A short phrase for the kind's findings, as in a heading: "recorded copies gone from the account".
    public var summary: String {
        switch self {
        case .missing: "recorded copies gone from the account"
        case .tagsChanged: "live tags differ from the tags snapcopy set"
        case .replaced: "targets that are not the snapshot snapcopy made"
        case .unapplied: "what the manifests ask for that was never applied"
        case .stuck: "copies taking too long or making no progress"
        case .failed: "copies that ended in a failed state"
        case .unmanaged: "snapshots with snapcopy's ownership tag that no record or manifest knows"
        case .rpoViolated: "rules whose newest copy is older than their RPO"
        case .sourceGone: "sources of recorded copies that no longer exist"
        }
    }

    /// The kind's position in the declaration order, for sorting.
    var order: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }

    /// The kind whose name `text` is, compared case-insensitively.
    init?(name text: String) {
        guard let kind = Self.allCases.first(where: { $0.rawValue == text.lowercased() }) else { return nil }
        self = kind
    }
}

/// Whether a finding is drift (the command exits 2) or a warning (reported, exit 0).
public enum DriftSeverity: String, Sendable, Hashable, Codable, CaseIterable {
    case drift
    case warning
}
