import Foundation
import Testing
@testable import SnapcopyCore

/// What the planner does with what it does not know: regions without data, tags without a TagList,
/// and chained copies whose upstream does not exist yet.
@Suite struct PlannerLiveStateTests {
    static let source = arn(east, "prod-1")

    @Test("a region with no captured data is unknown, not empty: recorded copies there are blocked, not copied again (defect 9)")
    func aMissingRegionBlocksWhatNeedsIt() throws {
        let plan = makePlan([copy(), copy("same-region", from: .identifier("prod-1"), to: east)],
                            live: [snapshot(east, "prod-1")], records: [record(), record("drop-me", policy: .delete), record("keep-me")],
                            regions: [east])
        let blocked = Dictionary(uniqueKeysWithValues: plan.problems.map { ($0.target, $0) })
        #expect(Set(blocked.keys) == ["prod-dr", "drop-me"], "\(plan.problems)")
        #expect(blocked["prod-dr"]?.rule == "region-not-described")
        #expect(blocked["prod-dr"]?.message.contains("no data for us-west-2") == true)
        #expect(blocked["prod-dr"]?.fix.contains("snapcopy capture --region us-west-2") == true)
        #expect(blocked["drop-me"]?.message.contains("cannot tell whether to delete it") == true, "a delete is never silently turned into a forget")
        #expect(plan.changes.map(\.target).sorted() == ["keep-me", "same-region"], "what the capture covers is still planned")
        #expect(plan.changes.first { $0.target == "keep-me" }?.action == .forget)
        #expect(!plan.changes.contains { $0.action == .create && $0.region == west })
    }

    @Test("a target whose tags are unknown gets no tag change planned, and the plan says tags were not compared")
    func unknownTargetTagsAreNotCompared() throws {
        let plan = makePlan([copy(tags: ["env": "prod"])], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", sourceARN: Self.source.description, tags: nil)],
                            records: [record()])
        let change = try #require(plan.changes.first)
        #expect(change.action == .noop)
        #expect(change.tagChanges.isEmpty)
        #expect(change.reasons.contains { $0.contains("tags were not compared") })
        #expect(change.before?.tags == nil)
    }

    @Test("copyTags from a source whose tags are unknown is blocked with a fix")
    func copyTagsFromAnUnknownSourceBlocks() throws {
        let plan = makePlan([copy(copyTags: true)], live: [snapshot(east, "prod-1", tags: nil)])
        let problem = try #require(plan.problems.first)
        #expect(problem.rule == "source-tags-unknown")
        #expect(problem.fix.contains("TagList"))
    }

    @Test("an unowned target with unknown tags is a conflict that says its tags could not be seen")
    func unknownTagsHideOwnership() throws {
        let plan = makePlan([copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: nil)])
        #expect(plan.problems.first?.rule == "target-conflict")
        #expect(plan.problems.first?.message.contains("an ownership tag could not be seen") == true)
    }

    @Test("a chained copy that copies tags gets its upstream's planned tags, without its own ignored keys, decided in the plan (defect 8)")
    func chainedTagsAreDecidedOnce() throws {
        let plan = makePlan([
            copy("mid", from: .arn(Self.source), to: west, copyTags: true, tags: ["tier": "dr"]),
            copy("final", from: .arn(arn(west, "mid")), to: "eu-west-1", copyTags: true, tags: ["site": "eu"], ignore: ["owner"]),
        ], live: [snapshot(east, "prod-1", tags: ["owner": "graph", "team": "a", "aws:x": "1"])])
        #expect(plan.problems.isEmpty, "\(plan.problems)")
        let final = try #require(plan.changes.first { $0.target == "final" })
        #expect(final.action == .create)
        #expect(final.dependsOn == [CopyIdentity(region: west, target: "mid")])
        #expect(final.after?.tags == ["team": "a", "tier": "dr", "site": "eu", TagRules.ownershipKey: arn(west, "mid").description])
        #expect(final.ignoredTagKeys == ["owner"])
        let request = CopyRequest(for: final, upstreamARN: arn(west, "mid").description)
        #expect(request.tags == final.after?.tags, "apply sends exactly the planned tags")
    }

    @Test("a chained copy whose upstream is still copying is planned as a create that starts once it is available (defect 2)")
    func chainedWhileUpstreamCopies() throws {
        let plan = makePlan([copy("mid", from: .arn(Self.source), to: west), copy("final", from: .identifier("mid"), to: west)],
                            live: [snapshot(east, "prod-1"), snapshot(west, "mid", status: "copying", percent: 30, tags: owned(by: Self.source))],
                            records: [record("mid")])
        #expect(plan.changes.map(\.action) == [.wait, .create])
        let final = try #require(plan.changes.last)
        #expect(final.reasons.contains { $0.contains("which another entry is copying (30%); starts once it is available") }, "\(final.reasons)")
        #expect(plan.changes.first?.ownsTarget == true)
    }

    @Test("statuses are typed: a target deleting waits, an unknown status is kept as written")
    func typedStatuses() throws {
        #expect(SnapshotStatus("Copying") == .copying)
        #expect(SnapshotStatus("incompatible-restore") == .incompatible("incompatible-restore"))
        #expect(SnapshotStatus("incompatible-restore").hasFailed)
        #expect(SnapshotStatus("modifying") == .other("modifying"))
        #expect(!SnapshotStatus("modifying").isInProgress && !SnapshotStatus("modifying").isAvailable)
        #expect(SnapshotStatus("creating").isInProgress && SnapshotStatus("copying").isInProgress)
        #expect(SnapshotType("manual", identifier: "awsbackup:job-1") == .awsBackup)
        #expect(SnapshotType("shared", identifier: "x").isForeign)
        let plan = makePlan([copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", status: "deleting", tags: owned(by: Self.source))],
                            records: [record()])
        #expect(plan.changes.first?.action == .wait)
        #expect(plan.changes.first?.reasons.contains { $0.contains("the target is deleting") } == true)
    }

    @Test("the AWS shape is mapped once, with its defaults")
    func mapsTheAWSShapeOnce() throws {
        let minimal = try LiveSnapshot(DBClusterSnapshotMembers(arn: arn(east, "x").description))
        #expect(minimal.identifier == "x" && minimal.status == .available && minimal.engine == "neptune" && minimal.type == .manual)
        #expect(minimal.tags == nil && minimal.sourceARN == nil && !minimal.storageEncrypted)
        let full = try LiveSnapshot(DBClusterSnapshotMembers(
            identifier: "rds:graph-2026-11-20", arn: arn(east, "rds:graph-2026-11-20").description, clusterIdentifier: "graph",
            status: "copying", percentProgress: 40, engine: "aurora-mysql", storageEncrypted: true, kmsKeyID: "k",
            snapshotType: "automated", sourceARN: "", tags: ["a": "b"]))
        #expect(full.type == .automated && full.status == .copying && !full.isNeptune && full.sourceARN == nil && full.tags == ["a": "b"])
        #expect(throws: SnapshotShapeError.self) { try LiveSnapshot(DBClusterSnapshotMembers(identifier: "no-arn")) }
        #expect(throws: SnapshotShapeError.self) { try LiveSnapshot(DBClusterSnapshotMembers(identifier: "x", arn: "arn:aws:rds:us-east-1:1:db:x")) }
    }

    @Test("a capture names its region and time; a snapshot without TagList has unknown tags")
    func capturesNameTheirRegion() throws {
        let text = #"{"Region": "eu-west-1", "CapturedAt": "2026-11-20T03:00:00Z", "DBClusterSnapshots": [{"DBClusterSnapshotIdentifier": "a", "DBClusterSnapshotArn": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:a"}, {"DBClusterSnapshotIdentifier": "b", "DBClusterSnapshotArn": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:b", "TagList": []}]}"#
        let capture = try LiveStateFile.parse(Array(text.utf8), file: "c.json")
        #expect(capture.regions == ["eu-west-1", "us-east-1"])
        #expect(capture.capturedAt == Timestamp.parse("2026-11-20T03:00:00Z"))
        #expect(capture.snapshots.map(\.tags) == [nil, Tags()])
        #expect(throws: LiveStateError.self) { try LiveStateFile.parse(Array(#"{"Region": "nowhere", "DBClusterSnapshots": []}"#.utf8), file: "c.json") }
    }
}
