import Foundation
import Testing
@testable import SnapcopyCore

/// How the scheduler shares the calls it may make at once among regions.
@Suite struct ApplySchedulerFairnessTests {
    static let start = Date(timeIntervalSince1970: 1_795_000_000)

    func writes(_ actions: [ApplyScheduler.Action]) -> [ApplyWrite] {
        actions.flatMap { action -> [ApplyWrite] in if case .perform(let writes) = action { writes } else { [] } }
    }

    @Test("when calls at once are fewer than the slots of all regions, the regions share them and finish together",
          arguments: [(16, 13), (8, 25), (20, 10)])
    func regionsShareTheCallsAllowed(parallelism: Int, rounds expected: Int) throws {
        // 4 regions with 5 slots each and 50 copies each; every call takes one round and each copy
        // is available when its call returns. The optimum is ceil(200 / min(parallelism, 20)) rounds;
        // taking regions in a fixed order starved the last, whose copies then ran alone (18 rounds at 16).
        let regions = ["ap-southeast-2", "eu-west-1", east, west]
        let live = (0..<50).map { snapshot(east, "s\($0)") }
        let copies = regions.flatMap { region in (0..<50).map { copy("\(region)-t\($0)", from: .arn(arn(east, "s\($0)")), to: region) } }
        let state = LiveState(live, regions: Set(regions))
        let plan = Planner().plan(desired: ManifestSet(copies: copies, diagnostics: [], digest: "d"), live: state, lock: nil)
        var options = ApplyOptions()
        options.parallelism = parallelism
        options.tagVerification = .none
        var scheduler = ApplyScheduler(plan: plan, live: state, options: options, now: Self.start)
        var inFlight = writes(scheduler.start(at: Self.start))
        var rounds = 0
        var finished = false
        while !inFlight.isEmpty {
            rounds += 1
            try #require(rounds <= 100, "apply did not finish")
            #expect(inFlight.count <= parallelism)
            var next: [ApplyWrite] = []
            for write in inFlight {
                let identity = write.identity
                let answer = snapshot(identity.region, identity.target)
                let actions = scheduler.handle(.wrote(write, .succeeded(answer)), at: Self.start)
                next += writes(actions)
                if actions.contains(where: { if case .finish = $0 { true } else { false } }) { finished = true }
            }
            inFlight = next
        }
        #expect(finished)
        #expect(rounds == expected, "\(rounds) rounds")
    }
}
