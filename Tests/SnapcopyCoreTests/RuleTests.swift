import Foundation
import Testing
@testable import SnapcopyCore

/// Rules: reading them, expanding them against live state at a fixed time, retention and RPO.
@Suite struct RuleTests {
    static let now = "2026-11-25T12:00:00Z"
    /// Nightly automated snapshots of graph-prod on 20 to 25 November (the 23rd missing), and of graph-dev.
    static let nightly: [LiveSnapshot] = ["20", "21", "22", "24", "25"].map { automated("graph-prod", "2026-11-\($0)T03:00:00Z") }
        + [automated("graph-dev", "2026-11-25T03:10:00Z"), snapshot(east, "graph-prod-manual", type: "manual", created: time("2026-11-24T09:00:00Z"), cluster: "graph-prod")]

    static let basic = #"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-prod"]}, "copy": {"target": "{cluster}-{date}-dr"}}"#

    func targets(_ plan: Plan, _ action: Action = .create) -> [String] {
        plan.changes.filter { $0.action == action }.map(\.target).sorted()
    }

    /// A lock record of rule `rule`'s copy of `source`.
    func made(_ target: String, from source: LiveSnapshot, rule: String = "dr") -> LockRecord {
        var record = LockRecord(region: west, target: target, targetARN: arn(west, target).description, sourceARN: source.arn.description,
                                tags: owned(by: source.arn, [CopyRule.ruleTagKey: rule]), deletionPolicy: .retain, status: .available)
        record.rule = rule
        record.sourceCluster = source.clusterIdentifier
        record.sourceCreateTime = source.createTime.map(Timestamp.format)
        return record
    }

    /// The live copy a record describes, tagged as the rule tags it.
    func copyOf(_ record: LockRecord, tags: Tags? = nil) -> LiveSnapshot {
        snapshot(west, record.target, sourceARN: record.sourceARN, tags: tags ?? record.tags)
    }

    // MARK: - Reading

    @Test("a rule is read with its defaults, and what validate can know offline is checked", arguments: [
        (#"{"name": "x", "copy": {"target": "{cluster}-{week}"}}"#, "{week} is not a placeholder"),
        (#"{"name": "x", "copy": {"target": "{cluster}_dr"}}"#, "the literal character '_' is not allowed"),
        (#"{"name": "x", "copy": {"target": "fixed-name"}}"#, "it has no placeholder"),
        (#"{"name": "x", "select": {"clusters": ["\#(String(repeating: "c", count: 50))"]}, "copy": {"target": "{source}-dr"}}"#, "makes identifiers of up to"),
        (#"{"name": "x", "select": {"latest": 1, "within": "P7D"}, "copy": {"target": "{date}"}}"#, "cannot both be given"),
        (#"{"name": "x", "select": {"within": "P1M"}, "copy": {"target": "{date}"}}"#, "years and months vary"),
        (#"{"name": "x", "select": {"type": "shared"}, "copy": {"target": "{date}"}}"#, "is not a snapshot type"),
        (#"{"name": "x", "copy": {"target": "{date}"}, "retain": {"keep": 0}}"#, "at least 1"),
        (#"{"name": "a\nb", "copy": {"target": "{date}"}}"#, "is not a valid tag value"),
        (#"{"name": "x", "copy": {"target": "{date}"}, "rpo": "26 hours"}"#, "not an ISO 8601 duration"),
        (#"{"name": "x", "copy": {"target": "{date}"}, "retian": {}}"#, "did you mean \"retain\""),
    ])
    func readsAndChecksRules(rule: String, message: String) throws {
        let set = ManifestLoader().load([ManifestSource(path: "r.json", text: "{\"version\": 1, \"defaults\": {\"region\": \"us-west-2\"}, \"rules\": [\(rule)]}")])
        #expect(!set.isValid)
        #expect(set.diagnostics.contains { $0.message.contains(message) }, "\(set.diagnostics.map(\.message))")
        #expect(set.diagnostics.allSatisfy { $0.location.path.hasPrefix("rules[0]") && !$0.fix.isEmpty })
    }

    @Test func readsAWholeRule() throws {
        let rule = try #require(rules(#"""
            {"name": "graph-prod-dr", "select": {"region": "us-east-1", "account": "210987654321", "clusters": ["graph-prod", "graph-*"],
             "type": "manual", "tags": {"backup": "yes"}, "within": "P7D"},
             "copy": {"region": "eu-west-1", "kmsKeyId": "alias/dr", "tags": {"purpose": "dr"}, "copyTags": true, "target": "{cluster}-{date}-{time}"},
             "retain": {"keep": 7, "maxAge": "P30D"}, "rpo": "PT26H"}
            """#, defaults: #"{"region": "us-west-2", "tags": {"managed-by": "snapcopy"}, "ignoreTagKeys": ["window"]}"#).first)
        #expect(rule.sourceRegion == east && rule.region == "eu-west-1" && rule.sourceAccount == partner)
        #expect(rule.clusters.map(\.text) == ["graph-prod", "graph-*"] && rule.kind == .manual && rule.sourceTags == ["backup": "yes"])
        #expect(rule.window == .within(try ISODuration.parse("P7D").get()))
        #expect(rule.tags == ["managed-by": "snapcopy", "purpose": "dr"] && rule.ignoreTagKeys == ["window"] && rule.copyTags)
        #expect(rule.keep == 7 && rule.maxAge?.seconds == 30 * 86_400 && rule.rpo?.seconds == 26 * 3600)
    }

    @Test func ruleNamesAreUniqueAcrossManifests() {
        let text = "{\"version\": 1, \"defaults\": {\"region\": \"us-west-2\"}, \"rules\": [\(Self.basic)]}"
        let set = ManifestLoader().load([ManifestSource(path: "a.json", text: text), ManifestSource(path: "b.json", text: text)])
        #expect(set.diagnostics.map(\.rule) == ["duplicate-rule"])
        #expect(set.diagnostics.first?.message.contains("a.json") == true)
    }

    @Test(arguments: [("P7D", 604_800), ("PT26H", 93_600), ("P1DT12H", 129_600), ("P2W", 1_209_600), ("PT90M", 5_400), ("pt45s", 45)])
    func parsesDurations(text: String, seconds: Int) throws {
        #expect(try ISODuration.parse(text).get().seconds == seconds)
    }

    @Test(arguments: ["", "P", "7D", "PT", "P1Y", "P1M", "PT1D", "P1H", "P0D", "P1DT", "P1.5D"])
    func refusesDurations(text: String) {
        #expect(throws: IdentifierError.self) { try ISODuration.parse(text).get() }
    }

    /// Each part fits in an Int but their sum does not: this used to trap on the overflow (found
    /// while writing the Manifest fuzz target's inputs).
    @Test(arguments: ["PT9223372036854775807S1S", "P15250284452471W9223372036854775807S", "P1DT9223372036854775807S"])
    func refusesDurationsWhoseSumOverflows(text: String) {
        #expect(throws: IdentifierError.self) { try ISODuration.parse(text).get() }
    }

    // MARK: - Expansion

    @Test("latest N per cluster, only available Neptune snapshots of the selected type")
    func latestPerCluster() {
        let rule = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-*"], "latest": 2}, "copy": {"target": "{cluster}-{date}-dr"}}"#)
        let live = Self.nightly + [automated("graph-prod", "2026-11-25T04:00:00Z").with(status: "creating"),
                                   automated("aurora-1", "2026-11-25T03:00:00Z").with(engine: "aurora-postgresql")]
        let plan = planRules(rule, live: live, now: Self.now)
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(targets(plan) == ["graph-dev-2026-11-25-dr", "graph-prod-2026-11-24-dr", "graph-prod-2026-11-25-dr"])
        #expect(plan.changes.allSatisfy { $0.rule == "dr" && $0.after?.tags?[CopyRule.ruleTagKey] == "dr" })
        #expect(plan.changes.first?.reasons.contains("asked for by rule dr") == true)
    }

    @Test("within a look-back, and manual or any types")
    func withinAndTypes() {
        let within = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-prod"], "within": "P3DT9H"}, "copy": {"target": "{source}-dr"}}"#)
        #expect(targets(planRules(within, live: Self.nightly, now: Self.now)) == ["graph-prod-2026-11-22-03-00-dr", "graph-prod-2026-11-24-03-00-dr", "graph-prod-2026-11-25-03-00-dr"])
        let manual = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-prod"], "type": "manual"}, "copy": {"target": "{source}-dr"}}"#)
        #expect(targets(planRules(manual, live: Self.nightly, now: Self.now)) == ["graph-prod-manual-dr"])
        let any = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-prod"], "type": "any", "latest": 2}, "copy": {"target": "{source}-dr"}}"#)
        #expect(targets(planRules(any, live: Self.nightly, now: Self.now)) == ["graph-prod-2026-11-25-03-00-dr", "graph-prod-manual-dr"])
        let backup = snapshot(east, "awsbackup:job-1", type: "awsbackup", created: time("2026-11-25T05:00:00Z"), cluster: "graph-prod")
        #expect(targets(planRules(any, live: Self.nightly + [backup], now: Self.now)).count == 2, "AWS Backup snapshots only when named")
        let named = rules(#"{"name": "dr", "select": {"region": "us-east-1", "type": "awsbackup"}, "copy": {"target": "{source}-dr"}}"#)
        #expect(targets(planRules(named, live: Self.nightly + [backup], now: Self.now)) == ["awsbackup-job-1-dr"])
    }

    @Test("tags must all match; unknown tags block with a fix")
    func selectsByTags() {
        let rule = rules(#"{"name": "dr", "select": {"region": "us-east-1", "type": "manual", "tags": {"backup": "yes", "tier": "1"}}, "copy": {"target": "{source}-dr"}}"#)
        let live = [snapshot(east, "a", tags: ["backup": "yes", "tier": "1"], created: time("2026-11-24T00:00:00Z"), cluster: "c"),
                    snapshot(east, "b", tags: ["backup": "yes"], created: time("2026-11-24T00:00:00Z"), cluster: "c2")]
        #expect(targets(planRules(rule, live: live, now: Self.now)) == ["a-dr"])
        let unknown = planRules(rule, live: [snapshot(east, "a", tags: nil, created: time("2026-11-24T00:00:00Z"), cluster: "c")], now: Self.now)
        #expect(unknown.problems.map(\.rule) == ["source-tags-unknown"])
    }

    @Test("snapshots shared from another account, by account")
    func sharedAccount() {
        let rule = rules(#"{"name": "dr", "select": {"region": "us-east-1", "account": "210987654321", "clusters": ["partner"]}, "copy": {"region": "us-east-1", "target": "{source}-copy"}}"#)
        let shared = snapshot(east, "partner-1", account: partner, type: "shared", created: time("2026-11-24T00:00:00Z"), cluster: "partner")
        let own = snapshot(east, "partner-2", type: "manual", created: time("2026-11-25T00:00:00Z"), cluster: "partner")
        let plan = planRules(rule, live: [shared, own], now: Self.now)
        #expect(targets(plan) == ["partner-1-copy"])
        #expect(plan.changes.first?.source == shared.arn.description)
    }

    @Test("templates are sanitised into identifiers", arguments: [
        ("{cluster}-{date}-dr", "graph.prod", "snap-2026", "graph-prod-2026-11-25-dr"),
        ("{source}", "c", "rds:c-2026-11-25-03-00", "c-2026-11-25-03-00"),
        ("{date}-{cluster}", "c", "x", "snap-2026-11-25-c"),
        ("{cluster}--{time}-", "c__1", "x", "c-1-0310"),
    ])
    func sanitises(template: String, cluster: String, source: String, expected: String) throws {
        let parsed = try TargetTemplate.parse(template).get()
        #expect(parsed.expand(cluster: cluster, createTime: time("2026-11-25T03:10:00Z"), sourceIdentifier: source) == expected)
    }

    @Test("an expansion still invalid, or colliding with another expansion or an entry, blocks naming both")
    func collisionsAndInvalidExpansions() {
        let two = rules(#"{"name": "a", "select": {"region": "us-east-1", "clusters": ["graph-prod"]}, "copy": {"target": "{cluster}-{date}"}}, {"name": "b", "select": {"region": "us-east-1", "clusters": ["graph-prod"]}, "copy": {"target": "{cluster}-{date}"}}"#)
        let plan = planRules(two, live: Self.nightly, now: Self.now)
        let collision = plan.problems.first { $0.rule == "target-collision" }
        #expect(collision?.message.contains("rule b") == true && collision?.message.contains("rule a") == true, "\(plan.problems)")
        let entry = copy("graph-prod-2026-11-25", from: .arn(arn(east, "other")))
        let withEntry = planRules(rules(Self.basic.replacingOccurrences(of: "-dr\"", with: "\"")), copies: [entry], live: Self.nightly, now: Self.now)
        #expect(withEntry.problems.contains { $0.rule == "target-collision" && $0.message.contains("the entry at m.json copies[0]") })
        let long = rules(#"{"name": "x", "select": {"region": "us-east-1"}, "copy": {"target": "{cluster}-{source}-{date}"}}"#)
        let longCluster = automated(String(repeating: "g", count: 30), "2026-11-25T03:00:00Z")
        #expect(planRules(long, live: [longCluster], now: Self.now).problems.map(\.rule) == ["target-template"])
    }

    // MARK: - The desired set and retention

    @Test("the desired set is the newest keep of the selected together with those already copied: latest 1, keep 7 accumulates")
    func accumulates() {
        let rule = rules(Self.basic.replacingOccurrences(of: "}}", with: "}, \"retain\": {\"keep\": 3}}"))
        let prod = Self.nightly.filter { $0.clusterIdentifier == "graph-prod" && $0.type == .automated }.sorted { $0.createTime! < $1.createTime! }
        let records = prod.prefix(3).map { made("graph-prod-\(Timestamp.format($0.createTime!).prefix(10))-dr", from: $0) }
        let live = Self.nightly + records.map { copyOf($0) }
        let plan = planRules(rule, live: live, records: Array(records), now: Self.now)
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(targets(plan) == ["graph-prod-2026-11-25-dr"], "only the newest is selected (latest 1)")
        #expect(targets(plan, .delete) == ["graph-prod-2026-11-20-dr"], "3 kept: the new one and the two newest copies")
        #expect(targets(plan, .noop) == ["graph-prod-2026-11-21-dr", "graph-prod-2026-11-22-dr"])
        #expect(plan.changes.first { $0.action == .delete }?.reasons.first?.contains("no longer among the newest 3") == true)
    }

    @Test("retention at its boundaries: exactly N keeps all, N+1 deletes one", arguments: [(3, [String]()), (2, ["graph-prod-2026-11-20-dr"])])
    func keepBoundary(keep: Int, deleted: [String]) {
        let rule = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-prod"], "within": "PT1H"}, "copy": {"target": "{cluster}-{date}-dr"}, "retain": {"keep": \#(keep)}}"#)
        let prod = Self.nightly.filter { $0.clusterIdentifier == "graph-prod" && $0.type == .automated }.sorted { $0.createTime! < $1.createTime! }
        let records = prod.prefix(3).map { made("graph-prod-\(Timestamp.format($0.createTime!).prefix(10))-dr", from: $0) }
        let plan = planRules(rule, live: Self.nightly + records.map { copyOf($0) }, records: Array(records), now: Self.now)
        #expect(targets(plan, .delete) == deleted)
        #expect(targets(plan).isEmpty)
    }

    @Test("maxAge on the second, and the last copy is never deleted")
    func maxAgeBoundary() throws {
        let source = automated("graph-prod", "2026-11-20T03:00:00Z")
        let newer = automated("graph-prod", "2026-11-21T03:00:00Z")
        let records = [made("old-dr", from: source), made("newer-dr", from: newer)]
        let live = [source, newer] + records.map { copyOf($0) }
        let rule = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-prod"], "within": "PT1H"}, "copy": {"target": "{cluster}-{date}-dr"}, "retain": {"maxAge": "P5D"}}"#)
        // Exactly five days after the older source it is still kept; one second later it goes.
        #expect(targets(planRules(rule, live: live, records: records, now: "2026-11-25T03:00:00Z"), .delete).isEmpty)
        #expect(targets(planRules(rule, live: live, records: records, now: "2026-11-25T03:00:01Z"), .delete) == ["old-dr"])
        // Long after both: the newest copy is kept.
        let late = planRules(rule, live: live, records: records, now: "2026-12-30T00:00:00Z")
        #expect(targets(late, .delete) == ["old-dr"])
        #expect(late.changes.first { $0.target == "newer-dr" }?.action == .noop)
    }

    @Test("retention deletes only copies whose tags confirm the rule made them; a copy made by hand is never touched")
    func deletesOnlyConfirmedCopies() {
        let rule = rules(Self.basic.replacingOccurrences(of: "}}", with: "}, \"retain\": {\"keep\": 1}}"))
        let oldSource = automated("graph-prod", "2026-11-20T03:00:00Z")
        let untagged = made("graph-prod-2026-11-20-dr", from: oldSource)
        let handMade = snapshot(west, "graph-prod-2026-11-21-dr", sourceARN: Self.nightly[1].arn.description, tags: ["made-by": "hand"])
        let plan = planRules(rule, live: Self.nightly + [copyOf(untagged, tags: owned(by: oldSource.arn)), handMade],
                             records: [untagged], now: Self.now)
        let released = plan.changes.first { $0.target == "graph-prod-2026-11-20-dr" }
        #expect(released?.action == .forget, "no snapcopy:rule tag: forgotten, not deleted")
        #expect(released?.reasons.first?.contains("not deleted: its tags do not confirm rule dr made it") == true)
        #expect(!plan.changes.contains { $0.target == "graph-prod-2026-11-21-dr" }, "the hand-made copy is not planned at all")
        #expect(!plan.changes.contains { $0.action == .delete })
    }

    @Test("an expired automated source of a kept copy is normal; copy and source both gone is dropped")
    func expiredSources() {
        let rule = rules(Self.basic.replacingOccurrences(of: "}}", with: "}, \"retain\": {\"keep\": 7}}"))
        let expired = automated("graph-prod", "2026-11-10T03:00:00Z")
        let kept = made("graph-prod-2026-11-10-dr", from: expired)
        let plan = planRules(rule, live: Self.nightly + [copyOf(kept)], records: [kept], now: Self.now)
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        #expect(plan.changes.first { $0.target == kept.target }?.action == .noop)
        let gone = planRules(rule, live: Self.nightly, records: [kept], now: Self.now)
        #expect(gone.problems.isEmpty, "\(gone.problems)")
        #expect(gone.changes.first { $0.target == kept.target }?.action == .forget)
    }

    @Test("a selector that matches nothing plans nothing")
    func matchesNothing() {
        let plan = planRules(rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["nothing-*"]}, "copy": {"target": "{source}"}}"#),
                             live: Self.nightly, now: Self.now)
        #expect(plan.changes.isEmpty && plan.problems.isEmpty)
    }

    @Test("the plan warns when the rules would keep more manual snapshots in a region than the default quota")
    func quotaWarning() {
        let rule = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-*"]}, "copy": {"target": "{cluster}-{date}-dr"}, "retain": {"keep": 60}}"#)
        let plan = planRules(rule, live: Self.nightly, now: Self.now)
        #expect(plan.warnings.count == 1)
        #expect(plan.warnings.first?.count == 120 && plan.warnings.first?.rules == ["dr"])
        #expect(TextPlanRenderer(color: false).render(plan).contains("more than the default quota of 100"))
        let small = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-*"]}, "copy": {"target": "{cluster}-{date}-dr"}, "retain": {"keep": 7}}"#)
        #expect(planRules(small, live: Self.nightly, now: Self.now).warnings.isEmpty)
    }

    @Test("plans of rules are deterministic, and show the rule in every format")
    func deterministicAndShown() throws {
        let rule = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-*"], "latest": 3}, "copy": {"target": "{cluster}-{date}-dr"}}"#)
        let first = planRules(rule, live: Self.nightly, now: Self.now)
        let second = planRules(rule, live: Self.nightly.reversed(), now: Self.now)
        #expect(first == second)
        #expect(TextPlanRenderer(color: false).render(first).contains("      rule dr\n"))
        #expect(MarkdownPlanRenderer().render(first).contains("rule `dr`"))
        #expect(try JSONPlanRenderer().render(first).contains("\"rule\": \"dr\""))
        #expect(first.inputs.time == Self.now)
    }

    // MARK: - RPO

    @Test("RPO at its boundary: exactly the RPO old is within it, one second more is a violation; no copy is one too")
    func rpoBoundary() throws {
        let rule = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["graph-prod", "graph-dev"]}, "copy": {"target": "{cluster}-{date}-dr"}, "rpo": "PT26H"}"#)
        let source = automated("graph-prod", "2026-11-24T03:00:00Z")
        let record = made("graph-prod-2026-11-24-dr", from: source)
        func report(at now: String) -> DriftReport {
            DriftFixture.detect([], live: [source, copyOf(record)], records: [record], now: time(now), rules: rule)
        }
        let within = report(at: "2026-11-25T05:00:00Z")
        #expect(within.recoveryPoints.map(\.violated) == [true, false], "graph-dev has no copy; graph-prod is exactly 26h old")
        #expect(within.findings.filter { $0.kind == .rpoViolated }.map(\.target) == ["dr/graph-dev"])
        #expect(within.findings.first { $0.kind == .rpoViolated }?.live == "no copy")
        let late = report(at: "2026-11-25T05:00:01Z")
        #expect(late.findings.filter { $0.kind == .rpoViolated }.map(\.target).sorted() == ["dr/graph-dev", "dr/graph-prod"])
        #expect(late.findings.first { $0.target == "dr/graph-prod" }?.live.contains("26h old") == true)
        #expect(late.hasDrift)
        #expect(!late.findings.contains { $0.kind == .sourceGone }, "a rule copy's expired source is not worth a warning")
        let junit = JUnitDriftRenderer().render(late)
        #expect(junit.contains("name=\"dr/graph-dev\"") && junit.contains("name=\"dr/graph-prod\""))
    }

    @Test("a rule whose selector matches nothing reports its RPO violation")
    func rpoOfNothing() {
        let rule = rules(#"{"name": "dr", "select": {"region": "us-east-1", "clusters": ["nothing-*"]}, "copy": {"target": "{source}"}, "rpo": "P1D"}"#)
        let report = DriftFixture.detect([], live: Self.nightly, records: [], now: time(Self.now), rules: rule)
        #expect(report.findings.map(\.target) == ["dr/*"])
        #expect(report.findings.first?.message.contains("its selector matches no snapshot") == true)
    }
}

extension LiveSnapshot {
    func with(status: String? = nil, engine: String? = nil) -> LiveSnapshot {
        var copy = self
        if let status { copy.status = SnapshotStatus(status) }
        if let engine { copy.engine = engine }
        return copy
    }
}
