import Foundation
@testable import SnapcopyCore
import Testing
import TestSupport

/// `schemas/drift.schema.json`, checked by an independent validator (Python's `jsonschema`, as
/// `SchemaTests` does for the other schemas) against the drift documents snapcopy writes: the
/// golden report with every kind of finding, an empty one, and one with every optional field, and
/// against documents snapcopy would never write.
@Suite("JSON Schemas: drift")
struct DriftSchemaTests {
    static let schema = Repository.root.appendingPathComponent("schemas/drift.schema.json")
    static let golden = Repository.root.appendingPathComponent("Tests/SnapcopyCoreTests/Golden/drift.json")

    // MARK: - Valid documents

    @Test("the golden drift report, with every kind of finding, is valid")
    func goldenReport() async throws {
        let document = try Repository.jsonObject(Self.golden)
        let kinds = Set(((document["findings"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String })
        #expect(kinds == Set(DriftKind.allCases.map(\.rawValue)), "the golden report should hold every kind")
        let results = try await JSONSchemaCheck.run(schema: .drift, on: [Self.golden])
        #expect(results.first?.errors == [], "the drift schema rejects the golden report: \(results)")
    }

    @Test("an empty report and one with every optional field are valid")
    func reportsSnapcopyWrites() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-drift-schema") { directory in
            let empty = try directory.write(try JSONDriftRenderer().render(Self.emptyReport), to: "empty.json")
            let full = try directory.write(try JSONDriftRenderer().render(Self.fullReport), to: "full.json")
            let results = try await JSONSchemaCheck.run(schema: .drift, on: [empty, full])
            #expect(results.count == 2)
            for result in results {
                #expect(result.errors.isEmpty, "the drift schema rejects a report snapcopy writes: \(result)")
            }
        }
    }

    // MARK: - Invalid documents

    @Test("the schema rejects documents snapcopy would not write")
    func rejects() async throws {
        let report = try Repository.jsonObject(Self.golden)
        let findings = report["findings"] as? [[String: Any]] ?? []
        func index(of kind: String) throws -> Int {
            try #require(findings.firstIndex { $0["kind"] as? String == kind }, "the golden report has no \(kind) finding")
        }
        let gone = try index(of: "source-gone"), stuck = try index(of: "stuck"), tags = try index(of: "tags-changed")
        let unapplied = try index(of: "unapplied"), missing = try index(of: "missing")
        let cases: [(name: String, path: String, document: [String: Any])] = [
            ("unknown-kind", "findings/0/kind", Self.editing(report, 0) { $0["kind"] = "drifted" }),
            ("warning-as-drift", "findings/\(gone)/severity", Self.editing(report, gone) { $0["severity"] = "drift" }),
            ("drift-as-warning", "findings/\(missing)/severity", Self.editing(report, missing) { $0["severity"] = "warning" }),
            ("stuck-without-reason", "findings/\(stuck)", Self.editing(report, stuck) { $0["stuckReason"] = nil }),
            ("reason-on-another-kind", "findings/\(missing)", Self.editing(report, missing) { $0["stuckReason"] = "too-long" }),
            ("unapplied-without-action", "findings/\(unapplied)", Self.editing(report, unapplied) { $0["plannedAction"] = nil }),
            ("tags-changed-without-changes", "findings/\(tags)/tagChanges", Self.editing(report, tags) { $0["tagChanges"] = [] }),
            ("added-tag-with-expected", "findings/\(tags)/tagChanges/2", Self.editing(report, tags) { finding in
                var changes = finding["tagChanges"] as? [[String: Any]] ?? []
                changes[2]["expected"] = "x"
                finding["tagChanges"] = changes
            }),
            ("null-since", "findings/\(stuck)/since", Self.editing(report, stuck) { $0["since"] = NSNull() }),
            ("since-not-iso", "findings/\(stuck)/since", Self.editing(report, stuck) { $0["since"] = "yesterday" }),
            ("unknown-finding-key", "findings/0", Self.editing(report, 0) { $0["note"] = "hand-edited" }),
            ("no-summary", "", report.filter { $0.key != "summary" }),
            ("format-version-2", "formatVersion", report.merging(["formatVersion": 2]) { $1 }),
            ("generated-at-not-iso", "generatedAt", report.merging(["generatedAt": "21/11/2026"]) { $1 }),
            ("negative-ignored", "ignored", report.merging(["ignored": -1]) { $1 }),
            ("by-kind-without-a-kind", "summary/byKind", {
                var summary = report["summary"] as? [String: Any] ?? [:]
                var byKind = summary["byKind"] as? [String: Any] ?? [:]
                byKind["source-gone"] = nil
                summary["byKind"] = byKind
                return report.merging(["summary": summary]) { $1 }
            }()),
        ]
        try await withTemporaryDirectory(prefix: "snapcopy-drift-schema") { directory in
            var files: [URL] = []
            for testCase in cases {
                let data = try JSONSerialization.data(withJSONObject: testCase.document, options: [.sortedKeys])
                files.append(try directory.write(String(decoding: data, as: UTF8.self), to: "\(testCase.name).json"))
            }
            let results = try await JSONSchemaCheck.run(schema: .drift, on: files)
            for (testCase, result) in zip(cases, results) {
                #expect(!result.errors.isEmpty, "the drift schema accepts \(testCase.name)")
                #expect(result.errors.contains { $0.path == testCase.path },
                        "the schema should reject \(testCase.name) at /\(testCase.path); it reports \(result)")
            }
        }
    }

    // MARK: - The schema itself

    @Test("the drift schema is draft 2020-12 and documents every property")
    func documented() throws {
        let root = try Repository.jsonObject(Self.schema)
        #expect(root["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(root["$id"] as? String == "urn:snapcopy:schema:drift:1")
        #expect((root["description"] as? String)?.isEmpty == false)
        var undocumented: [String] = []
        Self.collectUndocumented(root, at: "", into: &undocumented)
        #expect(undocumented.isEmpty, "properties without a title and description: \(undocumented)")
    }

    @Test("the drift schema lists exactly the kinds, severities, reasons, tag changes and actions of the Swift types")
    func enumsMatch() throws {
        let root = try Repository.jsonObject(Self.schema)
        let definitions = root["$defs"] as? [String: Any]
        let finding = (definitions?["finding"] as? [String: Any])?["properties"] as? [String: Any]
        func values(_ object: [String: Any]?, _ key: String) -> Set<String>? {
            ((object?[key] as? [String: Any])?["enum"] as? [String]).map(Set.init)
        }
        #expect(values(finding, "kind") == Set(DriftKind.allCases.map(\.rawValue)))
        #expect(values(finding, "severity") == Set(DriftSeverity.allCases.map(\.rawValue)))
        #expect(values(finding, "stuckReason") == Set(DriftFinding.StuckReason.allCases.map(\.rawValue)))
        #expect(values(finding, "plannedAction") == Set(Action.allCases.map(\.rawValue)))
        let tagChange = (definitions?["tagChange"] as? [String: Any])?["properties"] as? [String: Any]
        #expect(values(tagChange, "change") == Set(DriftTagChange.Change.allCases.map(\.rawValue)))
        let summary = ((root["properties"] as? [String: Any])?["summary"] as? [String: Any])?["properties"] as? [String: Any]
        let byKind = summary?["byKind"] as? [String: Any]
        #expect((byKind?["required"] as? [String]).map(Set.init) == Set(DriftKind.allCases.map(\.rawValue)))
        #expect(Set(((root["properties"] as? [String: Any]) ?? [:]).keys).subtracting(["recoveryPoints"]) == Set(root["required"] as? [String] ?? []),
                "every top-level member but recoveryPoints (rules with an RPO only) is always written")
    }
}

// MARK: - Fixtures

extension DriftSchemaTests {
    static let thresholds = DriftReport.Thresholds(stuckAfterSeconds: 86_400, stalledAfterSeconds: 21_600)

    static let emptyReport = DriftReport(generatedAt: "2026-11-21T12:00:00Z", findings: [], checked: [], thresholds: thresholds)

    /// Every optional field, every kind, both stuck reasons, every tag change, a blocked entry.
    static let fullReport: DriftReport = {
        let region = "us-west-2"
        let target = "arn:aws:rds:us-west-2:123456789012:cluster-snapshot:prod-dr"
        let source = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-1"
        let location = ManifestLocation(file: "manifests/prod.json", path: "copies[2]", position: SourcePosition(line: 14, column: 5))
        func finding(_ kind: DriftKind, _ name: String, since: String? = "2026-11-20T06:00:00.250Z", tagChanges: [DriftTagChange] = [],
                     action: Action? = nil, blockedBy: String? = nil, reason: DriftFinding.StuckReason? = nil) -> DriftFinding {
            DriftFinding(region: region, target: name, kind: kind, expected: "expected \"x\"", live: "live | y", message: "why",
                         since: since, tagChanges: tagChanges, plannedAction: action, blockedBy: blockedBy, stuckReason: reason,
                         targetARN: target, sourceARN: source, location: location)
        }
        let changes = [DriftTagChange(key: "a", expected: "1", live: "2"), DriftTagChange(key: "b", expected: "1", live: nil),
                       DriftTagChange(key: "c", expected: nil, live: "")]
        return DriftReport(
            generatedAt: "2026-11-21T12:00:00.125Z",
            findings: [
                finding(.missing, "a-dr", since: nil), finding(.tagsChanged, "b-dr", tagChanges: changes),
                finding(.replaced, "c-dr"), finding(.unapplied, "d-dr", tagChanges: changes, action: .updateTags),
                finding(.unapplied, "e-dr", blockedBy: "source-missing"), finding(.stuck, "f-dr", reason: .tooLong),
                finding(.stuck, "g-dr", reason: .noProgress), finding(.failed, "h-dr"), finding(.unmanaged, "i-dr"),
                finding(.sourceGone, "j-dr"),
            ],
            checked: [CopyIdentity(region: region, target: "a-dr"), CopyIdentity(region: region, target: "b-dr")],
            uncheckedRegions: [DriftReport.UncheckedRegion(region: "eu-central-1", targets: ["far-dr"])],
            notes: [DriftReport.Note(region: region, target: "k-dr", message: "tags were not compared")],
            ignored: 3, thresholds: thresholds)
    }()

    /// `document` with `edit` applied to finding `index`.
    static func editing(_ document: [String: Any], _ index: Int, _ edit: (inout [String: Any]) -> Void) -> [String: Any] {
        var document = document
        var findings = document["findings"] as? [[String: Any]] ?? []
        if findings.indices.contains(index) { edit(&findings[index]) }
        document["findings"] = findings
        return document
    }

    /// Appends the path of every property (under any `properties`) that lacks a title or a description.
    static func collectUndocumented(_ node: Any, at path: String, into undocumented: inout [String]) {
        if let object = node as? [String: Any] {
            if let properties = object["properties"] as? [String: Any] {
                for (name, schema) in properties {
                    let schema = schema as? [String: Any] ?? [:]
                    let isConstraint = schema.keys.allSatisfy { ["const", "minItems"].contains($0) }
                    if !isConstraint, (schema["title"] as? String)?.isEmpty != false || (schema["description"] as? String)?.isEmpty != false {
                        undocumented.append("\(path)/properties/\(name)")
                    }
                }
            }
            for (key, value) in object { collectUndocumented(value, at: "\(path)/\(key)", into: &undocumented) }
        } else if let array = node as? [Any] {
            for (index, value) in array.enumerated() { collectUndocumented(value, at: "\(path)/\(index)", into: &undocumented) }
        }
    }
}
