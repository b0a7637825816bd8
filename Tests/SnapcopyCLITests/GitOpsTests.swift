import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SnapcopyCore
import Testing
import TestSupport

/// The GitOps example (`examples/gitops`): the shell steps its workflows run, run here against
/// the fake in a copy of the example repository — plan on a pull request, apply on merge with the
/// lock file committed, and a scheduled drift report. (The workflow YAML itself runs on GitHub.)
@Suite("the GitOps example's CI steps (against fake_neptune)", .serialized, .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct GitOpsTests {
    static let example = CLI.root.appendingPathComponent("examples/gitops")

    /// A copy of the example repository, committed to a fresh git repository.
    private func repository(in directory: TemporaryDirectory) async throws -> URL {
        let repo = directory.appending("repo")
        try FileManager.default.copyItem(at: Self.example, to: repo)
        for command in [["init", "--quiet", "--initial-branch", "main"], ["add", "-A"],
                        ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "example"]] {
            let run = try await git(command, in: repo)
            try #require(run.exitCode == 0, "git \(command): \(run.stderr)")
        }
        return repo
    }

    private func git(_ arguments: [String], in repo: URL) async throws -> ProcessResult {
        try await runProcess(executable: URL(fileURLWithPath: "/usr/bin/env"), arguments: ["git"] + arguments,
                             environment: ["PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": repo.path], currentDirectory: repo)
    }

    /// Runs `ci/snapcopy-ci.sh STEP` as the workflow does, with the fake as the AWS endpoint.
    private func step(_ name: String, in repo: URL, server: FakeNeptuneServer) async throws -> ProcessResult {
        let output = repo.appendingPathComponent("github-output")
        return try await runProcess(
            executable: repo.appendingPathComponent("ci/snapcopy-ci.sh"), arguments: [name],
            environment: [
                "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": repo.path, "SNAPCOPY": try snapcopyBinary().path,
                "AWS_ACCESS_KEY_ID": SecretCanary.accessKeyID, "AWS_SECRET_ACCESS_KEY": SecretCanary.secretAccessKey,
                "AWS_SESSION_TOKEN": SecretCanary.sessionToken,
                "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": server.endpoint.absoluteString,
                "AWS_CONFIG_FILE": repo.appendingPathComponent("no-config").path,
                "AWS_SHARED_CREDENTIALS_FILE": repo.appendingPathComponent("no-credentials").path,
                "GITHUB_OUTPUT": output.path, "NO_COLOR": "1",
            ],
            currentDirectory: repo, timeout: .seconds(120), scanForSecrets: true)
    }

    private func outputs(_ repo: URL) -> String {
        (try? String(contentsOf: repo.appendingPathComponent("github-output"), encoding: .utf8)) ?? ""
    }

    @Test("pull request plan, apply on merge with the lock file committed, then scheduled drift with Markdown and JUnit reports")
    func theWholeLoop() async throws {
        let server = try await ApplyServers.gitOps()
        try await server.seedSources((28...30).map { "graph-prod-2026-11-\($0)" }, tags: ["team": "graph", "backup-window": "03:00"])
        try await server.seed(Seed(region: "us-west-2"))
        try await withTemporaryDirectory(prefix: "snapcopy-gitops") { directory in
            let repo = try await repository(in: directory)

            let plan = try await step("plan", in: repo, server: server)
            #expect(plan.exitCode == 0, "\(plan.stdout)\n\(plan.stderr)")
            #expect(outputs(repo).contains("changes=true"))
            let comment = try String(contentsOf: repo.appendingPathComponent(".snapcopy-out/plan.md"), encoding: .utf8)
            #expect(comment.hasPrefix("### snapcopy plan") && comment.contains("4 to create"), "\(comment)")

            let apply = try await step("apply", in: repo, server: server)
            #expect(apply.exitCode == 0, "\(apply.stdout)\n\(apply.stderr)")
            #expect(apply.stdout.contains("snapcopy-ci: committed snapcopy.lock"), "\(apply.stdout)")
            let log = try await git(["log", "--format=%s", "-n", "1", "--", "snapcopy.lock"], in: repo)
            #expect(log.stdout.hasPrefix("snapcopy: apply "), "\(log.stdout)")
            let status = try await git(["status", "--porcelain", "--", "snapcopy.lock"], in: repo)
            #expect(status.stdout.isEmpty, "the lock file is committed")
            let lock = try LockFile.decode(Array(try Data(contentsOf: repo.appendingPathComponent("snapcopy.lock"))), file: "snapcopy.lock")
            #expect(lock.records.count == 4 && lock.lineage == "3c0d8f52-7a41-4b6e-9d2f-5e8a1b7c4d90")

            try FileManager.default.removeItem(at: repo.appendingPathComponent("github-output"))
            let noChanges = try await step("plan", in: repo, server: server)
            #expect(noChanges.exitCode == 0)
            #expect(outputs(repo).contains("changes=false"))

            let clean = try await step("drift", in: repo, server: server)
            #expect(clean.exitCode == 0, "\(clean.stdout)\n\(clean.stderr)")
            #expect(clean.stdout.contains("No drift: 4 copies checked."), "\(clean.stdout)")

            // Out of band: a copy deleted, and the audit copy retagged (ignored by .snapcopyignore).
            let live = ApplyWorkspace.LiveView(endpoint: server.endpoint)
            _ = try await live.client("us-west-2").deleteDBClusterSnapshot(identifier: "graph-prod-2026-11-29-dr")
            try await live.client("us-east-1").addTagsToResource(
                arn: ApplyWorkspace.snapshotARN("graph-prod-2026-11-30-audit"), tags: [.init(key: "reviewed", value: "yes")])
            try FileManager.default.removeItem(at: repo.appendingPathComponent("github-output"))
            let drifted = try await step("drift", in: repo, server: server)
            #expect(drifted.exitCode == 2, "\(drifted.stdout)\n\(drifted.stderr)")
            #expect(outputs(repo).contains("drift=true"))
            let issue = try String(contentsOf: repo.appendingPathComponent(".snapcopy-out/drift.md"), encoding: .utf8)
            #expect(issue.contains("graph-prod-2026-11-29-dr") && issue.contains("missing"), "\(issue)")
            #expect(!issue.contains("reviewed"), "the ignore file suppresses the audit copy's tags")
            let junit = JUnitCount(try String(contentsOf: repo.appendingPathComponent(".snapcopy-out/drift.xml"), encoding: .utf8))
            #expect(junit.parsed && junit.testcases == 4 && junit.failures == 1, "\(junit)")
        }
    }

    @Test("the workflows run the script's steps, share one concurrency group for the lock file, and authenticate with OIDC")
    func workflowsUseTheScript() throws {
        let workflows = Self.example.appendingPathComponent(".github/workflows")
        let plan = try String(contentsOf: workflows.appendingPathComponent("snapcopy-plan.yml"), encoding: .utf8)
        let apply = try String(contentsOf: workflows.appendingPathComponent("snapcopy-apply.yml"), encoding: .utf8)
        let drift = try String(contentsOf: workflows.appendingPathComponent("snapcopy-drift.yml"), encoding: .utf8)
        #expect(plan.contains("ci/snapcopy-ci.sh plan") && apply.contains("ci/snapcopy-ci.sh apply") && drift.contains("ci/snapcopy-ci.sh drift"))
        for workflow in [plan, apply, drift] {
            #expect(workflow.contains("id-token: write") && workflow.contains("role-to-assume"), "OIDC web identity, no stored keys")
            #expect(!workflow.contains("aws-secret-access-key"))
        }
        #expect(apply.contains("group: snapcopy-lock-file") && drift.contains("group: snapcopy-lock-file"))
        #expect(apply.contains("cancel-in-progress: false"))
        #expect(drift.contains("upload-artifact") && drift.contains("gh issue"))
        #expect(plan.contains("gh pr comment"))
    }
}
