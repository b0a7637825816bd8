import Foundation
import SnapcopyCore
import Testing
import TestSupport
@testable import SnapcopyCLI

/// What a new user ran into, each fixed: help texts, formats, paths, numbers, nulls and messages.
@Suite("found tried as a new user (built binary)")
struct NewUserTests {
    @Test("--version and the completion scripts the README documents work", arguments: ["bash", "zsh", "fish"])
    func versionAndCompletions(shell: String) async throws {
        let version = try await CLI.run(["--version"])
        #expect(version.exitCode == 0 && version.stdout == "\(SnapcopyCommand.version)\n")
        let script = try await CLI.run(["--generate-completion-script", shell])
        #expect(script.exitCode == 0)
        #expect(script.stdout.contains("snapcopy") && script.stdout.contains("refresh") && script.stdout.contains("capture"))
    }

    @Test("apply --help shows durations as they are written and names placeholders")
    func applyHelp() async throws {
        let run = try await CLI.run(["apply", "--help"])
        #expect(run.exitCode == 0)
        #expect(run.stdout.contains("(default:\n                          15s)") || run.stdout.contains("(default: 15s)"), "\(run.stdout)")
        #expect(!run.stdout.contains("DurationArgument"))
        #expect(run.stdout.contains("--max-inflight-copies <n>"))
        #expect(!run.stdout.contains("<max-inflight-copies>"))
    }

    @Test("validate --help lists only what validate uses, and validate --format markdown is a usage error")
    func validateOptions() async throws {
        let help = try await CLI.run(["validate", "--help"])
        for unused in ["--lock-file", "--endpoint-url", "--parallelism", "--debug"] {
            #expect(!help.stdout.contains(unused), "validate --help lists \(unused)")
        }
        #expect(help.stdout.contains("--region"))
        let markdown = try await CLI.run(["validate", "examples/manifests", "--format", "markdown"])
        #expect(markdown.exitCode == 64, "\(markdown.stdout)\(markdown.stderr)")
    }

    @Test("negative numbers are out of range, not a missing value", arguments: [
        (["plan", "examples/manifests", "--parallelism", "-1"], "--parallelism -1 is out of range"),
        (["apply", "examples/manifests", "--max-inflight-copies", "-3"], "--max-inflight-copies -3 is out of range"),
        (["apply", "examples/manifests", "--lock-timeout", "-5m"], "The value '-5m' is invalid for '--lock-timeout <duration>'"),
    ])
    func negativeNumbers(arguments: [String], message: String) async throws {
        let run = try await CLI.run(arguments)
        #expect(run.exitCode == 64)
        #expect(run.stderr.contains(message), "\(run.stderr)")
        #expect(!run.stderr.contains("Missing value"))
    }

    @Test("the same file twice, or a file and its folder, is read once")
    func duplicatePathsAreReadOnce() async throws {
        let run = try await CLI.run(["validate", "examples/manifests", "examples/manifests/prod-dr.json", "./examples/manifests/prod-dr.json"])
        #expect(run.exitCode == 0, "\(run.stdout)")
        #expect(!run.stdout.contains("declared twice"))
        #expect(run.stdout == "Valid: 10 copies declared.\n")
    }

    @Test("a JSON file in a manifests folder that is not a manifest is named as such")
    func notAManifest() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-newuser") { directory in
            try directory.write(#"{"name": "tools", "version": "1.0.0", "dependencies": {}}"#, to: "manifests/package.json")
            try directory.write(#"{"versions": 1}"#, to: "manifests/other.json")
            let run = try await CLI.run(["validate", directory.appending("manifests").path])
            #expect(run.exitCode == 1)
            #expect(run.stdout.contains("other.json:1:1: this JSON file is not a snapcopy manifest"), "\(run.stdout)")
            #expect(run.stdout.contains("package.json:1:1: this JSON file is not a snapcopy manifest"), "\(run.stdout)")
            #expect(run.stdout.contains("package.json"), "\(run.stdout)")
            #expect(!run.stdout.contains("unknown key \"name\""), "\(run.stdout)")
        }
    }

    @Test("- reads a manifest from standard input")
    func standardInput() async throws {
        let manifest = try String(contentsOf: CLI.root.appendingPathComponent("examples/manifests/same-region.json"), encoding: .utf8)
        let run = try await runProcess(executable: try snapcopyBinary(), arguments: ["validate", "-"], environment: CLI.baseEnvironment,
                                       currentDirectory: CLI.root, stdin: manifest)
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.hasPrefix("Valid: "))
        let bad = try await runProcess(executable: try snapcopyBinary(), arguments: ["validate", "-"], environment: CLI.baseEnvironment,
                                       currentDirectory: CLI.root, stdin: "{\"version\": 1.0, \"copies\": []}")
        #expect(bad.exitCode == 1)
        #expect(bad.stdout.contains("<stdin>:1:13 version: \"version\" must be a whole number such as 1, not 1.0"), "\(bad.stdout)")
        #expect(!bad.stderr.contains("permission"))
    }

    @Test("--lock-file naming a folder says so")
    func lockFileIsAFolder() async throws {
        let run = try await CLI.run(["plan", "examples/manifests", "--live-state", "examples/live-state", "--lock-file", "examples"])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("examples is a directory, not a lock file"), "\(run.stderr)")
        #expect(!run.stderr.contains("permissions"))
    }

    @Test("\"kmsKeyId\": null turns defaults.kmsKeyId off for one entry")
    func nullKMSKey() async throws {
        let manifest = """
            {"version": 1, "defaults": {"region": "us-west-2", "kmsKeyId": "alias/dr"},
             "copies": [{"source": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:plain", "target": "plain-dr", "kmsKeyId": null}]}
            """
        let loaded = ManifestLoader().load([ManifestSource(path: "m.json", text: manifest)])
        #expect(loaded.isValid, "\(loaded.diagnostics)")
        #expect(loaded.copies.first?.kmsKeyID == nil)
        let keyed = ManifestLoader().load([ManifestSource(path: "m.json", text: manifest.replacingOccurrences(of: ", \"kmsKeyId\": null", with: ""))])
        #expect(keyed.copies.first?.kmsKeyID == "alias/dr")
        let plan = Planner().plan(desired: keyed, live: LiveState([LiveSnapshot(identifier: "plain", arn: SnapshotARN("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:plain")!)],
                                                                  regions: ["us-east-1", "us-west-2"]), lock: nil)
        #expect(plan.problems.first?.fix.contains("set it to null to override defaults.kmsKeyId") == true, "\(plan.problems)")
    }

    @Test("a connection that cannot be made names the host and port, not an error number")
    func connectionErrorsNameTheHost() async throws {
        let run = try await CLI.run(["plan", "examples/manifests", "--endpoint-url", "http://127.0.0.1:1", "--region", "us-east-1",
                                     "--lock-file", "no-such.lock"],
                                    extraEnvironment: ["AWS_ACCESS_KEY_ID": "AKIAFAKENEWUSERTEST1", "AWS_SECRET_ACCESS_KEY": "fake-secret",
                                                       "AWS_EC2_METADATA_DISABLED": "true"])
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("the request to 127.0.0.1:1 could not connect (connection refused)"), "\(run.stderr)")
        #expect(!run.stderr.contains("URLError") && !run.stderr.contains("-1004"))
    }

    @Test("NO_COLOR set but empty keeps colour; set and non-empty turns it off")
    func noColorConvention() {
        #expect(GlobalOptions.colorAllowed(noColor: false, environment: ["NO_COLOR": ""], isTerminal: true))
        #expect(!GlobalOptions.colorAllowed(noColor: false, environment: ["NO_COLOR": "1"], isTerminal: true))
        #expect(GlobalOptions.colorAllowed(noColor: false, environment: [:], isTerminal: true))
        #expect(!GlobalOptions.colorAllowed(noColor: true, environment: [:], isTerminal: true))
        #expect(!GlobalOptions.colorAllowed(noColor: false, environment: ["TERM": "dumb"], isTerminal: true))
        #expect(!GlobalOptions.colorAllowed(noColor: false, environment: [:], isTerminal: false))
    }

    @Test("a blocked plan --out removes an older plan in FILE, so it cannot be applied by mistake")
    func blockedPlanRemovesTheOldFile() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-newuser") { directory in
            try Fixture.writeUpToDate(in: directory)
            let out = directory.appending("saved.plan").path
            let saved = try await CLI.run(["plan", directory.appending("m.json").path, "--live-state", directory.appending("live.json").path,
                                           "--lock-file", directory.appending("snapcopy.lock").path, "--out", out])
            #expect(saved.exitCode == 0, "\(saved.stderr)")
            #expect(saved.stderr.contains("Saved the plan to \(out). Apply exactly this plan with: snapcopy apply \(out) --lock-file \(directory.appending("snapcopy.lock").path)"), "\(saved.stderr)")
            #expect(FileManager.default.fileExists(atPath: out))
            try directory.write("{\"DBClusterSnapshots\": []}", to: "empty-live.json")
            let blocked = try await CLI.run(["plan", directory.appending("m.json").path, "--live-state", directory.appending("empty-live.json").path,
                                             "--region", "us-east-1", "--lock-file", directory.appending("snapcopy.lock").path, "--out", out])
            #expect(blocked.exitCode == 1)
            #expect(blocked.stderr.contains("it was not saved to \(out) (the older plan saved there was removed"), "\(blocked.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
    }

    @Test("show prints a saved plan in every plan format, as plan printed it")
    func showPrintsASavedPlan() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-show") { directory in
            let out = directory.appending("examples.plan").path
            let arguments = CLITests.examplePlan + ["--no-color"]
            let saved = try await CLI.run(arguments + ["--out", out])
            #expect(saved.exitCode == 0)
            for format in ["text", "json", "markdown"] {
                let planned = try await CLI.run(arguments + ["--format", format])
                let shown = try await CLI.run(["show", out, "--format", format, "--no-color"])
                #expect(shown.exitCode == 0, "\(shown.stderr)")
                if format == "json" {
                    let saved = try JSONDecoder().decode(Plan.self, from: Data(shown.stdout.utf8))
                    let fresh = try JSONDecoder().decode(Plan.self, from: Data(planned.stdout.utf8))
                    #expect(saved.changes == fresh.changes && saved.problems == fresh.problems)
                } else {
                    #expect(shown.stdout == planned.stdout, "show --format \(format) differs from plan")
                }
            }
            let notAPlan = try await CLI.run(["show", "examples/manifests/prod-dr.json"])
            #expect(notAPlan.exitCode == 1 && notAPlan.stderr.contains("is not a saved plan"))
        }
    }

    @Test("with --format json, errors are a JSON document on stdout too", arguments: [
        ["validate", "no/such/manifests", "--format", "json"],
        ["plan", "examples/manifests", "--live-state", "no/such/capture.json", "--format", "json"],
        ["show", "no/such.plan", "--format", "json"],
    ])
    func jsonErrors(arguments: [String]) async throws {
        let run = try await CLI.run(arguments)
        #expect(run.exitCode == 1)
        let document = try JSONDecoder().decode(ErrorDocumentShape.self, from: Data(run.stdout.utf8))
        #expect(document.formatVersion == 1 && document.exitCode == 1)
        #expect(document.error.message.contains("no/such"), "\(run.stdout)")
        #expect(run.stderr.contains("no/such"), "the message still goes to stderr")
    }

    @Test("with --format json, invalid manifests are the validate document, with their diagnostics")
    func jsonPlanOfInvalidManifests() async throws {
        let run = try await CLI.run(["plan", "Tests/SnapcopyCLITests/Fixtures/invalid/target-double-hyphen.json", "--format", "json"])
        #expect(run.exitCode == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stdout)")
        #expect(document["valid"] as? Bool == false)
        #expect((document["diagnostics"] as? [Any])?.isEmpty == false)
    }
}
