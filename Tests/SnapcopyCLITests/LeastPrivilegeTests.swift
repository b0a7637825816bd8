import Foundation
import SnapcopyCore
import Testing
import TestSupport

private typealias Entry = ApplyManifest.Entry

/// The README's least-privilege IAM policies, proven enough and proven checked: moto verifies
/// every signature and authorizes every call (the fake adds the resource-level checks AWS makes),
/// and the built binary runs plan, apply (same- and cross-region, tag repair, a deletion), drift
/// and cancel as IAM users whose policies are exactly the README's JSON.
@Suite("least privilege: the README's IAM policies under moto's signature and permission checks", .serialized,
       .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct LeastPrivilegeTests {
    /// The README's policy documents under "Least-privilege IAM policies", in order (plan, then
    /// apply), with `ACCOUNT` replaced by `account`.
    static func readmePolicies(account: String) throws -> [String] {
        let readme = try String(contentsOf: CLI.root.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "### Least-privilege IAM policies"), "the README has no least-privilege section")
        let section = readme[start.upperBound...]
        let end = section.range(of: "\n## ")?.lowerBound ?? section.endIndex
        var policies: [String] = []
        var rest = section[..<end]
        while let open = rest.range(of: "```json\n"), let close = rest[open.upperBound...].range(of: "```") {
            let policy = rest[open.upperBound..<close.lowerBound].replacingOccurrences(of: "ACCOUNT", with: account)
            _ = try JSONSerialization.jsonObject(with: Data(policy.utf8))  // valid JSON, as a user would paste it
            policies.append(policy)
            rest = rest[close.upperBound...]
        }
        return policies
    }

    /// Runs `snapcopy ARGUMENTS` in the workspace as the IAM user `user` (long-term keys, no token).
    private func run(_ workspace: ApplyWorkspace, _ arguments: [String], as user: FakeCredentials) async throws -> ProcessResult {
        var environment = workspace.environment
        environment["AWS_ACCESS_KEY_ID"] = user.accessKeyID
        environment["AWS_SECRET_ACCESS_KEY"] = user.secretAccessKey
        environment["AWS_SESSION_TOKEN"] = nil
        return try await runProcess(executable: workspace.binary, arguments: arguments, environment: environment,
                                    currentDirectory: workspace.directory.url, timeout: .seconds(90))
    }

    private func withWorkspace(_ body: (ApplyWorkspace, FakeNeptuneServer, _ plan: FakeCredentials, _ apply: FakeCredentials) async throws -> Void) async throws {
        let server = try await ApplyServers.leastPrivilege()
        let policies = try Self.readmePolicies(account: FakeNeptuneServer.defaultAccount)
        try #require(policies.count == 2, "the README should give two policies (plan, apply); found \(policies.count)")
        let planUser = try await server.makeCredentials(policy: policies[0])
        let applyUser = try await server.makeCredentials(policy: policies[1])
        try await withTemporaryDirectory(prefix: "snapcopy-least-privilege") { directory in
            let workspace = try ApplyWorkspace(server: server, directory: directory)
            do {
                try await body(workspace, server, planUser, applyUser)
            } catch {
                try? await server.setSignatureVerification(false)
                throw error
            }
            try await server.setSignatureVerification(false)
        }
    }

    @Test("plan and drift with the plan policy; apply (same- and cross-region), tag repair, a deletion and cancel with the apply policy")
    func readmePoliciesAreEnough() async throws {
        try await withWorkspace { workspace, server, planUser, applyUser in
            try await server.seedSources(["src-lp"], tags: ["team": "graph", "cost-center": "42"])
            let source = ApplyWorkspace.snapshotARN("src-lp")
            let manifest = ApplyManifest([
                Entry(source: "src-lp", target: "lp-same", tags: ["owner": "dba", "tier": "gold"], deletionPolicy: "delete"),
                Entry(source: source, target: "lp-far", region: "us-west-2", copyTags: true),
            ])
            try workspace.write(manifest)
            try await server.setSignatureVerification(true)

            let plan = try await run(workspace, ["plan", "copies.json", "--detailed-exitcode"] + workspace.commonOptions, as: planUser)
            #expect(plan.exitCode == 2, "changes to make: exit 2\n\(plan.stdout)\n\(plan.stderr)")
            #expect(plan.stdout.contains("lp-same") && plan.stdout.contains("lp-far"), "\(plan.stdout)")

            let apply = try await run(workspace, workspace.applyArguments(), as: applyUser)
            try #require(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            #expect(apply.stdout.contains("2 created"), "\(apply.stdout)")

            let drift = try await run(workspace, ["drift", "copies.json"] + workspace.commonOptions, as: planUser)
            #expect(drift.exitCode == 0, "no drift after apply\n\(drift.stdout)\n\(drift.stderr)")

            // Tag repair: one tag changed, one removed (AddTagsToResource and RemoveTagsFromResource).
            try workspace.write(ApplyManifest([
                Entry(source: "src-lp", target: "lp-same", tags: ["owner": "sre"], deletionPolicy: "delete"),
                Entry(source: source, target: "lp-far", region: "us-west-2", copyTags: true),
            ]))
            let retag = try await run(workspace, workspace.applyArguments(), as: applyUser)
            #expect(retag.exitCode == 0, "\(retag.stdout)\n\(retag.stderr)")

            // A deletion: the entry with deletionPolicy delete leaves the manifests.
            try workspace.write(ApplyManifest([Entry(source: source, target: "lp-far", region: "us-west-2", copyTags: true)]))
            let delete = try await run(workspace, workspace.applyArguments(), as: applyUser)
            #expect(delete.exitCode == 0, "\(delete.stdout)\n\(delete.stderr)")
            #expect(delete.stdout.contains("1 deleted"), "\(delete.stdout)")

            // Cancel a copy in progress.
            try await server.configure(FakeConfig(copyingSeconds: 300))
            try workspace.write(ApplyManifest([
                Entry(source: source, target: "lp-far", region: "us-west-2", copyTags: true),
                Entry(source: "src-lp", target: "lp-slow"),
            ]))
            let started = try await run(workspace, workspace.applyArguments(["copies.json"], ["--no-wait"]), as: applyUser)
            #expect(started.exitCode == 0, "\(started.stdout)\n\(started.stderr)")
            let cancel = try await run(workspace, ["cancel", "lp-slow"] + workspace.commonOptions, as: applyUser)
            #expect(cancel.exitCode == 0, "\(cancel.stdout)\n\(cancel.stderr)")
            #expect(cancel.stdout.contains("lp-slow (us-east-1): copy cancelled"), "\(cancel.stdout)")

            // Every call was signed by one of the two users and passed moto's checks.
            let stats = try await server.stats()
            #expect(Set(stats.accessKeys.keys) == [planUser.accessKeyID, applyUser.accessKeyID], "\(stats.accessKeys.keys.sorted())")
            for action in ["DescribeDBClusterSnapshots", "ListTagsForResource", "CopyDBClusterSnapshot",
                           "AddTagsToResource", "RemoveTagsFromResource", "DeleteDBClusterSnapshot"] {
                #expect(stats.calls(action) > 0, "the run made no \(action) call, so the policy was not tested for it")
            }

            try await server.setSignatureVerification(false)
            #expect(try await workspace.live.snapshot("lp-same") == nil)
            #expect(try await workspace.live.snapshot("lp-slow") == nil)
            let far = try #require(try await workspace.live.snapshot("lp-far", region: "us-west-2"))
            #expect(try await workspace.live.tags(of: try #require(far.arn), region: "us-west-2")["team"] == "graph")
            #expect(try workspace.lockFile()?.records.map(\.target) == ["lp-far"])
        }
    }

    @Test("the checks are real: the plan policy cannot apply (AccessDenied naming the action, nothing copied), a wrong secret is refused")
    func checksAreEnforced() async throws {
        try await withWorkspace { workspace, server, planUser, _ in
            try await server.seedSources(["src-deny"])
            try workspace.write(ApplyManifest([Entry(source: "src-deny", target: "deny-copy")]))
            try await server.setSignatureVerification(true)

            let denied = try await run(workspace, workspace.applyArguments(), as: planUser)
            #expect(denied.exitCode == 1, "\(denied.stdout)\n\(denied.stderr)")
            #expect(denied.stderr.contains("AccessDenied") && denied.stderr.contains("rds:CopyDBClusterSnapshot"), "\(denied.stderr)")
            #expect(try await server.stats().copiesCreatedByTarget.isEmpty)

            var forged = planUser
            forged.secretAccessKey = String(forged.secretAccessKey.reversed())
            let wrong = try await run(workspace, ["plan", "copies.json"] + workspace.commonOptions, as: forged)
            #expect(wrong.exitCode == 1)
            #expect(wrong.stderr.contains("SignatureDoesNotMatch"), "\(wrong.stderr)")
        }
    }
}
