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

    /// Calls of a first apply of three copies of one kind, available at once: 2 listings (east,
    /// west) and 3 copy calls, plus the tag reads: none when the copy answers carry tags; without
    /// them one per copy (`every`), one for the kind (`sample`, the default), or none (`none`).
    @Test(arguments: [
        (true, TagVerification.sample, 5, 0, 3, 0),
        (false, .every, 8, 3, 3, 0),
        (false, .sample, 6, 1, 1, 2),
        (false, .none, 5, 0, 0, 3),
    ])
    func firstApplyCallCount(reportsTagLists: Bool, mode: TagVerification, expectedCalls: Int, reads: Int, checked: Int, trusted: Int) async throws {
        let environment = SimulatedEnvironment()
        let service = account(environment: environment)
        await service.setReportsTagLists(reportsTagLists)
        var options = ApplyOptions()
        options.tagVerification = mode
        let run = try await planAndApply(Self.targets.map { copy($0, tags: ["env": "prod"]) }, service: service, options: options, environment: environment)
        #expect(run.result.created == 3 && run.result.succeeded, "\(run.result.failures)")
        let calls = await service.calls
        #expect(calls.count == expectedCalls, "\(calls)")
        #expect(calls.filter { $0.hasPrefix("tags ") }.count == reads)
        #expect(run.result.tagsChecked == checked && run.result.tagsTrusted == trusted, "\(run.result.tagsChecked) checked, \(run.result.tagsTrusted) trusted")
        #expect(await service.copyCalls.sorted() == Self.targets)
    }

    @Test("a sample that lacked tags distrusts its kind: every copy of it is read and repaired")
    func aSampleMissingTagsDistrustsTheKind() async throws {
        let environment = SimulatedEnvironment()
        let service = account(environment: environment)
        await service.setDropsTagsOnCopy(["env"])
        let run = try await planAndApply(Self.targets.map { copy($0, tags: ["env": "prod", "team": "a"]) }, service: service, environment: environment)
        #expect(run.result.succeeded, "\(run.result.failures)")
        #expect(run.result.tagsChecked == 3 && run.result.tagsTrusted == 0)
        let calls = await service.calls
        #expect(calls.filter { $0.hasPrefix("tags ") }.count == 3, "\(calls)")
        for target in Self.targets {
            #expect(calls.contains("addTags \(arn(west, target)) env"), "\(calls)")
            #expect(await service.snapshot(region: west, identifier: target)?.tags?["env"] == "prod")
        }
    }

    @Test("each kind of request has its own sample: CopyTags on and off, and another destination region")
    func oneSamplePerKind() async throws {
        let environment = SimulatedEnvironment()
        let service = account(environment: environment)
        let copies = [
            copy("plain-a", tags: ["env": "prod"]), copy("plain-b", tags: ["env": "prod"]),
            copy("copied-a", copyTags: true, tags: ["env": "prod"]), copy("copied-b", copyTags: true, tags: ["env": "prod"]),
            copy("far-a", to: "eu-west-1", tags: ["env": "prod"]), copy("far-b", to: "eu-west-1", tags: ["env": "prod"]),
        ]
        let run = try await planAndApply(copies, service: service, environment: environment)
        #expect(run.result.created == 6 && run.result.succeeded, "\(run.result.failures)")
        let calls = await service.calls
        // The source's tags are read once to plan the CopyTags copies; the new copies' reads are the samples.
        let reads = calls.filter { $0.hasPrefix("tags ") && !$0.hasSuffix(":prod-1") }
        #expect(reads.count == 3, "\(calls)")
        #expect(run.result.tagsChecked == 3 && run.result.tagsTrusted == 3)
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
