import Foundation

/// Rules expanded against live state at a given time: the copies they ask for, the copies their
/// retention lets go, and what blocks them. Pure and deterministic (sorted, stable).
struct RuleExpansion {
    /// Copies the rules ask for, as explicit entries would.
    var copies: [DesiredCopy] = []
    /// Lock records of the rules' copies that fall out of retention, with why.
    var released: [(record: LockRecord, rule: CopyRule, reason: String)] = []
    var problems: [PlanProblem] = []
    var warnings: [PlanWarning] = []

    /// One selected source snapshot.
    struct Source {
        var arn: SnapshotARN
        var identifier: String
        var cluster: String
        var createTime: Date
    }

    /// No rules: nothing.
    init() {}

    /// Expands `rules` against `live` and `records` at `now`; `explicit` copies are checked for collisions.
    init(rules: [CopyRule], explicit: [DesiredCopy], live: LiveState, records: [LockRecord], now: Date) {
        var claimed: [CopyIdentity: String] = [:]
        for copy in explicit { claimed[copy.identity] = "the entry at \(copy.location)" }
        for rule in rules {
            expand(rule, records: records.filter { $0.rule == rule.name }, live: live, now: now, claimed: &claimed)
        }
        warnings = Self.quotaWarnings(rules: rules, copies: copies, live: live, records: records)
    }

    /// The snapshots `rule`'s selector picks from before its window is applied; nil when tags it
    /// must match are unknown.
    static func candidates(of rule: CopyRule, in live: LiveState) -> [LiveSnapshot] {
        live.snapshots.filter { snapshot in
            guard snapshot.region == rule.sourceRegion, snapshot.isNeptune, snapshot.isAvailable,
                  let cluster = snapshot.clusterIdentifier else { return false }
            if let account = rule.sourceAccount {
                guard snapshot.account == account, snapshot.type.isForeign else { return false }
            } else {
                guard !snapshot.type.isForeign, rule.kind.admits(snapshot.type) else { return false }
            }
            return rule.clusters.isEmpty || rule.clusters.contains { $0.matches(cluster) }
        }
    }

    private mutating func expand(_ rule: CopyRule, records: [LockRecord], live: LiveState, now: Date, claimed: inout [CopyIdentity: String]) {
        func problem(_ code: String, _ message: String, target: String = "*", source: String = "", fix: String) {
            problems.append(PlanProblem(rule: code, region: rule.region, target: target, source: source.isEmpty ? "rule \(rule.name)" : source,
                                        message: message, fix: fix, location: rule.location))
        }
        for region in Set([rule.sourceRegion, rule.region]).sorted() where !live.covers(region) {
            problem("region-not-described", "the live state has no data for \(region), which rule \(rule.name) reads; nothing it would copy or delete can be known",
                    fix: Context.captureFix(region))
            return
        }
        var unknownTags = false
        let selected = Self.candidates(of: rule, in: live).filter { snapshot in
            guard !rule.sourceTags.isEmpty else { return true }
            guard let tags = snapshot.tags else { unknownTags = true; return false }
            return rule.sourceTags.allSatisfy { tags[$0.key] == $0.value }
        }
        if unknownTags {
            problem("source-tags-unknown", "rule \(rule.name) selects sources by tags, but the live state has no tags for some candidates (a capture without TagList)",
                    fix: "capture the live state with each snapshot's TagList (`snapcopy capture`), or plan against the API")
            return
        }
        if rule.copyTags, let untagged = selected.first(where: { $0.tags == nil }) {
            problem("source-tags-unknown", "rule \(rule.name) copies its sources' tags, but the live state has no tags for \(untagged.arn)",
                    fix: "capture the live state with each snapshot's TagList (`snapcopy capture`), or plan against the API")
            return
        }
        // Sources per cluster: what the window selects, and what the rule already copied.
        var byCluster: [String: [Source]] = [:]
        for snapshot in selected {
            guard let cluster = snapshot.clusterIdentifier, let created = snapshot.createTime else { continue }
            byCluster[cluster, default: []].append(Source(arn: snapshot.arn, identifier: snapshot.identifier, cluster: cluster, createTime: created))
        }
        for (cluster, sources) in byCluster {
            let newestFirst = sources.sorted(by: Self.newestFirst)
            switch rule.window {
            case .latest(let count): byCluster[cluster] = Array(newestFirst.prefix(count))
            case .within(let duration):
                byCluster[cluster] = newestFirst.filter { $0.createTime >= now.addingTimeInterval(-Double(duration.seconds)) }
            }
        }
        var copied: [String: [(record: LockRecord, source: Source)]] = [:]
        for record in records {
            guard let arn = SnapshotARN(record.sourceARN) else { continue }
            let created = record.sourceCreateTime.flatMap(Timestamp.parse) ?? .distantPast
            let cluster = record.sourceCluster ?? "?"
            copied[cluster, default: []].append((record, Source(arn: arn, identifier: arn.identifier, cluster: cluster, createTime: created)))
        }
        for cluster in Set(byCluster.keys).union(copied.keys).sorted() {
            // The desired sources: the newest `keep` of the selected together with those already
            // copied (so nothing is copied only to be deleted), none older than `maxAge`, and
            // always at least one copy per cluster.
            var pool: [SnapshotARN: Source] = [:]
            for source in byCluster[cluster] ?? [] { pool[source.arn] = source }
            for (_, source) in copied[cluster] ?? [] where pool[source.arn] == nil { pool[source.arn] = source }
            let ranked = pool.values.sorted(by: Self.newestFirst)
            var desired = ranked
            if let maxAge = rule.maxAge {
                desired = desired.filter { $0.createTime >= now.addingTimeInterval(-Double(maxAge.seconds)) }
            }
            if let keep = rule.keep { desired = Array(desired.prefix(keep)) }
            if desired.isEmpty, let newestCopied = (copied[cluster] ?? []).map(\.source).sorted(by: Self.newestFirst).first {
                desired = [newestCopied]
            }
            let desiredARNs = Set(desired.map(\.arn))
            let recordBySource = Dictionary((copied[cluster] ?? []).map { ($0.source.arn, $0.record) }, uniquingKeysWith: { first, _ in first })
            for (record, source) in copied[cluster] ?? [] where !desiredARNs.contains(source.arn) {
                let why = rule.keep.map { "it is no longer among the newest \($0) of cluster \(cluster)" } ?? "its source is older than maxAge \(rule.maxAge?.text ?? "")"
                released.append((record, rule, "fell out of rule \(rule.name)'s retention: \(why)"))
            }
            for source in desired {
                let record = recordBySource[source.arn]
                let sourceLive = live.snapshot(arn: source.arn)
                let target = record?.target ?? rule.target.expand(cluster: cluster, createTime: source.createTime, sourceIdentifier: source.identifier)
                let identity = CopyIdentity(region: rule.region, target: target)
                if let record, sourceLive == nil, live.snapshot(region: record.region, identifier: record.target) == nil {
                    // The copy and its (expired) source are both gone: nothing to keep or make.
                    released.append((record, rule, "the copy and its source are both gone"))
                    continue
                }
                let problems = SnapshotIdentifier.problems(target)
                guard problems.isEmpty else {
                    problem("target-template", "rule \(rule.name) names the copy of \(source.arn) \"\(target)\", which is not a valid identifier: \(problems.joined(separator: "; "))",
                            target: target, source: source.arn.description, fix: "shorten the rule's target template, or use other placeholders")
                    continue
                }
                let origin = "rule \(rule.name) (the copy of \(source.arn))"
                if let other = claimed[identity] {
                    problem("target-collision", "\(origin) and \(other) both want \(target) in \(rule.region)",
                            target: target, source: source.arn.description,
                            fix: "make the rule's target template unique (add {time} or {source}), or rename the entry")
                    continue
                }
                claimed[identity] = origin
                var tags = rule.tags
                tags[CopyRule.ruleTagKey] = rule.name
                var copy = DesiredCopy(
                    target: target, source: .arn(source.arn),
                    region: rule.region, kmsKeyID: rule.kmsKeyID, copyTags: rule.copyTags, tags: tags,
                    ignoreTagKeys: rule.ignoreTagKeys, deletionPolicy: rule.deletionPolicy, roleARN: rule.roleARN, location: rule.location)
                copy.rule = rule.name
                copy.sourceCluster = cluster
                copy.sourceCreateTime = source.createTime
                copies.append(copy)
            }
        }
    }

    static func newestFirst(_ lhs: Source, _ rhs: Source) -> Bool {
        lhs.createTime != rhs.createTime ? lhs.createTime > rhs.createTime : lhs.arn.description < rhs.arn.description
    }

    /// The account's default quota of manual cluster snapshots per region.
    static let manualSnapshotQuota = 100

    /// Regions where the rules would keep more manual snapshots, at steady state, than the default quota.
    static func quotaWarnings(rules: [CopyRule], copies: [DesiredCopy], live: LiveState, records: [LockRecord]) -> [PlanWarning] {
        var warnings: [PlanWarning] = []
        let ruleTargets = Set(copies.map(\.identity)).union(records.filter { $0.rule != nil }.map(\.identity))
        for region in Set(rules.map(\.region)).sorted() {
            let regional = rules.filter { $0.region == region }
            var steady = 0
            for rule in regional {
                let clusters = Set(copies.filter { $0.rule == rule.name }.compactMap(\.sourceCluster)).count
                let current = copies.filter { $0.rule == rule.name }.count
                steady += rule.keep.map { max(current, $0 * max(clusters, 1)) } ?? current
            }
            let others = live.snapshots.filter { $0.region == region && $0.type == .manual && !ruleTargets.contains($0.identity) }.count
            if steady + others > manualSnapshotQuota {
                warnings.append(PlanWarning(
                    region: region, rules: regional.map(\.name).sorted(), count: steady + others,
                    message: "at steady state the rules \(regional.map(\.name).sorted().joined(separator: ", ")) keep \(steady) manual snapshots in \(region), which with the \(others) others there makes \(steady + others), more than the default quota of \(manualSnapshotQuota) manual cluster snapshots per region; lower keep, or ask for a higher quota (Service Quotas: Amazon Neptune, manual DB cluster snapshots)"))
            }
        }
        return warnings
    }
}

/// Something the plan says a reviewer should know, that does not block apply.
public struct PlanWarning: Sendable, Hashable, Codable {
    public var region: String
    public var rules: [String]
    /// The figure it is about (manual snapshots at steady state).
    public var count: Int
    public var message: String

    public init(region: String, rules: [String], count: Int, message: String) {
        self.region = region
        self.rules = rules
        self.count = count
        self.message = message
    }
}
