/// What the planner decided for one copy. A closed set: every switch over it names each case.
public enum Action: String, Sendable, Hashable, Codable, CaseIterable {
    /// The target is missing and will be copied from its source.
    case create
    /// The target exists, was made from this source, and its tags match.
    case noop
    /// The target matches except for tags.
    case updateTags = "update-tags"
    /// A target snapcopy owns names another source or KMS key: delete it and copy again. Destructive.
    case replace
    /// The target (or its source) is still being made.
    case wait
    /// The target exists, matches, and is not yet recorded: record it, with no API write.
    case adopt
    /// A recorded copy left the manifests and its policy is `delete`.
    case delete
    /// A recorded copy left the manifests and its policy is `retain`: drop the record, keep the snapshot.
    case forget

    /// Whether applying the action changes anything (the lock file or the account).
    public var isChange: Bool {
        switch self {
        case .noop, .wait: false
        case .create, .updateTags, .replace, .adopt, .delete, .forget: true
        }
    }

    /// Whether the action destroys a snapshot.
    public var isDestructive: Bool {
        switch self {
        case .replace, .delete: true
        case .create, .noop, .updateTags, .wait, .adopt, .forget: false
        }
    }
}

/// A snapshot as the plan sees it: the live target (`before`) or the copy the manifests ask for (`after`).
public struct SnapshotState: Sendable, Hashable, Codable {
    public var identifier: String
    public var region: String
    public var arn: String?
    public var sourceARN: String?
    public var kmsKeyID: String?
    public var status: SnapshotStatus?
    public var percentProgress: Int?
    /// When the snapshot was taken (live targets only).
    public var createTime: String?
    public var storageEncrypted: Bool?
    /// The tags; nil for a live target whose tags are unknown (a capture without `TagList`).
    public var tags: Tags?
    public var copyTags: Bool?
    public var deletionPolicy: DeletionPolicy?
    public var roleARN: String?
    /// For a rule's copy: the source's cluster and creation time.
    public var sourceCluster: String?
    public var sourceCreateTime: String?

    public init(
        identifier: String, region: String, arn: String? = nil, sourceARN: String? = nil, kmsKeyID: String? = nil,
        status: SnapshotStatus? = nil, percentProgress: Int? = nil, createTime: String? = nil, storageEncrypted: Bool? = nil,
        tags: Tags? = [:], copyTags: Bool? = nil, deletionPolicy: DeletionPolicy? = nil, roleARN: String? = nil
    ) {
        self.identifier = identifier
        self.region = region
        self.arn = arn
        self.sourceARN = sourceARN
        self.kmsKeyID = kmsKeyID
        self.status = status
        self.percentProgress = percentProgress
        self.createTime = createTime
        self.storageEncrypted = storageEncrypted
        self.tags = tags
        self.copyTags = copyTags
        self.deletionPolicy = deletionPolicy
        self.roleARN = roleARN
    }

    /// The live target as the plan records it.
    public init(live target: LiveSnapshot, sourceARN: String?) {
        self.init(identifier: target.identifier, region: target.region, arn: target.arn.description, sourceARN: sourceARN,
                  kmsKeyID: target.kmsKeyID, status: target.status, percentProgress: target.percentProgress,
                  createTime: target.createTime.map(Timestamp.format), storageEncrypted: target.storageEncrypted,
                  tags: target.tags)
    }
}

/// One decision of the plan, with what is there now, what will be there, and why.
public struct PlannedChange: Sendable, Hashable, Codable {
    public var action: Action
    public var region: String
    /// The target identifier as written in the manifest (or recorded in the lock file).
    public var target: String
    /// The source as written in the manifest (or recorded).
    public var source: String
    /// The live target, when one exists.
    public var before: SnapshotState?
    /// The desired copy; nil for `delete` and `forget`.
    public var after: SnapshotState?
    /// Key-by-key tag changes between `before` and `after`.
    public var tagChanges: [TagChange]
    /// Sentences for people reading the plan. They explain; they never drive apply.
    public var reasons: [String]
    /// Copies that must be `available` before this one can start (chained copies).
    public var dependsOn: [CopyIdentity]
    /// Where the entry was declared; nil when it left the manifests.
    public var location: ManifestLocation?
    /// The digest of the manifest entry, recorded in the lock file.
    public var entryDigest: String?
    /// Tag keys other systems manage on this copy: never compared, added or removed.
    public var ignoredTagKeys: [String]
    /// Whether the live target is snapcopy's (recorded in the lock file, or carrying its ownership tag).
    public var ownsTarget: Bool
    /// The rule that asks for this copy (or whose retention deletes it); nil for explicit entries.
    public var rule: String?

    public init(
        action: Action, region: String, target: String, source: String, before: SnapshotState? = nil,
        after: SnapshotState? = nil, tagChanges: [TagChange] = [], reasons: [String] = [],
        dependsOn: [CopyIdentity] = [], location: ManifestLocation? = nil, entryDigest: String? = nil,
        ignoredTagKeys: [String] = [], ownsTarget: Bool = false
    ) {
        self.action = action
        self.region = region
        self.target = target
        self.source = source
        self.before = before
        self.after = after
        self.tagChanges = tagChanges
        self.reasons = reasons
        self.dependsOn = dependsOn
        self.location = location
        self.entryDigest = entryDigest
        self.ignoredTagKeys = ignoredTagKeys
        self.ownsTarget = ownsTarget
    }

    private enum CodingKeys: String, CodingKey {
        case action, region, target, source, before, after, tagChanges, reasons, dependsOn, location, entryDigest, ignoredTagKeys, ownsTarget, rule
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        action = try container.decode(Action.self, forKey: .action)
        region = try container.decode(String.self, forKey: .region)
        target = try container.decode(String.self, forKey: .target)
        source = try container.decode(String.self, forKey: .source)
        before = try container.decodeIfPresent(SnapshotState.self, forKey: .before)
        after = try container.decodeIfPresent(SnapshotState.self, forKey: .after)
        tagChanges = try container.decode([TagChange].self, forKey: .tagChanges)
        reasons = try container.decode([String].self, forKey: .reasons)
        dependsOn = try container.decode([CopyIdentity].self, forKey: .dependsOn)
        location = try container.decodeIfPresent(ManifestLocation.self, forKey: .location)
        entryDigest = try container.decodeIfPresent(String.self, forKey: .entryDigest)
        ignoredTagKeys = try container.decodeIfPresent([String].self, forKey: .ignoredTagKeys) ?? []
        ownsTarget = try container.decodeIfPresent(Bool.self, forKey: .ownsTarget) ?? false
        rule = try container.decodeIfPresent(String.self, forKey: .rule)
    }

    public var identity: CopyIdentity { CopyIdentity(region: region, target: target) }
    public var requiresReplacement: Bool { action == .replace }

    /// The tags the target will carry once this change is applied; nil when they are unknown or it will be gone.
    public var tagsAfterApply: Tags? {
        switch action {
        case .create, .replace:
            return after?.tags
        case .updateTags, .adopt, .noop, .wait:
            guard var tags = before?.tags else { return before == nil ? after?.tags : nil }
            for change in tagChanges { tags[change.key] = change.after }
            return tags
        case .delete, .forget:
            return nil
        }
    }
}

/// An entry the plan cannot act on, and why. Apply refuses to run while any exist.
public struct PlanProblem: Sendable, Hashable, Codable, CustomStringConvertible {
    public var rule: String
    public var region: String
    public var target: String
    public var source: String
    public var message: String
    public var fix: String
    public var location: ManifestLocation?

    public init(rule: String, region: String, target: String, source: String, message: String, fix: String, location: ManifestLocation?) {
        self.rule = rule
        self.region = region
        self.target = target
        self.source = source
        self.message = message
        self.fix = fix
        self.location = location
    }

    public var description: String {
        "\(target) (\(region)): \(message)\(location.map { " [\($0)]" } ?? "")\n  fix: \(fix)"
    }
}

/// What the plan was computed from; a saved plan is stale when any of it moved.
public struct PlanInputs: Sendable, Hashable, Codable {
    public var manifestDigest: String
    public var lockLineage: String?
    public var lockSerial: Int?
    /// The manifest paths given to `plan`, so a saved plan can re-read them to prove it is not stale.
    public var manifestPaths: [String]?
    /// The time rules were expanded at (plans with rules only).
    public var time: String?

    public init(manifestDigest: String, lockLineage: String? = nil, lockSerial: Int? = nil, manifestPaths: [String]? = nil) {
        self.manifestDigest = manifestDigest
        self.lockLineage = lockLineage
        self.lockSerial = lockSerial
        self.manifestPaths = manifestPaths
    }
}

/// Counts of changes by kind.
public struct PlanSummary: Sendable, Hashable, Codable {
    public var create = 0
    public var updateTags = 0
    public var replace = 0
    public var delete = 0
    public var adopt = 0
    public var forget = 0
    public var wait = 0
    public var noop = 0
    public var problems = 0

    public init() {}
}

/// The plan: a value, rendered elsewhere, applied elsewhere.
public struct Plan: Sendable, Hashable, Codable {
    /// The version of the plan document (`schemas/plan.schema.json`).
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    /// Changes in the order apply runs them: dependencies first, then by region and target.
    public var changes: [PlannedChange]
    public var problems: [PlanProblem]
    /// What a reviewer should know that does not block apply (the rules' snapshot quota).
    public var warnings: [PlanWarning] = []
    public var inputs: PlanInputs

    public init(changes: [PlannedChange], problems: [PlanProblem], inputs: PlanInputs) {
        self.formatVersion = Self.currentFormatVersion
        self.changes = changes
        self.problems = problems
        self.inputs = inputs
    }

    /// Whether applying the plan would change nothing.
    public var isEmpty: Bool { !changes.contains { $0.action.isChange } }
    public var hasProblems: Bool { !problems.isEmpty }

    public var summary: PlanSummary {
        var summary = PlanSummary()
        for index in changes.indices {
            switch changes[index].action {
            case .create: summary.create += 1
            case .updateTags: summary.updateTags += 1
            case .replace: summary.replace += 1
            case .delete: summary.delete += 1
            case .adopt: summary.adopt += 1
            case .forget: summary.forget += 1
            case .wait: summary.wait += 1
            case .noop: summary.noop += 1
            }
        }
        summary.problems = problems.count
        return summary
    }

    private enum CodingKeys: String, CodingKey {
        case formatVersion, changes, problems, warnings, inputs, summary, hasChanges
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try container.decode(Int.self, forKey: .formatVersion)
        changes = try container.decode([PlannedChange].self, forKey: .changes)
        problems = try container.decode([PlanProblem].self, forKey: .problems)
        warnings = try container.decodeIfPresent([PlanWarning].self, forKey: .warnings) ?? []
        inputs = try container.decode(PlanInputs.self, forKey: .inputs)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(formatVersion, forKey: .formatVersion)
        try container.encode(changes, forKey: .changes)
        try container.encode(problems, forKey: .problems)
        if !warnings.isEmpty { try container.encode(warnings, forKey: .warnings) }
        try container.encode(inputs, forKey: .inputs)
        try container.encode(summary, forKey: .summary)
        try container.encode(!isEmpty, forKey: .hasChanges)
    }
}
