import Foundation
import SnapcopyCore
import Testing
import TestSupport

/// The built `snapcopy` binary offline: validate, and plan against captured live state.
/// Asserts exit codes and output, as a user (or CI job) sees them.
@Suite("snapcopy offline (built binary)")
struct CLITests {
    static let examplePlan = [
        "plan", "examples/manifests", "--live-state", "examples/live-state", "--lock-file", "examples/snapcopy.lock",
    ]

    // MARK: - validate

    @Test("validate accepts the example manifests")
    func validateExamples() async throws {
        let run = try await CLI.run(["validate", "examples/manifests"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout == "Valid: 10 copies declared.\n")
    }

    @Test("validate reports a bad manifest with its file, line, JSON path and rule, and exits 1")
    func validateBadManifest() async throws {
        let file = "Tests/SnapcopyCLITests/Fixtures/invalid/target-double-hyphen.json"
        let run = try await CLI.run(["validate", file])
        #expect(run.exitCode == 1)
        #expect(run.stdout.contains("\(file):7:17 copies[0].target: the target identifier \"prod--dr\" is not valid"))
        #expect(run.stdout.contains("[target-identifier]"))
        #expect(run.stdout.contains("  fix: "))
        #expect(run.stdout.hasSuffix("1 problem found.\n"))
    }

    @Test("command-line mistakes are usage errors (exit 64)", arguments: [
        ["validate", "examples/manifests", "--bogus"],
        ["plan", "examples/manifests", "--parallelism", "0"],
        ["plan", "examples/manifests", "--parallelism", "257"],
        ["plan", "examples/manifests", "--endpoint-url", "ftp://example.com"],
        ["plan", "examples/manifests", "--region", "US-EAST-1"],
    ])
    func usageErrors(_ arguments: [String]) async throws {
        let run = try await CLI.run(arguments)
        #expect(run.exitCode == 64, "\(arguments): \(run.stderr)")
        #expect(run.stderr.contains("Usage: snapcopy"))
        #expect(run.stdout.isEmpty)
    }

    // MARK: - plan output

    @Test("the text plan shows every action's symbol and the summary line")
    func textPlan() async throws {
        let run = try await CLI.run(Self.examplePlan)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        for (symbol, target) in [
            ("+", "reports-weekly (us-east-1) will be created"), ("~", "prod-2026-11-06-dr (us-west-2) will have its tags updated"),
            ("-/+", "prod-monthly-dr (us-west-2) must be replaced"), ("-", "legacy-2026-01-dr (us-west-2) will be deleted"),
            ("=", "analytics-baseline (us-east-1) will be adopted"), ("…", "prod-2026-11-23-dr (us-west-2) is waiting 62%"),
            ("x", "q3-audit-copy (us-east-1) will be forgotten (the snapshot is kept)"),
        ] {
            #expect(lines.contains("  \(symbol) \(target)"), "no line \"  \(symbol) \(target)\" in:\n\(run.stdout)")
        }
        #expect(lines.last == "Plan: 4 to create, 1 to update, 1 to replace, 1 to delete, 1 to adopt, 1 to forget; 2 waiting, 1 unchanged.")
    }

    @Test("the JSON plan parses and has every action")
    func jsonPlan() async throws {
        let run = try await CLI.run(Self.examplePlan + ["--format", "json"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let changes = try #require(plan["changes"] as? [[String: Any]])
        let actions = changes.compactMap { $0["action"] as? String }
        #expect(changes.count == 12)
        #expect(actions.filter { $0 != "noop" }.count == 11)
        #expect(Set(actions) == ["create", "noop", "update-tags", "replace", "wait", "adopt", "delete", "forget"])
        #expect(plan["hasChanges"] as? Bool == true)
        #expect((plan["problems"] as? [Any])?.isEmpty == true)
        #expect(run.stdout.hasSuffix("}\n"))
    }

    @Test("the Markdown plan is a table")
    func markdownPlan() async throws {
        let run = try await CLI.run(Self.examplePlan + ["--format", "markdown"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        let tableRows = run.stdout.split(separator: "\n").filter { $0.hasPrefix("|") }
        #expect(tableRows.count >= 13, "expected a header, a separator and a row per change:\n\(run.stdout)")
        #expect(tableRows.contains { $0.contains("---") })
        #expect(run.stdout.contains("prod-monthly-dr"))
    }

    @Test("--live-state takes a directory of captures, read like the files one by one")
    func liveStateDirectory() async throws {
        let directory = try await CLI.run(Self.examplePlan + ["--format", "json"])
        let files = try await CLI.run([
            "plan", "examples/manifests", "--live-state", "examples/live-state/us-east-1.json",
            "--live-state", "examples/live-state/us-west-2.json", "--lock-file", "examples/snapcopy.lock", "--format", "json",
        ])
        #expect(directory.exitCode == 0 && files.exitCode == 0)
        #expect(directory.stdout == files.stdout)
    }

    @Test("two runs print byte-identical plans", arguments: ["text", "json", "markdown"])
    func determinism(_ format: String) async throws {
        let first = try await CLI.run(Self.examplePlan + ["--format", format])
        let second = try await CLI.run(Self.examplePlan + ["--format", format])
        #expect(first.exitCode == 0)
        #expect(!first.stdout.isEmpty)
        #expect(first.stdout == second.stdout)
    }

    @Test("no colour when NO_COLOR is set or the output is not a terminal", arguments: [[:], ["NO_COLOR": "1"], ["TERM": "xterm-256color"]])
    func noColor(_ extra: [String: String]) async throws {
        let run = try await CLI.run(Self.examplePlan, extraEnvironment: extra)
        #expect(run.exitCode == 0)
        #expect(!run.stdout.contains("\u{1B}["))
        #expect(!run.stderr.contains("\u{1B}["))
    }

    // MARK: - exit codes

    @Test("--detailed-exitcode: 2 when there are changes")
    func detailedExitCodeWithChanges() async throws {
        let run = try await CLI.run(Self.examplePlan + ["--detailed-exitcode"])
        #expect(run.exitCode == 2)
        #expect(run.stdout.contains("Plan: 4 to create"))
        #expect(run.stderr.isEmpty)
    }

    @Test("--detailed-exitcode: 0 when nothing is to be done")
    func detailedExitCodeWithoutChanges() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-cli") { directory in
            try Fixture.writeUpToDate(in: directory)
            let run = try await CLI.run(["plan", "m.json", "--live-state", "live.json", "--lock-file", "snapcopy.lock", "--detailed-exitcode"],
                                        in: directory.url)
            #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
            #expect(run.stdout.hasPrefix("No changes."))
            #expect(run.stdout.hasSuffix("Plan: 0 to create, 0 to update, 0 to replace, 0 to delete, 0 to adopt, 0 to forget; 0 waiting, 1 unchanged.\n"))
        }
    }

    @Test("a blocked entry prints the plan, then exits 1 (also with --detailed-exitcode)", arguments: [false, true])
    func blockedEntry(_ detailed: Bool) async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-cli") { directory in
            try Fixture.writeUpToDate(in: directory)
            try directory.write("""
                {"version": 1, "copies": [
                  {"source": "src-1", "target": "copy-1", "region": "us-east-1", "tags": {"team": "a"}},
                  {"source": "no-such-snapshot", "target": "copy-2", "region": "us-east-1"}
                ]}
                """, to: "m.json")
            let run = try await CLI.run(["plan", "m.json", "--live-state", "live.json", "--lock-file", "snapcopy.lock"]
                                        + (detailed ? ["--detailed-exitcode"] : []), in: directory.url)
            #expect(run.exitCode == 1)
            #expect(run.stdout.contains("  ! copy-2 (us-east-1)\n"))
            #expect(run.stdout.contains("error: the source snapshot no-such-snapshot does not exist in us-east-1"))
            #expect(run.stdout.contains("1 error blocks apply."))
        }
    }

    @Test("plan --out saves the plan with its manifests for apply, and saves nothing when entries are blocked")
    func savedPlan() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-cli") { directory in
            try Fixture.writeUpToDate(in: directory)
            let saved = try await CLI.run(["plan", "m.json", "--live-state", "live.json", "--out", "plan.json"], in: directory.url)
            #expect(saved.exitCode == 0, "\(saved.stderr)")
            let plan = try JSONDecoder().decode(Plan.self, from: Data(try directory.read("plan.json").utf8))
            #expect(plan.inputs.manifestPaths == ["m.json"])
            #expect(plan.inputs.lockLineage == "0b8f3c2e-1111-4e3a-9f21-8c5d0b7a3e14")
            #expect(plan.inputs.lockSerial == 3)
            #expect(plan.changes.map(\.action) == [.noop])

            try directory.write("{\"version\": 1, \"copies\": [{\"source\": \"gone\", \"target\": \"copy-9\", \"region\": \"us-east-1\"}]}", to: "blocked.json")
            let blocked = try await CLI.run(["plan", "blocked.json", "--live-state", "live.json", "--out", "blocked-plan.json"], in: directory.url)
            #expect(blocked.exitCode == 1)
            #expect(blocked.stderr == "snapcopy: the plan has entries that block apply; it was not saved to blocked-plan.json\n")
            #expect(!FileManager.default.fileExists(atPath: directory.appending("blocked-plan.json").path))
        }
    }

    // MARK: - the lock file

    @Test("plan never creates a missing lock file")
    func missingLockFileIsNotCreated() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-cli") { directory in
            let lock = directory.appending("new.lock")
            let run = try await CLI.run(["plan", "examples/manifests", "--live-state", "examples/live-state", "--lock-file", lock.path])
            #expect(run.exitCode == 0, "\(run.stderr)")
            #expect(run.stdout.contains("to create"))
            #expect(!FileManager.default.fileExists(atPath: lock.path))
        }
    }

    @Test("a corrupt lock file is refused with a clear message and left untouched")
    func corruptLockFile() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-cli") { directory in
            let corrupt = "{\"version\": 1, \"lineage\": \"abc\", \"serial\": 2, \"records\": [{\"region\": "
            let lock = try directory.write(corrupt, to: "snapcopy.lock")
            let run = try await CLI.run(["plan", "examples/manifests", "--live-state", "examples/live-state", "--lock-file", lock.path])
            #expect(run.exitCode == 1)
            #expect(run.stdout.isEmpty)
            #expect(run.stderr.hasPrefix("snapcopy: \(lock.path)"))
            #expect(run.stderr.contains("fix: restore it from version control"))
            #expect(!run.stderr.contains("Fatal error"))
            #expect(try directory.read("snapcopy.lock") == corrupt)
        }
    }

    @Test("a lock file from a newer snapcopy is refused, naming both versions")
    func newerLockVersion() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-cli") { directory in
            let newer = "{\"version\": 7, \"lineage\": \"abc\", \"serial\": 2, \"records\": []}\n"
            let lock = try directory.write(newer, to: "snapcopy.lock")
            let run = try await CLI.run(["plan", "examples/manifests", "--live-state", "examples/live-state", "--lock-file", lock.path])
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains("the lock file has version 7, but this snapcopy reads versions up to 1"))
            #expect(run.stderr.contains("upgrade snapcopy"))
            #expect(try directory.read("snapcopy.lock") == newer)
        }
    }

    @Test("a missing --live-state path is one clear error")
    func missingLiveState() async throws {
        let run = try await CLI.run(["plan", "examples/manifests", "--live-state", "examples/no-such-capture.json"])
        #expect(run.exitCode == 1)
        #expect(run.stderr == "snapcopy: examples/no-such-capture.json: no such file or directory\n  fix: give a file captured with `aws neptune describe-db-cluster-snapshots --output json`, or a directory of them\n")
    }
}

/// Runs the built binary from the repository root with a minimal environment (no AWS settings,
/// a HOME without ~/.aws), never touching this process's environment.
enum CLI {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SnapcopyCLITests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// An empty HOME shared by every run, so nobody's ~/.aws leaks into the tests.
    static let home: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("snapcopy-cli-home-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static var baseEnvironment: [String: String] {
        ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"]
    }

    static func run(_ arguments: [String], extraEnvironment: [String: String] = [:], in directory: URL = root) async throws -> ProcessResult {
        try await runProcess(
            executable: try snapcopyBinary(), arguments: arguments,
            environment: baseEnvironment.merging(extraEnvironment) { _, new in new }, currentDirectory: directory)
    }
}

/// Small offline fixtures written into a temporary directory.
enum Fixture {
    static let sourceARN = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:src-1"

    /// A manifest, a capture and a lock file that agree: the plan has one unchanged entry.
    static func writeUpToDate(in directory: TemporaryDirectory) throws {
        let manifest = """
            {"version": 1, "copies": [{"source": "src-1", "target": "copy-1", "region": "us-east-1", "tags": {"team": "a"}}]}
            """
        try directory.write(manifest, to: "m.json")
        let loaded = ManifestLoader().load([ManifestSource(path: "m.json", text: manifest)])
        let digest = try #require(loaded.copies.first?.digest, "\(loaded.diagnostics)")
        try directory.write("""
            {"DBClusterSnapshots": [
              {"DBClusterSnapshotIdentifier": "src-1", "DBClusterSnapshotArn": "\(sourceARN)", "Engine": "neptune",
               "Status": "available", "SnapshotType": "manual", "PercentProgress": 100, "StorageEncrypted": false, "TagList": []},
              {"DBClusterSnapshotIdentifier": "copy-1", "DBClusterSnapshotArn": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:copy-1",
               "Engine": "neptune", "Status": "available", "SnapshotType": "manual", "PercentProgress": 100, "StorageEncrypted": false,
               "SourceDBClusterSnapshotArn": "\(sourceARN)",
               "TagList": [{"Key": "snapcopy:source", "Value": "\(sourceARN)"}, {"Key": "team", "Value": "a"}]}
            ]}
            """, to: "live.json")
        try directory.write("""
            {
              "lineage": "0b8f3c2e-1111-4e3a-9f21-8c5d0b7a3e14",
              "records": [
                {
                  "copyTags": false,
                  "deletionPolicy": "retain",
                  "entryDigest": "\(digest)",
                  "kmsKeyID": null,
                  "region": "us-east-1",
                  "sourceARN": "\(sourceARN)",
                  "status": "available",
                  "tags": {"snapcopy:source": "\(sourceARN)", "team": "a"},
                  "target": "copy-1",
                  "targetARN": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:copy-1"
                }
              ],
              "serial": 3,
              "version": 1
            }

            """, to: "snapcopy.lock")
    }
}
