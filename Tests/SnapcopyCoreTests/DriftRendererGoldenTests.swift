import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import SnapcopyCore

/// One fixed drift report with every kind of finding, a note, a region not checked and an ignored
/// finding, with tag keys and values that need escaping in every format, rendered in every format
/// and compared byte for byte with `Golden/drift.*`. Run with `SNAPCOPY_RECORD_GOLDEN=1` to rewrite
/// the files after an intended change, then review the diff.
@Suite struct DriftRendererGoldenTests {
    typealias F = DriftFixture
    static let deleted = arn(east, "deleted-1")
    /// A value with every character that is special somewhere: Markdown tables, XML, JSON, terminals.
    static let awkward = "x<y>&\"z' | `tick` *b* _i_ [l](u) \\"
    static let multiline = "line1\nline2\t\u{1B}[31mred\u{7}"

    static func fixtureReport() throws -> DriftReport {
        let hour = F.hour
        let copies = [
            copy("fine-dr"), copy("gone-dr"),
            copy("tagged-dr", tags: ["cost center": "a|b", "env": "prod"]),
            copy("replaced-dr"), copy("new-dr"), copy("slow-dr"), copy("broken-dr"),
            copy("orphan-dr", from: .arn(deleted)), copy("unknown-tags-dr"), copy("scratch-dr"),
            copy("far-dr", to: "eu-central-1"),
        ]
        let records = [
            F.recorded("fine-dr"), F.recorded("gone-dr"),
            F.recorded("tagged-dr") { $0.tags = owned(by: DriftFixture.source, ["cost center": "a|b", "env": "prod"]) },
            F.recorded("replaced-dr"),
            F.recorded("slow-dr") { $0.status = .copying; $0.startedAt = F.iso(F.ago(30 * hour)); $0.percentProgress = 35; $0.progressSince = F.iso(F.ago(2 * hour)) },
            F.recorded("broken-dr") { $0.status = .copying },
            F.recorded("orphan-dr", source: deleted) { $0.tags = owned(by: Self.deleted) },
            F.recorded("unknown-tags-dr"), F.recorded("scratch-dr"),
            LockRecord(region: "eu-central-1", target: "far-dr", sourceARN: F.source.description, tags: owned(by: F.source)),
        ]
        let live = [
            F.sourceSnapshot,
            F.target("fine-dr"),
            F.target("tagged-dr", tags: owned(by: F.source, ["cost center": awkward, "note": multiline, "aws:cloudformation:stack-name": "s"])),
            F.target("replaced-dr", created: F.ago(5 * hour)),
            F.target("slow-dr", status: "copying", percent: 40, created: F.ago(30 * hour)),
            F.target("broken-dr", status: "failed", percent: 20),
            F.target("stray-dr", created: F.ago(48 * hour)),
            F.target("orphan-dr", tags: owned(by: deleted)),
            F.target("unknown-tags-dr", tags: nil),
            F.target("scratch-dr", tags: owned(by: F.source, ["edited": "by hand"])),
        ]
        let nightly = rules(#"{"name": "nightly-dr", "select": {"region": "us-east-1", "clusters": ["graph-prod"]}, "copy": {"target": "{cluster}-{date}-dr"}, "rpo": "PT26H"}"#)
        let report = F.detect(copies, live: live, records: records, regions: [east, west], rules: nightly)
        return report.applying(try IgnoreRules.parse("# scratch copies are edited by hand\ntags-changed us-west-2/scratch-*\n", file: ".snapcopyignore"))
    }

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ rendered: String, against name: String) throws {
        let file = golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SNAPCOPY_RECORD_GOLDEN"] != nil {
            try Data(rendered.utf8).write(to: file)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(rendered == expected, "\(name) differs from the golden file; if the change is intended, rerun with SNAPCOPY_RECORD_GOLDEN=1 and review the diff")
    }

    @Test func theFixtureHasEveryKind() throws {
        let report = try Self.fixtureReport()
        #expect(report.kindsAndTargets == [
            "failed broken-dr", "missing gone-dr", "unapplied new-dr", "rpo-violated nightly-dr/graph-prod", "source-gone orphan-dr",
            "replaced replaced-dr", "stuck slow-dr", "unmanaged stray-dr", "tags-changed tagged-dr",
        ])
        #expect(Set(report.findings.map(\.kind)) == Set(DriftKind.allCases))
        #expect(report.ignored == 1)
        #expect(report.notes.map(\.target) == ["unknown-tags-dr"])
        #expect(report.uncheckedRegions == [DriftReport.UncheckedRegion(region: "eu-central-1", targets: ["far-dr"])])
        #expect(report.checked.count == 9)
        #expect(report.summary.line == "Drift: 8 findings (1 missing, 1 tags-changed, 1 replaced, 1 unapplied, 1 stuck, 1 failed, 1 unmanaged, 1 rpo-violated); 1 warning; 9 copies checked; 1 finding ignored; 1 region not checked (no live data).")
    }

    @Test func text() throws {
        let rendered = TextDriftRenderer(color: false).render(try Self.fixtureReport())
        try Self.check(rendered, against: "drift.txt")
        #expect(!rendered.unicodeScalars.contains { $0 != "\n" && DriftText.isControl($0) }, "no control character but line breaks reaches the terminal")
        #expect(rendered.contains(#"+ note = "line1\nline2\t\u001b[31mred\u0007""#))
        #expect(rendered.contains(#"~ "cost center": "a|b" → "x<y>&\"z' | `tick` *b* _i_ [l](u) \\""#))
        #expect(rendered.contains("\n                - env = \"prod\"\n"), "one line per tag")
    }

    @Test func coloredText() throws {
        let report = try Self.fixtureReport()
        let colored = TextDriftRenderer(color: true).render(report)
        #expect(colored.contains("\u{1B}[31m!\u{1B}[0m"))
        #expect(colored.contains("\u{1B}[33m?\u{1B}[0m"), "warnings are marked differently")
        let stripped = colored.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == TextDriftRenderer(color: false).render(report))
    }

    @Test func json() throws {
        let report = try Self.fixtureReport()
        let rendered = try JSONDriftRenderer().render(report)
        try Self.check(rendered, against: "drift.json")
        let decoded = try JSONDecoder().decode(DriftReport.self, from: Data(rendered.utf8))
        #expect(decoded == report, "the JSON report decodes back to the same report")
        #expect(try JSONDriftRenderer().render(decoded) == rendered)
        #expect(try report.rendered(as: .json) == rendered)

        let object = try #require(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: Any])
        #expect(object["hasDrift"] as? Bool == true)
        let summary = try #require(object["summary"] as? [String: Any])
        #expect((summary["byKind"] as? [String: Int])?.keys.sorted() == DriftKind.allCases.map(\.rawValue).sorted())
        #expect(summary["findings"] as? Int == 8 && summary["warnings"] as? Int == 1 && summary["ignored"] as? Int == 1)
        let findings = try #require(object["findings"] as? [[String: Any]])
        let tagged = try #require(findings.first { $0["target"] as? String == "tagged-dr" })
        let changes = try #require(tagged["tagChanges"] as? [[String: String]])
        #expect(changes == [
            ["key": "cost center", "change": "changed", "expected": "a|b", "live": Self.awkward],
            ["key": "env", "change": "removed", "expected": "prod"],
            ["key": "note", "change": "added", "live": Self.multiline],
        ])
        #expect(findings.first { $0["kind"] as? String == "source-gone" }?["severity"] as? String == "warning")
    }

    @Test func markdown() throws {
        let rendered = MarkdownDriftRenderer().render(try Self.fixtureReport())
        try Self.check(rendered, against: "drift.md")
        #expect(rendered.contains("| `cost center` | changed | `\"a\\|b\"` | "), "pipes in table cells are escaped")
        #expect(rendered.contains(#"| `note` | added | — | `"line1\nline2\t\u001b[31mred\u0007"` |"#), "a line break in a value stays in its row")
        for line in rendered.split(separator: "\n") where line.hasPrefix("|") {
            #expect(line.hasSuffix("|"), "every table row ends on its own line: \(line)")
        }
        #expect(!rendered.unicodeScalars.contains { $0 != "\n" && DriftText.isControl($0) })
        #expect(rendered.contains("| missing | 1 | recorded copies gone from the account |"))
        #expect(rendered.contains("| source-gone (warning) | 1 |"))
    }

    @Test func junit() throws {
        let rendered = JUnitDriftRenderer().render(try Self.fixtureReport())
        try Self.check(rendered, against: "drift.junit.xml")
    }

    @Test func junitParsesAsJUnitXML() throws {
        let report = try Self.fixtureReport()
        let document = try JUnitDocument(parsing: JUnitDriftRenderer().render(report))
        #expect(document.suites.map { $0["name"] } == ["snapcopy drift"])
        #expect(document.roots == ["testsuites"])
        // One case per managed copy checked, plus the unapplied entry, the unmanaged snapshot and the rule's cluster, plus the skipped one.
        #expect(document.cases.map(\.id) == [
            "eu-central-1/far-dr", "us-west-2/broken-dr", "us-west-2/fine-dr", "us-west-2/gone-dr", "us-west-2/new-dr",
            "us-west-2/nightly-dr/graph-prod", "us-west-2/orphan-dr", "us-west-2/replaced-dr", "us-west-2/scratch-dr", "us-west-2/slow-dr", "us-west-2/stray-dr",
            "us-west-2/tagged-dr", "us-west-2/unknown-tags-dr",
        ])
        let suite = try #require(document.suites.first)
        #expect(suite["tests"] == String(document.cases.count))
        #expect(suite["failures"] == "8")
        #expect(suite["skipped"] == "1")
        #expect(suite["errors"] == "0")
        #expect(document.cases.filter { $0.failure != nil }.count == 8)
        #expect(Set(document.cases.compactMap { $0.failure?.type }) == Set(DriftKind.allCases.filter { $0.severity == .drift }.map(\.rawValue)))
        #expect(document.cases.first { $0.name == "far-dr" }?.skipped == true)
        let orphan = try #require(document.cases.first { $0.name == "orphan-dr" })
        #expect(orphan.failure == nil, "a warning does not fail the case")
        #expect(orphan.output.hasPrefix("source-gone (warning)\nexpected: the source \(Self.deleted)"))
        #expect(document.cases.first { $0.name == "unknown-tags-dr" }?.output.hasPrefix("note: tags were not compared") == true)
        #expect(document.cases.first { $0.name == "fine-dr" }.map { $0.failure == nil && $0.output.isEmpty && !$0.skipped } == true)
        #expect(document.cases.first { $0.name == "scratch-dr" }?.failure == nil, "an ignored finding does not fail")

        let tagged = try #require(document.cases.first { $0.name == "tagged-dr" }?.failure)
        #expect(tagged.type == "tags-changed")
        #expect(tagged.message == "tags-changed: 3 tags differ from those snapcopy set (1 added, 1 changed, 1 removed)")
        #expect(tagged.text.contains(#"tag "cost center": changed, expected "a|b", live "x<y>&\"z' | `tick` *b* _i_ [l](u) \\""#),
                "the value survives XML escaping: \(tagged.text)")
        #expect(tagged.text.contains(#"tag note: added, live "line1\nline2\t\u001b[31mred\u0007""#))
    }

    @Test func aReportWithoutFindings() throws {
        let report = F.detect([copy()], live: [F.sourceSnapshot, F.target()], records: [F.recorded()])
        #expect(TextDriftRenderer(color: false).render(report) == "No drift. The manifests, the lock file and the account agree.\n\nNo drift: 1 copy checked.\n")
        let markdown = MarkdownDriftRenderer().render(report)
        #expect(markdown.hasPrefix("### snapcopy drift\n\n**No drift: 1 copy checked.**\n\n<sub>"))
        #expect(!markdown.contains("| Kind |"))
        let document = try JUnitDocument(parsing: try report.rendered(as: .junit))
        #expect(document.suites.first?["tests"] == "1")
        #expect(document.suites.first?["failures"] == "0")
        #expect(document.cases.map(\.id) == ["us-west-2/prod-dr"])
        #expect(try JSONDecoder().decode(DriftReport.self, from: Data(try report.rendered(as: .json).utf8)) == report)
    }

    @Test func theSummaryLineReadsAsTheIssueShowsIt() {
        let findings = [DriftFinding(region: west, target: "a", kind: .missing, expected: "e", live: "l", message: "m"),
                        DriftFinding(region: west, target: "b", kind: .tagsChanged, expected: "e", live: "l", message: "m"),
                        DriftFinding(region: west, target: "c", kind: .tagsChanged, expected: "e", live: "l", message: "m"),
                        DriftFinding(region: west, target: "d", kind: .sourceGone, expected: "e", live: "l", message: "m")]
        let checked = (1...40).map { CopyIdentity(region: west, target: "copy-\($0)") }
        let report = DriftReport(generatedAt: "2026-11-21T12:00:00Z", findings: findings, checked: checked,
                                 thresholds: DriftDetector(now: F.now).thresholds)
        #expect(report.summary.line == "Drift: 3 findings (1 missing, 2 tags-changed); 1 warning; 40 copies checked.")
        let warningOnly = DriftReport(generatedAt: "2026-11-21T12:00:00Z", findings: [findings[3]], checked: checked,
                                      thresholds: DriftDetector(now: F.now).thresholds)
        #expect(warningOnly.summary.line == "No drift: 1 warning; 40 copies checked.")
        #expect(!warningOnly.hasDrift)
        // Several findings about one identity make one failing case.
        let doubled = DriftReport(generatedAt: "2026-11-21T12:00:00Z",
                                  findings: [findings[0], DriftFinding(region: west, target: "a", kind: .stuck, expected: "e", live: "l", message: "n", stuckReason: .tooLong)],
                                  checked: [], thresholds: DriftDetector(now: F.now).thresholds)
        #expect(JUnitDriftRenderer().render(doubled).contains(#"<failure message="missing: m; stuck: n" type="missing,stuck">"#))
    }
}

/// A JUnit document read back with Foundation's `XMLParser`.
struct JUnitDocument {
    struct Failure {
        var type: String?
        var message: String?
        var text = ""
    }

    struct Case {
        var classname: String
        var name: String
        var failure: Failure?
        var skipped = false
        var output = ""

        var id: String { "\(classname)/\(name)" }
    }

    var roots: [String] = []
    var suites: [[String: String]] = []
    var cases: [Case] = []

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    init(parsing text: String) throws {
        let parser = XMLParser(data: Data(text.utf8))
        let reader = Reader()
        parser.delegate = reader
        guard parser.parse(), reader.depth == 0, !reader.document.roots.isEmpty else {
            throw Malformed(description: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unclosed elements")")
        }
        self = reader.document
    }

    private final class Reader: NSObject, XMLParserDelegate {
        var document = JUnitDocument(empty: ())
        var depth = 0
        var inFailure = false
        var inOutput = false

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if depth == 0 { document.roots.append(name) }
            depth += 1
            switch name {
            case "testsuite": document.suites.append(attributes)
            case "testcase": document.cases.append(Case(classname: attributes["classname"] ?? "", name: attributes["name"] ?? ""))
            case "failure":
                document.cases[document.cases.count - 1].failure = Failure(type: attributes["type"], message: attributes["message"])
                inFailure = true
            case "skipped": document.cases[document.cases.count - 1].skipped = true
            case "system-out": inOutput = true
            default: break
            }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            depth -= 1
            if name == "failure" { inFailure = false }
            if name == "system-out" { inOutput = false }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !document.cases.isEmpty else { return }
            if inFailure { document.cases[document.cases.count - 1].failure?.text += string }
            if inOutput { document.cases[document.cases.count - 1].output += string }
        }
    }

    private init(empty: Void) {}
}
