/// One difference between what the manifests and the lock file say and what is live, for one copy.
///
/// `expected` and `live` are short sentences for people (tag values in them are JSON-quoted, so
/// they stay on one line); the structured fields (`tagChanges`, `plannedAction`, `stuckReason`,
/// ARNs) carry the same facts for programs.
public struct DriftFinding: Sendable, Hashable {
    /// Why a copy counts as stuck.
    public enum StuckReason: String, Sendable, Hashable, Codable, CaseIterable {
        /// In progress longer than the stuck threshold, counted from its start.
        case tooLong = "too-long"
        /// Its progress has not moved across the observations the lock file recorded, for longer than the stalled threshold.
        case noProgress = "no-progress"
    }

    /// The copy's destination region.
    public var region: String
    /// The target identifier, as the manifest writes it or as the lock file records it.
    public var target: String
    public var kind: DriftKind
    /// What the manifests and the lock file say should be there.
    public var expected: String
    /// What is there.
    public var live: String
    /// A one-line explanation for people.
    public var message: String
    /// Since when the finding holds (ISO 8601, UTC), when known.
    public var since: String?
    /// For `tags-changed` (and an `unapplied` tag update): each key that differs, sorted by key.
    public var tagChanges: [DriftTagChange]
    /// For `unapplied`: what the plan would do.
    public var plannedAction: Action?
    /// For `unapplied` of an entry the plan cannot act on: the rule of the plan's problem.
    public var blockedBy: String?
    /// For `stuck`: which of the two tests it failed.
    public var stuckReason: StuckReason?
    /// The live target's ARN, or the recorded one when it is gone.
    public var targetARN: String?
    /// The copy's source ARN as recorded (or as the ownership tag names it).
    public var sourceARN: String?
    /// Where the entry is declared, for copies the manifests name.
    public var location: ManifestLocation?

    public init(
        region: String, target: String, kind: DriftKind, expected: String, live: String, message: String,
        since: String? = nil, tagChanges: [DriftTagChange] = [], plannedAction: Action? = nil, blockedBy: String? = nil,
        stuckReason: StuckReason? = nil, targetARN: String? = nil, sourceARN: String? = nil, location: ManifestLocation? = nil
    ) {
        self.region = region
        self.target = target
        self.kind = kind
        self.expected = expected
        self.live = live
        self.message = message
        self.since = since
        self.tagChanges = tagChanges
        self.plannedAction = plannedAction
        self.blockedBy = blockedBy
        self.stuckReason = stuckReason
        self.targetARN = targetARN
        self.sourceARN = sourceARN
        self.location = location
    }

    public var severity: DriftSeverity { kind.severity }
    /// Whether the finding is drift rather than a warning.
    public var isDrift: Bool { severity == .drift }
    public var identity: CopyIdentity { CopyIdentity(region: region, target: target) }

    /// The order of a report: by region, target (case-insensitively), kind, then the rest of the text.
    static func precedes(_ a: DriftFinding, _ b: DriftFinding) -> Bool {
        let first = (a.region, a.target.lowercased(), a.kind.order), second = (b.region, b.target.lowercased(), b.kind.order)
        if first != second { return first < second }
        return (a.target, a.expected, a.live, a.message) < (b.target, b.expected, b.live, b.message)
    }
}

extension DriftFinding: Codable {
    private enum CodingKeys: String, CodingKey {
        case region, target, kind, severity, expected, live, message, since, tagChanges, plannedAction, blockedBy
        case stuckReason, targetARN, sourceARN, location
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            region: try container.decode(String.self, forKey: .region),
            target: try container.decode(String.self, forKey: .target),
            kind: try container.decode(DriftKind.self, forKey: .kind),
            expected: try container.decode(String.self, forKey: .expected),
            live: try container.decode(String.self, forKey: .live),
            message: try container.decode(String.self, forKey: .message),
            since: try container.decodeIfPresent(String.self, forKey: .since),
            tagChanges: try container.decodeIfPresent([DriftTagChange].self, forKey: .tagChanges) ?? [],
            plannedAction: try container.decodeIfPresent(Action.self, forKey: .plannedAction),
            blockedBy: try container.decodeIfPresent(String.self, forKey: .blockedBy),
            stuckReason: try container.decodeIfPresent(StuckReason.self, forKey: .stuckReason),
            targetARN: try container.decodeIfPresent(String.self, forKey: .targetARN),
            sourceARN: try container.decodeIfPresent(String.self, forKey: .sourceARN),
            location: try container.decodeIfPresent(ManifestLocation.self, forKey: .location))
    }

    /// Writes every stored field (optional ones only when present) and the severity the kind implies.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(region, forKey: .region)
        try container.encode(target, forKey: .target)
        try container.encode(kind, forKey: .kind)
        try container.encode(severity, forKey: .severity)
        try container.encode(expected, forKey: .expected)
        try container.encode(live, forKey: .live)
        try container.encode(message, forKey: .message)
        try container.encodeIfPresent(since, forKey: .since)
        try container.encode(tagChanges, forKey: .tagChanges)
        try container.encodeIfPresent(plannedAction, forKey: .plannedAction)
        try container.encodeIfPresent(blockedBy, forKey: .blockedBy)
        try container.encodeIfPresent(stuckReason, forKey: .stuckReason)
        try container.encodeIfPresent(targetARN, forKey: .targetARN)
        try container.encodeIfPresent(sourceARN, forKey: .sourceARN)
        try container.encodeIfPresent(location, forKey: .location)
    }
}

/// One tag that differs between what was expected and what is live, with both values.
///
/// The direction is always "how the live copy differs": `added` is a key the live copy has and
/// snapcopy did not set, `removed` one snapcopy set that the live copy lost.
public struct DriftTagChange: Sendable, Hashable {
    /// How the live tag differs.
    public enum Change: String, Sendable, Hashable, Codable, CaseIterable {
        case added, changed, removed
    }

    public var key: String
    /// The value snapcopy set (or the plan wants); nil when the key was added on the live copy.
    public var expected: String?
    /// The live value; nil when the key was removed.
    public var live: String?

    public init(key: String, expected: String?, live: String?) {
        self.key = key
        self.expected = expected
        self.live = live
    }

    public var change: Change {
        switch (expected, live) {
        case (nil, _): .added
        case (.some, nil): .removed
        case (.some, .some): .changed
        }
    }

    /// The differences between `expected` and `live`, sorted by key.
    public static func differences(expected: Tags, live: Tags) -> [DriftTagChange] {
        expected.changes(to: live).map { DriftTagChange(key: $0.key, expected: $0.before, live: $0.after) }
    }
}

extension DriftTagChange: Codable {
    private enum CodingKeys: String, CodingKey {
        case key, change, expected, live
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(key: try container.decode(String.self, forKey: .key),
                  expected: try container.decodeIfPresent(String.self, forKey: .expected),
                  live: try container.decodeIfPresent(String.self, forKey: .live))
    }

    /// Writes the key, the values present, and the change they imply.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key)
        try container.encode(change, forKey: .change)
        try container.encodeIfPresent(expected, forKey: .expected)
        try container.encodeIfPresent(live, forKey: .live)
    }
}
