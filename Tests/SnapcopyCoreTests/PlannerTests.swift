import Foundation
import Testing
@testable import SnapcopyCore

let account = "123456789012"
let partner = "210987654321"
let east = "us-east-1"
let west = "us-west-2"
let westKey = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
let otherWestKey = "arn:aws:kms:us-west-2:123456789012:key/99999999-12ab-34cd-56ef-1234567890ab"

func arn(_ region: String, _ id: String, account: String = account) -> SnapshotARN {
    SnapshotARN(region: region, account: account, identifier: id)
}

func snapshot(
    _ region: String, _ id: String, account: String = account, status: String = "available", percent: Int? = 100,
    encrypted: Bool = false, kms: String? = nil, type: String = "manual", engine: String = "neptune",
    sourceARN: String? = nil, tags: Tags? = [:], created: Date? = nil, cluster: String? = nil
) -> LiveSnapshot {
    LiveSnapshot(identifier: id, arn: arn(region, id, account: account), clusterIdentifier: cluster, status: SnapshotStatus(status),
                 percentProgress: percent, engine: engine, storageEncrypted: encrypted, kmsKeyID: kms,
                 type: SnapshotType(type, identifier: id), createTime: created, sourceARN: sourceARN, tags: tags)
}

func copy(
    _ target: String = "prod-dr", from source: SnapshotReference = .arn(arn(east, "prod-1")), to region: String = west,
    kms: String? = nil, copyTags: Bool = false, tags: Tags = [:], policy: DeletionPolicy = .retain,
    ignore: [String] = [], role: String? = nil
) -> DesiredCopy {
    DesiredCopy(target: target, source: source, region: region, kmsKeyID: kms, copyTags: copyTags, tags: tags,
                ignoreTagKeys: ignore, deletionPolicy: policy, roleARN: role,
                location: ManifestLocation(file: "m.json", path: "copies[0]"))
}

func owned(by source: SnapshotARN, _ extra: Tags = [:]) -> Tags {
    Tags([TagRules.ownershipKey: source.description]).merging(extra)
}

func record(_ target: String = "prod-dr", region: String = west, source: SnapshotARN = arn(east, "prod-1"),
            policy: DeletionPolicy = .retain, kms: String? = nil) -> LockRecord {
    LockRecord(region: region, target: target, targetARN: arn(region, target).description, sourceARN: source.description,
               kmsKeyID: kms, tags: owned(by: source), deletionPolicy: policy, status: .available, entryDigest: "")
}

func makePlan(_ copies: [DesiredCopy], live: [LiveSnapshot], records: [LockRecord]? = nil, regions: Set<String> = [east, west, "eu-west-1"]) -> Plan {
    let set = ManifestSet(copies: copies, diagnostics: [], digest: "sha256:test")
    let lock = records.map { LockFile(lineage: "L", serial: 3, records: $0) }
    return Planner().plan(desired: set, live: LiveState(live, regions: regions), lock: lock)
}

/// A planner scenario and its expected outcome.
struct Scenario: CustomTestStringConvertible, Sendable {
    var name: String
    var copies: [DesiredCopy]
    var live: [LiveSnapshot]
    var records: [LockRecord]? = nil
    /// The action of the change for `prod-dr` (or the only change), or nil when a problem is expected.
    var action: Action?
    var problem: String? = nil
    var reason: String? = nil

    var testDescription: String { name }
}

@Suite struct PlannerTests {
    static let source = arn(east, "prod-1")

    static let scenarios: [Scenario] = [
        Scenario(name: "create cross-region encrypted with key",
                 copies: [copy(kms: westKey)], live: [snapshot(east, "prod-1", encrypted: true, kms: "k")],
                 action: .create, reason: "copy from us-east-1 to us-west-2"),
        Scenario(name: "create same-region by identifier",
                 copies: [copy(from: .identifier("prod-1"), to: east)], live: [snapshot(east, "prod-1")],
                 action: .create, reason: "copy within us-east-1"),
        Scenario(name: "create again when the recorded copy vanished",
                 copies: [copy()], live: [snapshot(east, "prod-1")], records: [record()],
                 action: .create, reason: "no longer exists"),
        Scenario(name: "noop when recorded and tags match",
                 copies: [copy(tags: ["env": "prod"])],
                 live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: owned(by: source, ["env": "prod"]))],
                 records: [record()], action: .noop),
        Scenario(name: "noop ignores aws: and rds: tags and ignored keys",
                 copies: [copy(tags: ["env": "prod"], ignore: ["owner"])],
                 live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: owned(by: source, ["env": "prod", "aws:x": "1", "rds:y": "2", "owner": "z"]))],
                 records: [record()], action: .noop),
        Scenario(name: "update-tags when tags differ",
                 copies: [copy(tags: ["env": "prod"])],
                 live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: owned(by: source, ["env": "dev", "old": "1"]))],
                 records: [record()], action: .updateTags),
        Scenario(name: "update-tags repairs a missing ownership tag on a recorded copy",
                 copies: [copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr")],
                 records: [record()], action: .updateTags),
        Scenario(name: "replace when the source changed",
                 copies: [copy(from: .arn(arn(east, "prod-2")))],
                 live: [snapshot(east, "prod-2"), snapshot(west, "prod-dr", tags: owned(by: source))],
                 records: [record()], action: .replace, reason: "the source changed"),
        Scenario(name: "replace when the KMS key changed",
                 copies: [copy(kms: otherWestKey)],
                 live: [snapshot(east, "prod-1", encrypted: true, kms: "k"), snapshot(west, "prod-dr", encrypted: true, kms: westKey, tags: owned(by: source))],
                 records: [record(kms: westKey)], action: .replace, reason: "KMS key changed"),
        Scenario(name: "replace a failed copy of ours",
                 copies: [copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", status: "failed", tags: owned(by: source))],
                 records: [record()], action: .replace, reason: "status failed"),
        Scenario(name: "wait while the target is copying",
                 copies: [copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", status: "copying", percent: 40, tags: owned(by: source))],
                 records: [record()], action: .wait, reason: "copying (40%)"),
        Scenario(name: "wait while the source is creating",
                 copies: [copy()], live: [snapshot(east, "prod-1", status: "creating", percent: 10)],
                 action: .wait, reason: "creating (10%)"),
        Scenario(name: "adopt an unrecorded copy with the ownership tag",
                 copies: [copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: owned(by: source))],
                 action: .adopt),
        Scenario(name: "adopt an unrecorded copy the API says was made from the source",
                 copies: [copy(tags: ["a": "b"])],
                 live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", sourceARN: source.description, tags: ["a": "b", TagRules.ownershipKey: source.description])],
                 action: .adopt),
        Scenario(name: "update-tags and record an unrecorded copy whose tags differ",
                 copies: [copy(tags: ["a": "b"])],
                 live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", sourceARN: source.description)],
                 action: .updateTags, reason: "not yet recorded"),
        Scenario(name: "chained copy waits for its upstream copy",
                 copies: [copy("mid", from: .arn(arn(east, "prod-1")), to: west, kms: westKey),
                          copy("prod-dr", from: .arn(arn(west, "mid")), to: "eu-west-1")],
                 live: [snapshot(east, "prod-1", encrypted: true, kms: "k")],
                 action: .create, reason: "which another entry creates"),
        Scenario(name: "source missing blocks",
                 copies: [copy()], live: [], action: nil, problem: "source-missing"),
        Scenario(name: "source region not described blocks",
                 copies: [copy(from: .arn(arn("eu-central-1", "x")))], live: [snapshot(east, "prod-1")],
                 action: nil, problem: "source-region-unknown"),
        Scenario(name: "encrypted cross-region without key blocks",
                 copies: [copy()], live: [snapshot(east, "prod-1", encrypted: true, kms: "k")], action: nil, problem: "kms-key-required"),
        Scenario(name: "encrypted shared snapshot without key blocks",
                 copies: [copy(from: .arn(arn(east, "p", account: partner)), to: east)],
                 live: [snapshot(east, "p", account: partner, encrypted: true, kms: "k", type: "shared")], action: nil, problem: "kms-key-required"),
        Scenario(name: "encrypted shared snapshot across regions blocks",
                 copies: [copy(from: .arn(arn(east, "p", account: partner)), kms: westKey)],
                 live: [snapshot(east, "p", account: partner, encrypted: true, kms: "k", type: "shared")], action: nil, problem: "shared-encrypted-cross-region"),
        Scenario(name: "unencrypted source with a key blocks",
                 copies: [copy(kms: westKey)], live: [snapshot(east, "prod-1")], action: nil, problem: "kms-key-unencrypted-source"),
        Scenario(name: "target owned by something else blocks",
                 copies: [copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr")], action: nil, problem: "target-conflict"),
        Scenario(name: "target copied from another source by someone else blocks",
                 copies: [copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", sourceARN: arn(east, "other").description)],
                 action: nil, problem: "target-conflict"),
        Scenario(name: "failed source blocks",
                 copies: [copy()], live: [snapshot(east, "prod-1", status: "failed")], action: nil, problem: "source-failed"),
        Scenario(name: "merged tags over the limit block",
                 copies: [copy(copyTags: true)],
                 live: [snapshot(east, "prod-1", tags: Tags(Dictionary(uniqueKeysWithValues: (0..<50).map { ("k\($0)", "v") })))],
                 action: nil, problem: "tag-count"),
        Scenario(name: "cycle blocks",
                 copies: [copy("a", from: .identifier("b"), to: east), copy("b", from: .identifier("a"), to: east)],
                 live: [], action: nil, problem: "copy-cycle"),
    ]

    @Test(arguments: scenarios)
    func decides(_ scenario: Scenario) throws {
        let plan = makePlan(scenario.copies, live: scenario.live, records: scenario.records)
        if let problem = scenario.problem {
            #expect(plan.problems.map(\.rule).contains(problem), "problems: \(plan.problems.map(\.rule))")
            #expect(plan.hasProblems)
            #expect(plan.problems.allSatisfy { !$0.fix.isEmpty && $0.location != nil })
            return
        }
        #expect(plan.problems.isEmpty, "unexpected problems: \(plan.problems)")
        let change = try #require(plan.changes.first { $0.target == "prod-dr" } ?? plan.changes.first)
        #expect(change.action == scenario.action)
        if let reason = scenario.reason {
            #expect(change.reasons.contains { $0.contains(reason) }, "reasons: \(change.reasons)")
        }
    }

    @Test func deleteAndForgetDepartedRecords() {
        let plan = makePlan([], live: [snapshot(west, "keep-me"), snapshot(west, "drop-me")],
                            records: [record("keep-me"), record("drop-me", policy: .delete), record("gone", policy: .delete)])
        let actions = Dictionary(uniqueKeysWithValues: plan.changes.map { ($0.target, $0.action) })
        #expect(actions == ["keep-me": .forget, "drop-me": .delete, "gone": .forget])
        #expect(plan.summary.delete == 1 && plan.summary.forget == 2)
        #expect(plan.changes.first { $0.target == "drop-me" }?.before?.arn == arn(west, "drop-me").description)
    }

    @Test func mergesCopiedTagsUnderManifestTagsAndAddsOwnership() throws {
        let plan = makePlan([copy(from: .identifier("prod-1"), to: east, copyTags: true, tags: ["env": "reports"], ignore: ["window"])],
                            live: [snapshot(east, "prod-1", tags: ["env": "prod", "owner": "a", "aws:x": "y", "window": "3"])])
        let after = try #require(plan.changes.first?.after)
        #expect(after.tags == ["env": "reports", "owner": "a", TagRules.ownershipKey: arn(east, "prod-1").description])
    }

    @Test func tagDiffNamesAddedChangedAndRemovedKeys() throws {
        let plan = makePlan([copy(tags: ["env": "prod", "new": "1"])],
                            live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: owned(by: PlannerTests.source, ["env": "dev", "old": "x"]))],
                            records: [record()])
        let changes = try #require(plan.changes.first?.tagChanges)
        #expect(changes == [
            TagChange(key: "env", before: "dev", after: "prod"),
            TagChange(key: "new", before: nil, after: "1"),
            TagChange(key: "old", before: "x", after: nil),
        ])
        #expect(changes.map(\.kind) == [.change, .add, .remove])
    }

    @Test func chainedCopiesComeAfterTheirUpstreamInApplyOrder() {
        let plan = makePlan([copy("a-final", from: .arn(arn(west, "z-mid")), to: "eu-west-1"),
                             copy("z-mid", from: .arn(arn(east, "prod-1")), to: west)],
                            live: [snapshot(east, "prod-1")])
        #expect(plan.changes.map(\.target) == ["z-mid", "a-final"])
        #expect(plan.changes.last?.dependsOn == [CopyIdentity(region: west, target: "z-mid")])
    }

    @Test func ignoresOtherEnginesAndSharedSnapshotsAsTargets() {
        let plan = makePlan([copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", engine: "aurora-mysql"),
                                             snapshot(west, "prod-dr", account: partner, type: "shared")])
        #expect(plan.changes.first?.action == .create)
    }

    @Test func aliasKeysAreNotComparedOffline() throws {
        let plan = makePlan([copy(kms: "alias/dr")],
                            live: [snapshot(east, "prod-1", encrypted: true, kms: "k"), snapshot(west, "prod-dr", encrypted: true, kms: westKey, tags: owned(by: PlannerTests.source))],
                            records: [record()])
        let change = try #require(plan.changes.first)
        #expect(change.action == .noop)
        #expect(change.reasons.contains { $0.contains("cannot be compared") })
    }

    @Test func planIsDeterministicAndRecordsItsInputs() {
        let copies = (0..<20).map { copy("t\($0)", from: .identifier("s\($0 % 3)"), to: east) }
        let live = (0..<3).map { snapshot(east, "s\($0)") }
        let one = makePlan(copies, live: live, records: [])
        let two = makePlan(copies.reversed(), live: live.reversed(), records: [])
        #expect(one == two)
        #expect(one.inputs == PlanInputs(manifestDigest: "sha256:test", lockLineage: "L", lockSerial: 3))
        #expect(one.changes.map(\.target) == one.changes.map(\.target).sorted())
    }

    @Test func emptyPlanHasNoChanges() {
        let plan = makePlan([], live: [])
        #expect(plan.isEmpty)
        #expect(!plan.hasProblems)
        #expect(Action.allCases.filter(\.isChange) == [.create, .updateTags, .replace, .adopt, .delete, .forget])
    }
}

@Suite struct RecordDriftTests {
    @Test func aChangedDeletionPolicyIsRecordedAsAnAdoption() throws {
        let plan = makePlan([copy(policy: .delete)], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: owned(by: arn(east, "prod-1")))],
                            records: [record()])
        let change = try #require(plan.changes.first)
        #expect(change.action == .adopt)
        #expect(change.reasons.contains { $0.contains("deletionPolicy retain → delete") })
        #expect(!plan.isEmpty)
    }

    @Test func aMatchingDigestIsANoop() throws {
        let desired = copy()
        var matching = record()
        matching.entryDigest = desired.digest
        let plan = makePlan([desired], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: owned(by: arn(east, "prod-1")))], records: [matching])
        #expect(plan.changes.first?.action == .noop)
        var stale = matching
        stale.entryDigest = "sha256:old"
        let again = makePlan([desired], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: owned(by: arn(east, "prod-1")))], records: [stale])
        #expect(again.changes.first?.action == .adopt)
    }
}
