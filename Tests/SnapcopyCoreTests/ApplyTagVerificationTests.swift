import Foundation
import Testing
@testable import SnapcopyCore

/// A new copy's tags are verified once it is available. When an answer about it carried a
/// `TagList` (the copy call's, or a listing's), that answer is the evidence and no call is made;
/// only without one are the tags read with `ListTagsForResource`.
@Suite struct ApplyTagVerificationTests {
    static let targets = ["dr-a", "dr-b", "dr-c"]

    func account(timing: InMemorySnapshotService.CopyTiming = .instant, environment: SimulatedEnvironment) -> InMemorySnapshotService {
        simulatedAccount([snapshot(east, "prod-1", tags: ["owner": "graph"])], timing: timing, environment: environment)
    }

    /// Calls of a first apply of three copies available at once: 2 listings (east, west) and 3
    /// copy calls, plus a tag read per copy only when the copy answers carry no tags.
    @Test(arguments: zip([true, false], [5, 8]))
    func firstApplyCallCount(reportsTagLists: Bool, expectedCalls: Int) async throws {
        let environment = SimulatedEnvironment()
        let service = account(environment: environment)
        await service.setReportsTagLists(reportsTagLists)
        let run = try await planAndApply(Self.targets.map { copy($0, tags: ["env": "prod"]) }, service: service, environment: environment)
        #expect(run.result.created == 3 && run.result.succeeded, "\(run.result.failures)")
        let calls = await service.calls
        #expect(calls.count == expectedCalls, "\(calls)")
        #expect(calls.filter { $0.hasPrefix("tags ") }.count == (reportsTagLists ? 0 : 3))
        #expect(await service.copyCalls.sorted() == Self.targets)
    }

    @Test func copiesFollowedByListingsAreVerifiedByThem() async throws {
        let environment = SimulatedEnvironment()
        let service = account(timing: .init(duration: .seconds(60)), environment: environment)
        await service.setReportsTagLists(true)
        let run = try await planAndApply([copy(tags: ["env": "prod"])], service: service, environment: environment)
        #expect(run.result.succeeded && run.result.stillCopying.isEmpty)
        let calls = await service.calls
        #expect(!calls.contains { $0.hasPrefix("tags ") }, "\(calls)")
        #expect(calls.filter { $0.hasPrefix("copy ") } == ["copy prod-dr"])
    }

    @Test func tagsMissingFromTheCopyAnswerAreRepairedWithoutAReadCall() async throws {
        let environment = SimulatedEnvironment()
        let service = account(environment: environment)
        await service.setReportsTagLists(true)
        await service.setDropsTagsOnCopy(["env"])
        let run = try await planAndApply([copy(tags: ["env": "prod", "team": "a"])], service: service, environment: environment)
        #expect(run.result.succeeded, "\(run.result.failures)")
        let calls = await service.calls
        #expect(!calls.contains { $0.hasPrefix("tags ") }, "\(calls)")
        #expect(calls.contains("addTags \(arn(west, "prod-dr")) env"))
        #expect(await service.snapshot(region: west, identifier: "prod-dr")?.tags?["env"] == "prod")
    }
}
