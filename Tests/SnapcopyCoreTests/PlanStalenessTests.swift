import Testing
@testable import SnapcopyCore

@Suite struct PlanStalenessTests {
    let live = [snapshot(east, "prod-1"), snapshot(west, "prod-dr", percent: 40, tags: owned(by: arn(east, "prod-1")))]

    @Test func aPlanIsFreshAgainstItself() {
        let plan = makePlan([copy()], live: live, records: [record()])
        #expect(plan.staleness(against: plan).isEmpty)
    }

    @Test func progressAndReasonsDoNotMakeItStale() {
        let saved = makePlan([copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", status: "copying", percent: 10, tags: owned(by: arn(east, "prod-1")))], records: [record()])
        let now = makePlan([copy()], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", status: "copying", percent: 70, tags: owned(by: arn(east, "prod-1")))], records: [record()])
        #expect(saved.staleness(against: now).isEmpty)
    }

    @Test func aMovedSerialOrLineageMakesItStale() {
        let saved = makePlan([copy()], live: live, records: [record()])
        var moved = saved
        moved.inputs.lockSerial = 4
        #expect(saved.staleness(against: moved).first?.contains("serial 3 → 4") == true)
        moved.inputs.lockLineage = "other"
        #expect(saved.staleness(against: moved).first?.contains("lineage changed") == true)
    }

    @Test func changedManifestsMakeItStale() {
        let saved = makePlan([copy()], live: live, records: [record()])
        var now = saved
        now.inputs.manifestDigest = "sha256:other"
        #expect(saved.staleness(against: now) == ["the manifests changed since the plan was made"])
    }

    @Test func aLiveTargetThatMovedMakesItStale() {
        let saved = makePlan([copy(tags: ["env": "prod"])], live: live, records: [record()])
        let now = makePlan([copy(tags: ["env": "prod"])], live: [snapshot(east, "prod-1"), snapshot(west, "prod-dr", tags: owned(by: arn(east, "prod-1"), ["env": "prod"]))], records: [record()])
        let reasons = saved.staleness(against: now)
        #expect(reasons.contains { $0.contains("prod-dr (us-west-2): the plan says update-tags, live state now needs noop") })
    }

    @Test func aNewOrVanishedEntryMakesItStale() {
        let saved = makePlan([copy()], live: live, records: [record()])
        let now = makePlan([copy(), copy("other")], live: live, records: [record()])
        #expect(saved.staleness(against: now).contains { $0.contains("other (us-west-2): a new create is needed") })
        #expect(now.staleness(against: saved).contains { $0.contains("other (us-west-2): the plan says create, but the entry is no longer planned") })
    }
}
