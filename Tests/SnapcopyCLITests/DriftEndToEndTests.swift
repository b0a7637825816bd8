import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import NeptuneAPI
import SnapcopyCore
import Testing
import TestSupport

private typealias Entry = ApplyManifest.Entry

/// `snapcopy drift`: every kind of finding caused out of band in the fake, reported in every
/// format (golden files), read-only against an endpoint that rejects every write.
@Suite("drift end to end (built binary against fake_neptune)", .serialized, .enabled(if: ApplyMoto.isAvailable, ApplyMoto.skipMessage))
struct DriftEndToEndTests {
    static let golden = CLI.root.appendingPathComponent("Tests/SnapcopyCLITests/Fixtures/drift-golden")
    static let writeActions = ["CopyDBClusterSnapshot", "DeleteDBClusterSnapshot", "AddTagsToResource", "RemoveTagsFromResource"]

    fileprivate static let entries: [Entry] = [
        Entry(source: "src-a", target: "kept-copy", tags: ["env": "prod"]),
        Entry(source: "src-a", target: "gone-copy"),
        Entry(source: "src-b", target: "tagged-copy", tags: ["env": "prod", "team": "graph"]),
        Entry(source: "src-b", target: "replaced-copy"),
        Entry(source: "src-c", target: "failed-copy"),
        Entry(source: "src-d", target: "orphan-copy"),
    ]

    /// Builds the world: copies applied, then each finding caused out of band.
    private func prepare(_ workspace: ApplyWorkspace, _ server: FakeNeptuneServer) async throws {
        try await server.seedSources(["src-a", "src-b", "src-c", "src-d", "src-e"], tags: ["owner": "graph"])
        // A copy held copying far longer than --stuck-after.
        try await server.configure(FakeConfig(copyingSeconds: 3600))
        let slowEntry = Entry(source: "src-e", target: "slow-copy")
        try workspace.write(ApplyManifest([slowEntry]))
        let slow = try await workspace.apply(["copies.json"], ["--no-wait"])
        try #require(slow.exitCode == 0, "\(slow.stdout)\n\(slow.stderr)")
        // The rest copy at once; failed-copy ends failed.
        try await server.configure(FakeConfig(failCopies: ["failed-copy"]))
        try workspace.write(ApplyManifest(Self.entries + [slowEntry]))
        let first = try await workspace.apply(["copies.json"], ["--no-wait"])
        try #require(first.exitCode == 1 && first.stdout.contains("1 failed"), "only failed-copy should fail:\n\(first.stdout)\n\(first.stderr)")

        let client = workspace.live.client("us-east-1")
        _ = try await client.deleteDBClusterSnapshot(identifier: "gone-copy")                                  // missing
        let tagged = ApplyWorkspace.snapshotARN("tagged-copy")
        try await client.removeTagsFromResource(arn: tagged, tagKeys: ["team"])                                 // tags-changed
        try await client.addTagsToResource(arn: tagged, tags: [Tag(key: "env", value: "dev"), Tag(key: "aws:ignored", value: "x")])
        try await server.seed(Seed(region: "us-east-1", clusters: [],                                           // replaced
                                   snapshots: [.init(id: "replaced-copy", createdAt: Date(timeIntervalSince1970: 1_600_000_000))]))
        _ = try await client.copyDBClusterSnapshot(CopyDBClusterSnapshotRequest(                               // unmanaged
            sourceIdentifier: "src-a", targetIdentifier: "stray-copy",
            tags: [Tag(key: TagRules.ownershipKey, value: ApplyWorkspace.snapshotARN("src-a"))]))
        _ = try await client.deleteDBClusterSnapshot(identifier: "src-d")                                      // source-gone
        try workspace.write(ApplyManifest(Self.entries + [Entry(source: "src-e", target: "slow-copy"), Entry(source: "src-a", target: "new-copy")]))  // unapplied
        try await Task.sleep(for: .milliseconds(1500))                                                         // stuck
    }

    private func drift(_ workspace: ApplyWorkspace, _ extra: [String]) async throws -> ProcessResult {
        try await workspace.run(["drift", workspace.directory.appending("copies.json").path, "--stuck-after", "1s", "--no-color"]
            + workspace.commonOptions + extra)
    }

    @Test("every kind of finding, in every format, matching the golden files; read-only against an endpoint that rejects writes")
    func everyFindingInEveryFormat() async throws {
        let server = try await ApplyServers.drift()
        try await withTemporaryDirectory(prefix: "snapcopy-drift") { directory in
            let workspace = try ApplyWorkspace(server: server, directory: directory)
            try await prepare(workspace, server)
            // From here on, every write call is refused: drift must not need one.
            try await server.configure(FakeConfig(copyingSeconds: 3600,
                                                  faults: Self.writeActions.map { FaultRule(.internalFailure, action: $0) }))
            try await server.resetStats()
            let lockBefore = workspace.lockBytes()

            let text = try await drift(workspace, [])
            #expect(text.exitCode == 2, "\(text.stdout)\n\(text.stderr)")
            let kinds = ["missing", "tags-changed", "replaced", "unapplied", "stuck", "failed", "unmanaged", "source-gone"]
            for kind in kinds { #expect(text.stdout.contains(") \(kind)\n"), "no \(kind) finding:\n\(text.stdout)") }
            #expect(!text.stdout.contains("aws:ignored"), "aws: keys are never drift")
            try Self.check(text.stdout, against: "drift.txt")

            for (format, name) in [("json", "drift.json"), ("markdown", "drift.md"), ("junit", "drift.junit.xml")] {
                let file = directory.appending("report.\(format)").path
                let run = try await drift(workspace, ["--format", format, "--output", file])
                #expect(run.exitCode == 2)
                #expect(run.stdout.hasPrefix("Drift: "), "the summary still goes to the terminal: \(run.stdout)")
                let written = try String(contentsOfFile: file, encoding: .utf8)
                try Self.check(written, against: name)
                if format == "json" {
                    let results = try await JSONSchemaCheck.run(schema: .drift, on: [URL(fileURLWithPath: file)])
                    #expect(results.allSatisfy { $0.errors.isEmpty }, "\(results)")
                    let shown = try await workspace.run(["show", file, "--format", "junit"])
                    #expect(shown.exitCode == 0)
                    #expect(JUnitCount(shown.stdout).failures > 0)
                }
                if format == "junit" {
                    let counts = JUnitCount(written)
                    #expect(counts.parsed, "the JUnit file does not parse as XML")
                    #expect(counts.testcases >= 7 && counts.failures == 7, "\(counts)")
                }
            }

            let stats = try await server.stats()
            for action in Self.writeActions { #expect(stats.calls(action) == 0, "drift called \(action)") }
            #expect(stats.faultsInjected.isEmpty, "a write was attempted: \(stats.faultsInjected)")
            #expect(workspace.lockBytes() == lockBefore, "drift wrote the lock file")
            #expect(stats.calls("DescribeDBClusterSnapshots") == 4, "one listing per run: \(stats.callsByAction)")

            // Ignore rules suppress exactly what they name.
            try directory.write("# the tag change is expected\ntags-changed us-east-1/tagged-*\n", to: ".snapcopyignore")
            let ignored = try await drift(workspace, ["--ignore", "unmanaged */stray-copy", "--format", "json"])
            let report = try JSONDecoder().decode(DriftReport.self, from: Data(ignored.stdout.utf8))
            #expect(report.ignored == 2)
            #expect(!report.findings.contains { $0.kind == .tagsChanged || $0.kind == .unmanaged })
            #expect(Set(report.findings.map(\.kind)) == [.missing, .replaced, .unapplied, .stuck, .failed, .sourceGone])
            let reincluded = try await drift(workspace, ["--ignore", "!tags-changed us-east-1/tagged-copy", "--format", "json"])
            #expect(try JSONDecoder().decode(DriftReport.self, from: Data(reincluded.stdout.utf8)).findings.contains { $0.kind == .tagsChanged })
            try directory.write("tag-changed us-east-1/x\n", to: ".snapcopyignore")
            let malformed = try await drift(workspace, [])
            #expect(malformed.exitCode == 1)
            #expect(malformed.stderr.contains(".snapcopyignore:1:") && malformed.stderr.contains("tags-changed"), "\(malformed.stderr)")
        }
    }

    /// Times, ARN-free durations and the temporary directory vary between runs; everything else must not.
    static func normalized(_ text: String) -> String {
        var text = text
        for (pattern, replacement) in [
            (#"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"#, "<time>"),
            (#"/tmp/snapcopy-drift-[A-Za-z0-9-]+"#, "<dir>"),
            (#"after (\d+h )?(\d+m )?\d+s"#, "after <duration>"),
            (#"for (\d+h )?(\d+m )?\d+s"#, "for <duration>"),
            (#"after \d+h \d+m"#, "after <duration>"),
        ] {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }

    static func check(_ rendered: String, against name: String) throws {
        let file = golden.appendingPathComponent(name)
        let text = normalized(rendered)
        if ProcessInfo.processInfo.environment["SNAPCOPY_RECORD_GOLDEN"] != nil {
            try Data(text.utf8).write(to: file)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "\(name) differs from the golden file; if the change is intended, rerun with SNAPCOPY_RECORD_GOLDEN=1 and review the diff:\n\(text)")
    }
}

/// Counts `testcase` and `failure` elements of a JUnit document with Foundation's XML parser.
struct JUnitCount: CustomStringConvertible {
    var parsed = false
    var testcases = 0
    var failures = 0

    init(_ text: String) {
        final class Counter: NSObject, XMLParserDelegate {
            var testcases = 0
            var failures = 0
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == "testcase" { testcases += 1 }
                if name == "failure" { failures += 1 }
            }
        }
        let counter = Counter()
        let parser = XMLParser(data: Data(text.utf8))
        parser.delegate = counter
        parsed = parser.parse()
        testcases = counter.testcases
        failures = counter.failures
    }

    var description: String { "parsed \(parsed), \(testcases) test cases, \(failures) failures" }
}
