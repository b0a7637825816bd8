import Foundation
import Testing
@testable import SnapcopyCore

/// The examples' plan, rendered in every format, compared byte for byte with files under `Golden/`.
/// Run with `SNAPCOPY_RECORD_GOLDEN=1` to rewrite them after an intended change, then review the diff.
@Suite struct RendererGoldenTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func examplesPlan() throws -> Plan {
        let examples = root.appendingPathComponent("examples")
        let manifestDirectory = examples.appendingPathComponent("manifests")
        let names = try FileManager.default.contentsOfDirectory(atPath: manifestDirectory.path).filter { $0.hasSuffix(".json") }.sorted()
        let sources = try names.map { name in
            ManifestSource(path: "examples/manifests/\(name)", contents: Array(try Data(contentsOf: manifestDirectory.appendingPathComponent(name))))
        }
        let manifests = ManifestLoader().load(sources)
        try #require(manifests.isValid, "\(manifests.diagnostics)")
        var live = LiveState()
        for region in ["us-east-1", "us-west-2"] {
            let data = try Data(contentsOf: examples.appendingPathComponent("live-state/\(region).json"))
            let capture = try LiveStateFile.parse(Array(data), file: region)
            for snapshot in capture.snapshots { live.insert(snapshot) }
            for region in capture.regions { live.markDescribed(region) }
        }
        let lock = try LockFile.decode(Array(try Data(contentsOf: examples.appendingPathComponent("snapcopy.lock"))), file: "snapcopy.lock")
        return Planner().plan(desired: manifests, live: live, lock: lock)
    }

    static func check(_ rendered: String, against name: String) throws {
        let file = golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["SNAPCOPY_RECORD_GOLDEN"] != nil {
            try Data(rendered.utf8).write(to: file)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(rendered == expected, "\(name) differs from the golden file; if the change is intended, rerun with SNAPCOPY_RECORD_GOLDEN=1 and review the diff")
    }

    @Test func examplesPlanShowsEveryActionKind() throws {
        let plan = try Self.examplesPlan()
        let kinds = Set(plan.changes.map(\.action))
        #expect(kinds == Set(Action.allCases), "missing: \(Set(Action.allCases).subtracting(kinds))")
        #expect(plan.problems.isEmpty)
    }

    @Test func text() throws {
        try Self.check(TextPlanRenderer(color: false).render(try Self.examplesPlan()), against: "plan.txt")
    }

    @Test func coloredText() throws {
        let colored = TextPlanRenderer(color: true).render(try Self.examplesPlan())
        #expect(colored.contains("\u{1B}[32m+\u{1B}[0m"))
        let stripped = colored.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(stripped == TextPlanRenderer(color: false).render(try Self.examplesPlan()))
    }

    @Test func json() throws {
        let rendered = try JSONPlanRenderer().render(try Self.examplesPlan())
        try Self.check(rendered, against: "plan.json")
        let decoded = try JSONDecoder().decode(Plan.self, from: Data(rendered.utf8))
        #expect(decoded == (try Self.examplesPlan()), "the JSON plan decodes back to the same plan")
    }

    @Test func markdown() throws {
        try Self.check(MarkdownPlanRenderer().render(try Self.examplesPlan()), against: "plan.md")
    }

    @Test func problemsAreRenderedWithTheirFix() {
        let problem = PlanProblem(rule: "source-missing", region: "us-west-2", target: "t", source: "s|x", message: "the source is gone",
                                  fix: "check it", location: ManifestLocation(file: "m.json", path: "copies[0]", position: SourcePosition(line: 3, column: 5)))
        let plan = Plan(changes: [], problems: [problem], inputs: PlanInputs(manifestDigest: "d"))
        let text = TextPlanRenderer(color: false).render(plan)
        #expect(text.contains("! t (us-west-2)"))
        #expect(text.contains("error: the source is gone"))
        #expect(text.contains("at m.json:3:5 copies[0]"))
        #expect(text.contains("fix: check it"))
        #expect(text.contains("1 error blocks apply."))
        #expect(MarkdownPlanRenderer().render(plan).contains("| `t` | us-west-2 | the source is gone | check it |"))
    }

    @Test func emptyPlanSaysNoChanges() {
        let text = TextPlanRenderer(color: false).render(Plan(changes: [], problems: [], inputs: PlanInputs(manifestDigest: "d")))
        #expect(text.hasPrefix("No changes."))
    }
}
