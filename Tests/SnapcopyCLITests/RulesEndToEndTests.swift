import Foundation
import NeptuneAPI
import SnapcopyCore
import Testing
import TestSupport

/// Rules end to end: the built binary against the fake, with automated and manual snapshots of two
/// clusters seeded on several dates (one day missing), runs a simulated day apart.
@Suite("rules end to end (built binary against fake_neptune)", .serialized, .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct RulesEndToEndTests {
    static let nightly = #"""
        {"version": 1, "defaults": {"region": "us-west-2", "tags": {"managed-by": "snapcopy"}},
         "rules": [
           {"name": "nightly-dr", "select": {"region": "us-east-1", "clusters": ["graph-*"], "latest": 2},
            "copy": {"target": "{cluster}-{date}-dr"}, "retain": {"keep": 2}, "rpo": "PT26H"},
           {"name": "nothing-dr", "select": {"region": "us-east-1", "clusters": ["nothing-*"]},
            "copy": {"target": "{cluster}-{date}-nothing"}, "rpo": "P1D"}
         ]}
        """#

    /// Automated snapshots `rds:CLUSTER-2026-11-DD-03-00` of `days`, and a manual one of graph-prod.
    private func seed(_ server: FakeNeptuneServer, prod: [Int], dev: [Int], manual: Bool = false) async throws {
        func automated(_ cluster: String, _ day: Int) -> Seed.Snapshot {
            .init(id: String(format: "rds:%@-2026-11-%02d-03-00", cluster, day), cluster: cluster, type: .automated,
                  createdAt: Timestamp.parse(String(format: "2026-11-%02dT03:00:00Z", day)))
        }
        var snapshots = prod.map { automated("graph-prod", $0) } + dev.map { automated("graph-dev", $0) }
        if manual {
            snapshots.append(.init(id: "graph-prod-manual", cluster: "graph-prod", type: .manual, createdAt: Timestamp.parse("2026-11-21T09:00:00Z")))
        }
        try await server.seed(Seed(region: "us-east-1", clusters: manual ? [.init(id: "graph-prod"), .init(id: "graph-dev")] : [], snapshots: snapshots))
    }

    private func run(_ workspace: ApplyWorkspace, _ arguments: [String]) async throws -> ProcessResult {
        try await workspace.run(arguments + [workspace.directory.appending("rules.json").path, "--no-color"] + workspace.commonOptions)
    }

    @Test("apply makes exactly the expected copies; a day later the new snapshot is copied and exactly the one out of retention deleted; a hand-made copy is never touched; drift reports an empty rule's RPO")
    func dayByDay() async throws {
        let server = try await ApplyServers.rules()
        try await withTemporaryDirectory(prefix: "snapcopy-rules") { directory in
            let workspace = try ApplyWorkspace(server: server, directory: directory)
            try await seed(server, prod: [19, 20, 21, 22], dev: [20, 22], manual: true)  // graph-dev's 21st is missing
            try await server.seed(Seed(region: "us-west-2"))
            // A copy made by hand with the rule's name pattern.
            _ = try await workspace.live.client("us-west-2").copyDBClusterSnapshot(CopyDBClusterSnapshotRequest(
                sourceIdentifier: ApplyWorkspace.snapshotARN("rds:graph-prod-2026-11-19-03-00"), targetIdentifier: "graph-prod-2026-11-19-dr",
                tags: [Tag(key: "made-by", value: "hand")], sourceRegion: "us-east-1"))
            try directory.write(Self.nightly, to: "rules.json")

            let plan = try await run(workspace, ["plan", "--now", "2026-11-22T12:00:00Z"])
            #expect(plan.exitCode == 0, "\(plan.stdout)\n\(plan.stderr)")
            #expect(plan.stdout.contains("rule nightly-dr") && !plan.stdout.contains("nothing-dr"), "\(plan.stdout)")
            let first = try await run(workspace, ["apply", "--auto-approve", "--now", "2026-11-22T12:00:00Z", "--poll-interval", "200ms"])
            #expect(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")
            let made = try await server.stats().copiesCreatedByTarget
            #expect(made == ["graph-prod-2026-11-22-dr": 1, "graph-prod-2026-11-21-dr": 1, "graph-dev-2026-11-22-dr": 1, "graph-dev-2026-11-20-dr": 1,
                             "graph-prod-2026-11-19-dr": 1], "\(made)")
            let tags = try await workspace.live.tags(of: ApplyWorkspace.snapshotARN("graph-prod-2026-11-22-dr", region: "us-west-2"), region: "us-west-2")
            #expect(tags[CopyRule.ruleTagKey] == "nightly-dr" && tags["managed-by"] == "snapcopy")
            let lock = try #require(try workspace.lockFile())
            #expect(lock.records.allSatisfy { $0.rule == "nightly-dr" && $0.sourceCluster != nil && $0.sourceCreateTime != nil })

            // A simulated day later: the 23rd's snapshots exist.
            try await seed(server, prod: [23], dev: [23])
            try await server.resetStats()
            let second = try await run(workspace, ["apply", "--auto-approve", "--now", "2026-11-23T12:00:00Z", "--poll-interval", "200ms"])
            #expect(second.exitCode == 0, "\(second.stdout)\n\(second.stderr)")
            let stats = try await server.stats()
            #expect(stats.copiesCreatedByTarget == ["graph-prod-2026-11-23-dr": 1, "graph-dev-2026-11-23-dr": 1], "\(stats.copiesCreatedByTarget)")
            #expect(stats.calls("DeleteDBClusterSnapshot") == 2)
            let west = try await workspace.live.identifiers(region: "us-west-2")
            #expect(west == ["graph-prod-2026-11-23-dr", "graph-prod-2026-11-22-dr", "graph-dev-2026-11-23-dr", "graph-dev-2026-11-22-dr",
                             "graph-prod-2026-11-19-dr"], "\(west)")
            #expect(second.stdout.contains("graph-prod-2026-11-21-dr (us-west-2): deleted") && second.stdout.contains("graph-dev-2026-11-20-dr (us-west-2): deleted"),
                    "\(second.stdout)")

            let noop = try await run(workspace, ["plan", "--now", "2026-11-23T12:00:00Z", "--detailed-exitcode"])
            #expect(noop.exitCode == 0, "nothing left to do:\n\(noop.stdout)")

            let drift = try await run(workspace, ["drift", "--now", "2026-11-23T12:00:00Z", "--format", "json"])
            #expect(drift.exitCode == 2, "\(drift.stdout)\n\(drift.stderr)")
            let report = try JSONDecoder().decode(DriftReport.self, from: Data(drift.stdout.utf8))
            #expect(report.findings.map { "\($0.kind.rawValue) \($0.target)" } == ["rpo-violated nothing-dr/*"], "\(report.findings)")
            #expect(report.recoveryPoints.filter { $0.rule == "nightly-dr" }.map(\.violated) == [false, false])
            let junit = try await run(workspace, ["drift", "--now", "2026-11-23T12:00:00Z", "--format", "junit"])
            #expect(junit.stdout.contains("name=\"nightly-dr/graph-prod\"/>") && junit.stdout.contains("name=\"nothing-dr/*\""), "\(junit.stdout)")
            // Two days later without new snapshots, the nightly rule's RPO is violated too.
            let late = try await run(workspace, ["drift", "--now", "2026-11-25T12:00:00Z", "--format", "json"])
            let lateReport = try JSONDecoder().decode(DriftReport.self, from: Data(late.stdout.utf8))
            #expect(Set(lateReport.findings.filter { $0.kind == .rpoViolated }.map(\.target)) == ["nightly-dr/graph-dev", "nightly-dr/graph-prod", "nothing-dr/*"])
        }
    }

    @Test("two rules producing the same target are refused, naming both")
    func collidingRules() async throws {
        let server = try await ApplyServers.rules()
        try await withTemporaryDirectory(prefix: "snapcopy-rules") { directory in
            let workspace = try ApplyWorkspace(server: server, directory: directory)
            try await seed(server, prod: [22], dev: [], manual: true)
            try directory.write(#"""
                {"version": 1, "defaults": {"region": "us-west-2"}, "rules": [
                  {"name": "a", "select": {"region": "us-east-1", "clusters": ["graph-prod"]}, "copy": {"target": "{cluster}-{date}"}},
                  {"name": "b", "select": {"region": "us-east-1", "clusters": ["graph-*"]}, "copy": {"target": "{cluster}-{date}"}}]}
                """#, to: "rules.json")
            let apply = try await run(workspace, ["apply", "--auto-approve", "--now", "2026-11-22T12:00:00Z"])
            #expect(apply.exitCode == 1)
            #expect(apply.stdout.contains("rule b (the copy of") && apply.stdout.contains("and rule a (the copy of"), "\(apply.stdout)")
            #expect(try await server.stats().writeCalls == [:])
        }
    }
}
