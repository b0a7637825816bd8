import Foundation
import SnapcopyCore
import Testing
import TestSupport

/// The bad-input corpus (`Tests/Corpus`, written by `generate.py`): one file per mistake a user can
/// make in a manifest, lock file, capture, ignore file, saved plan or AWS config file.
enum Corpus {
    static let folder = CLI.root.appendingPathComponent("Tests/Corpus")

    /// One corpus file and the fragment that names the place of its mistake.
    struct Case: Sendable, CustomTestStringConvertible {
        /// `KIND/NAME`, relative to the corpus folder.
        var file: String
        var place: String
        var kind: String { String(file.prefix(while: { $0 != "/" })) }
        var name: String { String(file.drop(while: { $0 != "/" }).dropFirst()) }
        var testDescription: String { file }
    }

    /// Every file listed in `expected.json` (an unreadable list yields one case that fails).
    static let cases: [Case] = {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("expected.json").path),
              let table = try? JSONDecoder().decode([String: String].self, from: data)
        else { return [Case(file: "expected.json/unreadable", place: "-")] }
        return table.map { Case(file: $0.key, place: $0.value) }.sorted { $0.file < $1.file }
    }()
}

/// For each corpus file: exit 1 or 64, a message naming the file and the place, no crash, no call
/// to the API at all (everything is refused before connecting; only the planner's own refusals,
/// `manifests/plan-*`, read live state first) and the lock file byte-identical.
@Suite("bad-input corpus (built binary against fake_neptune)", .serialized,
       .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct CorpusTests {
    @Test("the corpus holds at least 150 files, each listed with its place")
    func corpusIsComplete() throws {
        #expect(Corpus.cases.count >= 150, "\(Corpus.cases.count) files")
        for kind in ["manifests", "lock-files", "captures", "ignore-files", "plans", "aws-config"] {
            let listed = Set(Corpus.cases.filter { $0.kind == kind }.map(\.name))
            let onDisk = try FileManager.default.contentsOfDirectory(atPath: Corpus.folder.appendingPathComponent(kind).path)
            #expect(Set(onDisk) == listed, "\(kind): files and expected.json differ")
        }
    }

    @Test("a bad input is refused clearly, before any API call, and the lock file is untouched", arguments: Corpus.cases)
    func refused(_ item: Corpus.Case) async throws {
        let server = try await ApplyServers.corpus()
        try await withTemporaryDirectory(prefix: "snapcopy-corpus") { directory in
            let workspace = try ApplyWorkspace(server: server, directory: directory)
            let input = Corpus.folder.appendingPathComponent(item.file).path
            let examples = CLI.root.appendingPathComponent("examples").path
            // The lock file under test keeps its corpus name, so messages about it name it.
            let lockPath = item.kind == "lock-files" ? directory.appending(item.name).path : workspace.lockPath
            try FileManager.default.copyItem(atPath: item.kind == "lock-files" ? input : examples + "/snapcopy.lock", toPath: lockPath)
            let lockBefore = try #require(FileManager.default.contents(atPath: lockPath))
            let options = ["--lock-file", lockPath, "--endpoint-url", server.endpoint.absoluteString]

            // No region comes from the environment (unless the planner must run), so a manifest
            // without one stays invalid.
            var environment = workspace.environment
            if !item.name.hasPrefix("plan-") { environment["AWS_REGION"] = nil }
            let arguments: [String]
            switch item.kind {
            case "manifests", "plans":
                arguments = ["apply", input, "--auto-approve"] + options
            case "lock-files":
                arguments = ["apply", examples + "/manifests", "--auto-approve"] + options
            case "captures":
                arguments = ["plan", examples + "/manifests", "--live-state", input, "--lock-file", lockPath]
            case "ignore-files":
                arguments = ["drift", examples + "/manifests", "--ignore-file", input] + options
            case "aws-config":
                environment["AWS_ACCESS_KEY_ID"] = nil
                environment["AWS_SECRET_ACCESS_KEY"] = nil
                environment["AWS_REGION"] = "us-east-1"
                environment["AWS_PROFILE"] = "p"
                environment[item.name.hasSuffix(".config") ? "AWS_CONFIG_FILE" : "AWS_SHARED_CREDENTIALS_FILE"] = input
                arguments = ["apply", examples + "/manifests", "--auto-approve"] + options
            default:
                Issue.record("\(item.file): no command reads this kind of file")
                return
            }
            try await server.resetStats()
            let run = try await runProcess(executable: workspace.binary, arguments: arguments, environment: environment,
                                           currentDirectory: directory.url, timeout: .seconds(60))
            let output = run.stdout + run.stderr
            #expect(run.exitCode == 1 || run.exitCode == 64, "exit \(run.exitCode): \(output)")
            #expect(output.contains(item.name), "the message does not name the file: \(output)")
            #expect(output.contains(item.place), "the message does not name the place \(item.place): \(output)")
            #expect(!output.contains("Fatal error") && !output.contains("Stack dump"), "\(output)")
            if item.name.hasPrefix("plan-") {
                #expect(try await server.stats().writeCalls == [:], "the API was written: \(output)")
            } else {
                #expect(try await server.stats().callsByAction == [:], "the API was called: \(output)")
            }
            #expect(FileManager.default.contents(atPath: lockPath) == lockBefore, "the lock file changed")
        }
    }

    @Test("a 50 MB manifest is refused before it is parsed, naming the file and the limit")
    func hugeManifest() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-corpus") { directory in
            let entry = #"{"source": "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:s", "target": "t", "region": "us-west-2"},"#
            var text = #"{"version": 1, "copies": ["#
            text += String(repeating: entry, count: 50_000_000 / entry.utf8.count)
            let file = try directory.write(text, to: "huge.json")
            #expect(text.utf8.count >= 50_000_000)
            let clock = ContinuousClock()
            let started = clock.now
            let run = try await CLI.run(["validate", file.path])
            #expect(run.exitCode == 1)
            #expect(run.stderr.contains("huge.json: the manifest is larger than 16 MiB"), "\(run.stderr)")
            #expect(clock.now - started < .seconds(20), "refusing took \(clock.now - started)")
        }
    }

    @Test("10,000 levels of nesting are refused at the depth limit without overflowing the stack", arguments: ["[", "{\"a\": "])
    func deepNesting(open: String) async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-corpus") { directory in
            let close = open == "[" ? "]" : "}"
            let text = #"{"version": 1, "copies": "# + String(repeating: open, count: 10_000) + String(repeating: close, count: 10_000) + "}"
            let file = try directory.write(text, to: "deep.json")
            let run = try await CLI.run(["validate", file.path])
            #expect(run.exitCode == 1)
            #expect(run.stdout.contains("deep.json:1:"), "\(run.stdout)")
            #expect(run.stdout.contains("nesting is deeper than 512 levels"), "\(run.stdout)")
        }
    }

    /// How a saved plan is spoiled after it was made.
    enum Spoiling: String, CaseIterable, Sendable {
        case manifestChanged, planTampered, otherLockFile
    }

    @Test("a saved plan that is stale, tampered with or made with another lock file is refused without a write", arguments: Spoiling.allCases)
    func spoiledPlans(_ spoiling: Spoiling) async throws {
        let server = try await ApplyServers.corpus()
        try await withTemporaryDirectory(prefix: "snapcopy-corpus") { directory in
            let workspace = try ApplyWorkspace(server: server, directory: directory)
            try await server.seedSources(["corpus-src"])
            try workspace.write(ApplyManifest([ApplyManifest.Entry(source: "corpus-src", target: "corpus-first")]))
            #expect(try await workspace.apply().exitCode == 0)
            try workspace.write(ApplyManifest([ApplyManifest.Entry(source: "corpus-src", target: "corpus-first"),
                                               ApplyManifest.Entry(source: "corpus-src", target: "corpus-second")]))
            let planFile = directory.appending("saved.plan").path
            let saved = try await workspace.run(["plan", directory.appending("copies.json").path, "--out", planFile] + workspace.commonOptions)
            try #require(saved.exitCode == 0, "\(saved.stderr)")
            var lockPath = workspace.lockPath
            switch spoiling {
            case .manifestChanged:
                try workspace.write(ApplyManifest([ApplyManifest.Entry(source: "corpus-src", target: "corpus-first"),
                                                   ApplyManifest.Entry(source: "corpus-src", target: "corpus-second", tags: ["late": "edit"])]))
            case .planTampered:
                let text = try String(contentsOfFile: planFile, encoding: .utf8)
                try #require(text.contains("\"corpus-second\""))
                try text.replacingOccurrences(of: "\"corpus-second\"", with: "\"corpus-tampered\"").write(toFile: planFile, atomically: true, encoding: .utf8)
            case .otherLockFile:
                lockPath = directory.appending("other.lock").path
                try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("examples/snapcopy.lock").path, toPath: lockPath)
            }
            let lockBefore = try #require(FileManager.default.contents(atPath: lockPath))
            try await server.resetStats()
            let run = try await workspace.run(["apply", planFile, "--endpoint-url", server.endpoint.absoluteString, "--lock-file", lockPath])
            #expect(run.exitCode == 1, "\(run.stdout)\(run.stderr)")
            #expect(run.stderr.contains("the saved plan \(planFile) is stale and was not applied"), "\(run.stderr)")
            if spoiling == .otherLockFile {
                #expect(run.stderr.contains("made with another lock file"), "\(run.stderr)")
            }
            #expect(try await server.stats().writeCalls == [:])
            #expect(FileManager.default.contents(atPath: lockPath) == lockBefore, "the lock file changed")
        }
    }
}
