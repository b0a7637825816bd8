import Foundation
import Testing
@testable import SnapcopyCore

/// A drift scenario and the findings it must produce (`kind target`, in report order).
struct DriftScenario: CustomTestStringConvertible, Sendable {
    var name: String
    var copies: [DesiredCopy] = [copy()]
    var live: [LiveSnapshot]
    var records: [LockRecord]? = [DriftFixture.recorded()]
    var regions: Set<String> = [east, west, "eu-west-1"]
    var findings: [String]

    var testDescription: String { name }
}

@Suite struct DriftDetectorTests {
    typealias F = DriftFixture
    static let hour = DriftFixture.hour
    static let source = DriftFixture.source

    static let scenarios: [DriftScenario] = [
        DriftScenario(name: "in sync: no findings", live: [F.sourceSnapshot, F.target()], findings: []),

        // missing / unapplied from a pending record
        DriftScenario(name: "missing: the recorded copy is gone (the plan's create is not repeated)",
                      live: [F.sourceSnapshot], findings: ["missing prod-dr"]),
        DriftScenario(name: "missing: the recorded copy is being deleted",
                      live: [F.sourceSnapshot, F.target(status: "deleting")], findings: ["missing prod-dr"]),
        DriftScenario(name: "a pending create whose copy never appeared is unapplied, not missing",
                      live: [F.sourceSnapshot],
                      records: [F.recorded { $0.status = .pending; $0.operation = .create; $0.targetARN = nil; $0.snapshotCreateTime = nil }],
                      findings: ["unapplied prod-dr"]),
        DriftScenario(name: "a pending delete of a departed copy is the plan's forget",
                      copies: [], live: [F.sourceSnapshot],
                      records: [F.recorded { $0.status = .pending; $0.operation = .delete; $0.deletionPolicy = .delete }],
                      findings: ["unapplied prod-dr"]),

        // failed
        DriftScenario(name: "failed: the copy ended failed (the plan's replace is not repeated)",
                      live: [F.sourceSnapshot, F.target(status: "failed")], findings: ["failed prod-dr"]),
        DriftScenario(name: "failed: incompatible-restore counts as failed",
                      live: [F.sourceSnapshot, F.target(status: "incompatible-restore")], findings: ["failed prod-dr"]),

        // stuck: too long
        DriftScenario(name: "stuck: copying one second longer than stuck-after",
                      live: [F.sourceSnapshot, F.target(status: "copying", percent: 40, created: F.ago(24 * hour + 1))],
                      records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(24 * hour + 1)); $0.percentProgress = 35; $0.progressSince = F.iso(F.ago(hour)) }],
                      findings: ["stuck prod-dr"]),
        DriftScenario(name: "not stuck: copying exactly stuck-after",
                      live: [F.sourceSnapshot, F.target(status: "copying", percent: 40, created: F.ago(24 * hour))],
                      records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(24 * hour)); $0.percentProgress = 35; $0.progressSince = F.iso(F.ago(hour)) }],
                      findings: []),
        DriftScenario(name: "stuck: measured from the snapshot's create time when the record has no start",
                      live: [F.sourceSnapshot, F.target(status: "copying", percent: 10, created: F.ago(25 * hour))],
                      records: [F.recorded { $0.status = .copying; $0.startedAt = nil }],
                      findings: ["stuck prod-dr"]),
        DriftScenario(name: "stuck: a creating snapshot counts as in progress",
                      live: [F.sourceSnapshot, F.target(status: "creating", percent: 10, created: F.ago(30 * hour))],
                      records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(30 * hour)) }],
                      findings: ["stuck prod-dr"]),

        // stuck: no progress
        DriftScenario(name: "stalled: the same percent for longer than stalled-after",
                      live: [F.sourceSnapshot, F.target(status: "copying", percent: 40, created: F.ago(8 * hour))],
                      records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(8 * hour)); $0.percentProgress = 40; $0.progressSince = F.iso(F.ago(6 * hour + 1)) }],
                      findings: ["stuck prod-dr"]),
        DriftScenario(name: "not stalled: the same percent for exactly stalled-after",
                      live: [F.sourceSnapshot, F.target(status: "copying", percent: 40, created: F.ago(8 * hour))],
                      records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(8 * hour)); $0.percentProgress = 40; $0.progressSince = F.iso(F.ago(6 * hour)) }],
                      findings: []),
        DriftScenario(name: "merely slow: progress moved since the last observation",
                      live: [F.sourceSnapshot, F.target(status: "copying", percent: 45, created: F.ago(20 * hour))],
                      records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(20 * hour)); $0.percentProgress = 30; $0.progressSince = F.iso(F.ago(12 * hour)) }],
                      findings: []),
        DriftScenario(name: "not stalled: the same percent, first seen recently",
                      live: [F.sourceSnapshot, F.target(status: "copying", percent: 0, created: F.ago(8 * hour))],
                      records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(8 * hour)); $0.percentProgress = 0; $0.progressSince = F.iso(F.ago(5 * hour)) }],
                      findings: []),

        // replaced
        DriftScenario(name: "replaced: another create time",
                      live: [F.sourceSnapshot, F.target(created: F.ago(hour))], findings: ["replaced prod-dr"]),
        DriftScenario(name: "not replaced: the create time within a second (rounding)",
                      live: [F.sourceSnapshot, F.target(created: F.created.addingTimeInterval(0.4))], findings: []),
        DriftScenario(name: "replaced: the API names another source (the plan's replace is not repeated)",
                      live: [F.sourceSnapshot, snapshot(east, "prod-0"), F.target(sourceARN: arn(east, "prod-0").description)],
                      findings: ["replaced prod-dr"]),
        DriftScenario(name: "replaced: another KMS key",
                      copies: [copy(kms: westKey)],
                      live: [snapshot(east, "prod-1", encrypted: true, kms: "k"), F.target(encrypted: true, kms: otherWestKey)],
                      records: [F.recorded { $0.kmsKeyID = westKey }], findings: ["replaced prod-dr"]),
        DriftScenario(name: "not replaced: a recorded alias cannot be compared with the live key",
                      copies: [copy(kms: "alias/neptune-dr")],
                      live: [snapshot(east, "prod-1", encrypted: true, kms: "k"), F.target(encrypted: true, kms: otherWestKey)],
                      records: [F.recorded { $0.kmsKeyID = "alias/neptune-dr" }], findings: []),
        DriftScenario(name: "replaced: the snapshot is in another account than the recorded ARN's",
                      live: [F.sourceSnapshot, F.target(account: partner)], findings: ["replaced prod-dr"]),

        // tags
        DriftScenario(name: "tags-changed: added, changed and removed keys (the plan's update-tags is not repeated)",
                      copies: [copy(tags: ["env": "prod", "owner": "a"])],
                      live: [F.sourceSnapshot, F.target(tags: owned(by: source, ["env": "dev", "team": "x"]))],
                      records: [F.recorded { $0.tags = owned(by: DriftFixture.source, ["env": "prod", "owner": "a"]) }],
                      findings: ["tags-changed prod-dr"]),
        DriftScenario(name: "aws:, rds: and ignored keys never drift",
                      copies: [copy(ignore: ["backup-window"])],
                      live: [F.sourceSnapshot, F.target(tags: owned(by: source, ["aws:backup:id": "1", "RDS:x": "2", "backup-window": "03:00"]))],
                      records: [F.recorded { $0.tags = owned(by: DriftFixture.source, ["aws:old": "gone"]) }],
                      findings: []),
        DriftScenario(name: "an ignored key drifts once the entry no longer ignores it",
                      copies: [copy()],
                      live: [F.sourceSnapshot, F.target(tags: owned(by: source, ["backup-window": "03:00"]))],
                      findings: ["tags-changed prod-dr"]),
        DriftScenario(name: "unknown tags: a note, no finding",
                      live: [F.sourceSnapshot, F.target(tags: nil)], findings: []),

        // regions not covered
        DriftScenario(name: "a record in a region without live data is not checked",
                      live: [F.sourceSnapshot], regions: [east], findings: []),
        DriftScenario(name: "a desired copy in a region without live data is not checked",
                      live: [F.sourceSnapshot], records: nil, regions: [east], findings: []),

        // source-gone
        DriftScenario(name: "source-gone: a warning beside an intact copy",
                      live: [F.target()], findings: ["source-gone prod-dr"]),
        DriftScenario(name: "no source-gone when the source's region has no live data",
                      live: [F.target()], regions: [west], findings: []),
        DriftScenario(name: "missing and source-gone (the plan's blocked entry is explained)",
                      live: [], findings: ["missing prod-dr", "source-gone prod-dr"]),

        // unmanaged
        DriftScenario(name: "unmanaged: an owned snapshot no record knows and no manifest names",
                      copies: [], live: [F.sourceSnapshot, F.target("stray-dr")], records: [],
                      findings: ["unmanaged stray-dr"]),
        DriftScenario(name: "a desired, unrecorded owned snapshot is unapplied (adopt), not unmanaged",
                      live: [F.sourceSnapshot, F.target()], records: nil, findings: ["unapplied prod-dr"]),
        DriftScenario(name: "untagged, shared or unknown-tag snapshots are never unmanaged",
                      copies: [], live: [F.sourceSnapshot, F.target("plain-dr", tags: ["team": "x"]), F.target("unknown-dr", tags: nil),
                                         snapshot(west, "shared-dr", account: partner, type: "shared", tags: owned(by: source))],
                      records: [], findings: []),

        // unapplied from the plan
        DriftScenario(name: "unapplied: a desired copy never made (create)",
                      live: [F.sourceSnapshot], records: nil, findings: ["unapplied prod-dr"]),
        DriftScenario(name: "unapplied: a recorded copy whose entry left the manifests (forget)",
                      copies: [], live: [F.sourceSnapshot, F.target()], findings: ["unapplied prod-dr"]),
        DriftScenario(name: "unapplied: a tag the manifest added (update-tags)",
                      copies: [copy(tags: ["env": "prod"])], live: [F.sourceSnapshot, F.target()], findings: ["unapplied prod-dr"]),
        DriftScenario(name: "unapplied: an entry the plan cannot act on (blocked)",
                      live: [], records: nil, findings: ["unapplied prod-dr"]),
        DriftScenario(name: "a copy waiting for its source is not unapplied",
                      live: [snapshot(east, "prod-1", status: "creating", percent: 10)], records: nil, findings: []),
    ]

    @Test(arguments: scenarios)
    func scenario(_ scenario: DriftScenario) {
        let report = F.detect(scenario.copies, live: scenario.live, records: scenario.records, regions: scenario.regions)
        #expect(report.kindsAndTargets == scenario.findings, "\(report.findings.map { "\($0.kind.rawValue): \($0.message)" })")
    }

    @Test func everyKindHasAScenario() {
        let kinds = Set(Self.scenarios.flatMap(\.findings).compactMap { DriftKind(rawValue: String($0.split(separator: " ")[0])) })
        // rpo-violated belongs to rules: RuleDriftTests covers it.
        #expect(kinds == Set(DriftKind.allCases).subtracting([.rpoViolated]))
    }

    // MARK: - What each finding says

    @Test func missingNamesTheRecordedARNAndNoSince() throws {
        let report = F.detect([copy()], live: [F.sourceSnapshot], records: [F.recorded()])
        let finding = try #require(report.findings.first)
        #expect(finding.expected == "\(arn(west, "prod-dr")) (recorded available)")
        #expect(finding.live == "no snapshot prod-dr in us-west-2 (account \(account))")
        #expect(finding.since == nil)
        #expect(finding.targetARN == arn(west, "prod-dr").description)
        #expect(finding.sourceARN == Self.source.description)
        #expect(finding.location?.file == "m.json")
        #expect(report.hasDrift)
    }

    @Test func pendingCreateIsUnappliedSinceItStarted() throws {
        let started = F.iso(F.ago(2 * Self.hour))
        let report = F.detect([copy()], live: [F.sourceSnapshot],
                              records: [F.recorded { $0.status = .pending; $0.operation = .create; $0.targetARN = nil; $0.startedAt = started }])
        let finding = try #require(report.findings.first)
        #expect(finding.kind == .unapplied)
        #expect(finding.plannedAction == .create)
        #expect(finding.since == started)
        #expect(finding.message.contains("recorded this create as pending at \(started)"))
        #expect(report.checked == [CopyIdentity(region: west, target: "prod-dr")])
    }

    @Test func pendingCreateBlockedByThePlanNamesTheProblem() throws {
        let report = F.detect([copy()], live: [],
                              records: [F.recorded { $0.status = .pending; $0.operation = .create; $0.targetARN = nil }])
        #expect(report.kindsAndTargets == ["unapplied prod-dr", "source-gone prod-dr"])
        let finding = try #require(report.findings.first)
        #expect(finding.plannedAction == nil)
        #expect(finding.blockedBy == "source-missing")
    }

    @Test func stuckSaysWhichTest() throws {
        let tooLong = F.detect([copy()], live: [F.sourceSnapshot, F.target(status: "copying", percent: 40, created: F.ago(31 * Self.hour))],
                               records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(30 * Self.hour)); $0.percentProgress = 40; $0.progressSince = F.iso(F.ago(20 * Self.hour)) }])
        let first = try #require(tooLong.findings.first)
        #expect(first.stuckReason == .tooLong, "too long wins over no progress")
        #expect(first.since == F.iso(F.ago(30 * Self.hour)), "counted from the record's start, not the create time")
        #expect(first.live == "copying at 40% after 30h")
        #expect(first.expected == "available within 24h of starting")
        #expect(first.message.contains("longer than stuck-after (24h)"))

        let stalled = F.detect([copy()], live: [F.sourceSnapshot, F.target(status: "copying", percent: 40, created: F.ago(9 * Self.hour))],
                               records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(9 * Self.hour)); $0.percentProgress = 40; $0.progressSince = F.iso(F.ago(7 * Self.hour)) }])
        let second = try #require(stalled.findings.first)
        #expect(second.stuckReason == .noProgress)
        #expect(second.since == F.iso(F.ago(7 * Self.hour)))
        #expect(second.live == "copying at 40% since \(F.iso(F.ago(7 * Self.hour)))")
        #expect(second.message.contains("has not moved from 40%"))
    }

    @Test func thresholdsArePassedIn() throws {
        let set = ManifestSet(copies: [copy()], diagnostics: [], digest: "sha256:test")
        let lock = LockFile(lineage: "L", records: [F.recorded { $0.status = .copying; $0.startedAt = F.iso(F.ago(3 * Self.hour)) }])
        let state = LiveState([F.sourceSnapshot, F.target(status: "copying", percent: 10)], regions: [east, west])
        let plan = Planner().plan(desired: set, live: state, lock: lock)
        let strict = DriftDetector(now: F.now, stuckAfter: .seconds(2 * 3600), stalledAfter: .seconds(60))
        let report = strict.detect(desired: set, lock: lock, live: state, plan: plan)
        #expect(report.kindsAndTargets == ["stuck prod-dr"])
        #expect(report.thresholds == DriftReport.Thresholds(stuckAfterSeconds: 7200, stalledAfterSeconds: 60))
        #expect(DriftDetector(now: F.now).detect(desired: set, lock: lock, live: state, plan: plan).findings.isEmpty)
    }

    @Test func replacedNamesEachFieldThatDiffers() throws {
        let report = F.detect([copy()], live: [F.sourceSnapshot, snapshot(east, "prod-0"),
                                               F.target(account: partner, sourceARN: arn(east, "prod-0").description, created: F.ago(Self.hour))],
                              records: [F.recorded()])
        let finding = try #require(report.findings.first)
        #expect(finding.kind == .replaced)
        #expect(finding.expected == "created \(F.iso(F.created)); copied from \(Self.source); in account \(account)")
        #expect(finding.live == "created \(F.iso(F.ago(Self.hour))); copied from \(arn(east, "prod-0")); in account \(partner)")
        #expect(finding.message.contains("its create time, source, account differ"))
        #expect(finding.since == F.iso(F.ago(Self.hour)))
        #expect(finding.targetARN == arn(west, "prod-dr", account: partner).description)
    }

    @Test func tagsChangedCarriesEveryKeyWithBothValues() throws {
        let report = F.detect([copy(tags: ["env": "prod", "owner": "a"])],
                              live: [F.sourceSnapshot, F.target(tags: owned(by: Self.source, ["env": "dev", "team": "x", "aws:x": "1"]))],
                              records: [F.recorded { $0.tags = owned(by: DriftFixture.source, ["env": "prod", "owner": "a"]) }])
        let finding = try #require(report.findings.first)
        #expect(finding.kind == .tagsChanged)
        #expect(finding.tagChanges == [
            DriftTagChange(key: "env", expected: "prod", live: "dev"),
            DriftTagChange(key: "owner", expected: "a", live: nil),
            DriftTagChange(key: "team", expected: nil, live: "x"),
        ])
        #expect(finding.tagChanges.map(\.change) == [.changed, .removed, .added])
        #expect(finding.expected == #"tags env = "prod", owner = "a", no team"#)
        #expect(finding.live == #"tags env = "dev", no owner, team = "x""#)
        #expect(finding.message == "3 tags differ from those snapcopy set (1 added, 1 changed, 1 removed)")
    }

    @Test func theOwnershipTagIsComparedLikeAnyOther() throws {
        let report = F.detect([copy()], live: [F.sourceSnapshot, F.target(tags: [TagRules.ownershipKey: "someone-else"])], records: [F.recorded()])
        let finding = try #require(report.findings.first)
        #expect(finding.tagChanges == [DriftTagChange(key: TagRules.ownershipKey, expected: Self.source.description, live: "someone-else")])
    }

    @Test func unknownTagsAreANote() {
        let report = F.detect([copy()], live: [F.sourceSnapshot, F.target(tags: nil)], records: [F.recorded()])
        #expect(report.findings.isEmpty)
        #expect(report.notes == [DriftReport.Note(region: west, target: "prod-dr",
                                                  message: "tags were not compared: the live state has no tags for prod-dr (a capture without TagList)")])
        #expect(report.checked.count == 1)
    }

    @Test func uncoveredRegionsAreListedNotChecked() {
        let records = [F.recorded(), F.recorded("other-dr"), LockRecord(region: "eu-central-1", target: "Far-DR", sourceARN: Self.source.description)]
        let report = F.detect([copy(), copy("new-dr", to: "ap-south-1")], live: [F.sourceSnapshot], records: records, regions: [east])
        #expect(report.findings.isEmpty)
        #expect(report.checked.isEmpty)
        #expect(report.uncheckedRegions == [
            DriftReport.UncheckedRegion(region: "ap-south-1", targets: ["new-dr"]),
            DriftReport.UncheckedRegion(region: "eu-central-1", targets: ["far-dr"]),
            DriftReport.UncheckedRegion(region: west, targets: ["other-dr", "prod-dr"]),
        ])
        #expect(!report.hasDrift)
        #expect(report.summary.line == "No drift: 0 copies checked; 3 regions not checked (no live data).")
    }

    @Test func sourceGoneIsAWarningOnly() throws {
        let report = F.detect([copy()], live: [F.target()], records: [F.recorded()])
        let finding = try #require(report.findings.first)
        #expect(finding.kind == .sourceGone)
        #expect(finding.severity == .warning)
        #expect(!report.hasDrift)
        #expect(report.summary.warnings == 1 && report.summary.findings == 0)
        #expect(finding.live == "no snapshot prod-1 in us-east-1")
    }

    @Test func aSourceGivenByIdentifierIsLookedUpInTheCopysRegion() {
        let local = LockRecord(region: west, target: "local-dr", targetARN: arn(west, "local-dr").description, sourceARN: "rds:cluster-2026-11-20",
                               tags: [TagRules.ownershipKey: "rds:cluster-2026-11-20"])
        let present = F.detect([], live: [F.target("local-dr", tags: local.tags), snapshot(west, "rds:cluster-2026-11-20", type: "automated")],
                               records: [local])
        #expect(present.kindsAndTargets == ["unapplied local-dr"], "only the forget of the departed entry")
        let gone = F.detect([], live: [F.target("local-dr", tags: local.tags)], records: [local])
        #expect(gone.kindsAndTargets == ["unapplied local-dr", "source-gone local-dr"])
    }

    @Test func unmanagedSaysWhatTheOwnershipTagNames() throws {
        let report = F.detect([], live: [F.sourceSnapshot, F.target("stray-dr", created: F.ago(Self.hour))], records: nil)
        let finding = try #require(report.findings.first)
        #expect(finding.kind == .unmanaged)
        #expect(finding.sourceARN == Self.source.description)
        #expect(finding.live == "\(arn(west, "stray-dr")) (available), tagged snapcopy:source = \"\(Self.source)\"")
        #expect(finding.since == F.iso(F.ago(Self.hour)))
        #expect(report.checked.isEmpty, "an unmanaged snapshot is not a managed copy")
    }

    @Test func unappliedSaysWhatThePlanWouldDo() throws {
        let create = try #require(F.detect([copy(kms: nil)], live: [F.sourceSnapshot], records: nil).findings.first)
        #expect(create.plannedAction == .create)
        #expect(create.expected == "a copy of \(Self.source)")
        #expect(create.live == "no snapshot prod-dr in us-west-2")
        #expect(create.message == "the plan would create it: copy from us-east-1 to us-west-2")

        let adopt = try #require(F.detect([copy()], live: [F.sourceSnapshot, F.target()], records: nil).findings.first)
        #expect(adopt.plannedAction == .adopt)
        #expect(adopt.live == "\(arn(west, "prod-dr")) (available)")

        let forget = try #require(F.detect([], live: [F.sourceSnapshot, F.target()], records: [F.recorded()]).findings.first)
        #expect(forget.plannedAction == .forget)
        #expect(forget.expected == "no lock record (its entry left the manifests; the snapshot is kept)")
        #expect(forget.location == nil)

        let tags = try #require(F.detect([copy(tags: ["env": "prod"])], live: [F.sourceSnapshot, F.target()], records: [F.recorded()]).findings.first)
        #expect(tags.plannedAction == .updateTags)
        #expect(tags.tagChanges == [DriftTagChange(key: "env", expected: "prod", live: nil)])
        #expect(tags.expected == #"tags env = "prod""#)

        let blocked = try #require(F.detect([copy()], live: [], records: nil).findings.first)
        #expect(blocked.plannedAction == nil)
        #expect(blocked.blockedBy == "source-missing")
        #expect(blocked.live.hasPrefix("blocked: the source snapshot"))
        #expect(blocked.message.contains("fix: "))
    }

    @Test func unappliedIsNotRepeatedWhenAnotherFindingExplainsIt() {
        // missing → create, tags-changed → update-tags, failed → replace, replaced (source) → replace.
        let copies = [copy("a-dr"), copy("b-dr", tags: ["env": "prod"]), copy("c-dr"), copy("d-dr")]
        let live = [F.sourceSnapshot, snapshot(east, "prod-0"),
                    F.target("b-dr", tags: owned(by: Self.source, ["env": "dev"])),
                    F.target("c-dr", status: "failed"),
                    F.target("d-dr", sourceARN: arn(east, "prod-0").description)]
        let records = [F.recorded("a-dr"), F.recorded("b-dr") { $0.tags = owned(by: DriftFixture.source, ["env": "prod"]) },
                       F.recorded("c-dr"), F.recorded("d-dr")]
        let report = F.detect(copies, live: live, records: records)
        #expect(report.kindsAndTargets == ["missing a-dr", "tags-changed b-dr", "failed c-dr", "replaced d-dr"])
        let plan = makePlan(copies, live: live, records: records)
        #expect(plan.changes.map(\.action) == [.create, .updateTags, .replace, .replace], "the plan would act on each")
    }

    @Test func findingsAreSortedByRegionTargetAndKind() {
        let copies = [copy("b-dr"), copy("a-dr"), copy("c-dr", to: "eu-west-1")]
        let records = [F.recorded("b-dr"), F.recorded("a-dr"), LockRecord(region: "eu-west-1", target: "c-dr", sourceARN: Self.source.description)]
        let report = F.detect(copies, live: [], records: records)
        #expect(report.kindsAndTargets == ["missing c-dr", "source-gone c-dr", "missing a-dr", "source-gone a-dr", "missing b-dr", "source-gone b-dr"])
        #expect(report.checked.map(\.target) == ["c-dr", "a-dr", "b-dr"])
        #expect(report == F.detect(copies.reversed(), live: [], records: records.reversed()), "the same inputs give the same report")
    }

    @Test func theReportRecordsWhenItWasMade() {
        let report = F.detect([copy()], live: [F.sourceSnapshot, F.target()], records: [F.recorded()])
        #expect(report.generatedAt == "2026-11-21T12:00:00Z")
        #expect(report.formatVersion == 1)
        #expect(report.thresholds == DriftReport.Thresholds(stuckAfterSeconds: 86_400, stalledAfterSeconds: 21_600))
        #expect(report.summary.line == "No drift: 1 copy checked.")
    }

    @Test func noLockFileAtAll() {
        let report = F.detect([copy()], live: [F.sourceSnapshot], records: nil)
        #expect(report.kindsAndTargets == ["unapplied prod-dr"])
        #expect(report.checked.isEmpty)
    }
}
