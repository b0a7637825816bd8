import Foundation
@testable import SnapcopyCore
import Testing
import TestSupport

/// The JSON Schemas in `schemas/`, checked by an independent validator (Python's `jsonschema`)
/// against the examples, the plan the built binary prints, and manifests that `snapcopy validate`
/// rejects, so that the schemas and the Swift reader cannot drift apart unnoticed.
@Suite("JSON Schemas")
struct SchemaTests {
    // MARK: - Valid documents

    @Test("every example manifest is valid for the schema and for snapcopy validate")
    func exampleManifests() async throws {
        let manifests = try Repository.exampleManifests()
        #expect(manifests.count >= 3)
        for result in try await JSONSchemaCheck.run(schema: .manifest, on: manifests) {
            #expect(result.errors.isEmpty, "the manifest schema rejects \(result.file): \(result.errors)")
        }
        for manifest in manifests {
            let run = try await Snapcopy.run(["validate", manifest.path])
            #expect(run.exitCode == 0, "snapcopy validate rejects \(manifest.path), which the schema accepts:\n\(run.stdout)\(run.stderr)")
        }
    }

    @Test("a manifest at every limit is valid for the schema and for snapcopy validate")
    func manifestAtTheLimits() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-schema") { directory in
            let file = try directory.write(Self.manifestAtTheLimits, to: "limits.json")
            let results = try await JSONSchemaCheck.run(schema: .manifest, on: [file])
            #expect(results.first?.errors == [], "the manifest schema rejects a manifest snapcopy accepts: \(results)")
            let run = try await Snapcopy.run(["validate", file.path])
            #expect(run.exitCode == 0, "snapcopy validate rejects a manifest the schema accepts:\n\(run.stdout)\(run.stderr)")
        }
    }

    @Test("the example lock file is valid for the lock schema")
    func exampleLockFile() async throws {
        let files = ["examples/snapcopy.lock", "examples/rules/snapcopy.lock", "examples/gitops/snapcopy.lock"]
        let results = try await JSONSchemaCheck.run(schema: .lock, on: files.map { Repository.root.appendingPathComponent($0) })
        #expect(results.count == files.count)
        #expect(results.allSatisfy { $0.errors.isEmpty }, "\(results)")
    }

    @Test("the JSON error document and the JSON plan of rules are valid for their schemas")
    func errorAndRulesDocuments() async throws {
        let failed = try await Snapcopy.run(["show", "no/such.plan", "--format", "json"])
        #expect(failed.exitCode == 1)
        let rules = try await Snapcopy.run(["plan", "examples/rules/manifests", "--live-state", "examples/rules/live-state",
                                            "--lock-file", "examples/rules/snapcopy.lock", "--format", "json"])
        #expect(rules.exitCode == 0, "\(rules.stderr)")
        #expect(rules.stdout.contains("\"rule\": \"graph-nightly-dr\""))
        try await withTemporaryDirectory(prefix: "snapcopy-schema") { directory in
            let error = try await JSONSchemaCheck.run(schema: .error, on: [try directory.write(failed.stdout, to: "error.json")])
            #expect(error.allSatisfy { $0.errors.isEmpty }, "\(error)")
            let plan = try await JSONSchemaCheck.run(schema: .plan, on: [try directory.write(rules.stdout, to: "plan.json")])
            #expect(plan.allSatisfy { $0.errors.isEmpty }, "\(plan)")
        }
    }

    @Test("the JSON plan of the examples is valid for the plan schema")
    func examplePlan() async throws {
        let run = try await Snapcopy.run(Self.examplePlanArguments(manifests: ["examples/manifests"]))
        try #require(run.exitCode == 0, "snapcopy plan failed:\n\(run.stderr)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let actions = Set(((plan["changes"] as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String })
        #expect(actions.count >= 6, "the example plan should exercise most actions; it has \(actions.sorted())")
        try await withTemporaryDirectory(prefix: "snapcopy-schema") { directory in
            let file = try directory.write(run.stdout, to: "plan.json")
            let results = try await JSONSchemaCheck.run(schema: .plan, on: [file])
            #expect(results.first?.errors == [], "the plan schema rejects the plan snapcopy prints: \(results)")
        }
    }

    @Test("a JSON plan with problems is valid for the plan schema")
    func planWithProblems() async throws {
        try await withTemporaryDirectory(prefix: "snapcopy-schema") { directory in
            let manifest = try directory.write(Self.cyclicManifest, to: "cycle.json")
            let run = try await Snapcopy.run(Self.examplePlanArguments(manifests: [manifest.path]))
            #expect(run.exitCode == 1, "a plan with problems exits 1:\n\(run.stderr)")
            #expect(run.stdout.contains("\"copy-cycle\""), "expected a copy-cycle problem in:\n\(run.stdout)")
            let file = try directory.write(run.stdout, to: "plan.json")
            let results = try await JSONSchemaCheck.run(schema: .plan, on: [file])
            #expect(results.first?.errors == [], "the plan schema rejects the plan snapcopy prints: \(results)")
        }
    }

    // MARK: - Invalid documents

    @Test("an invalid manifest is rejected by the schema and by snapcopy validate", arguments: InvalidManifest.all)
    func invalidManifest(_ fixture: InvalidManifest) async throws {
        let file = Repository.invalidFixtures.appendingPathComponent(fixture.file)
        try #require(FileManager.default.fileExists(atPath: file.path), "missing fixture \(file.path)")

        let result = try #require(try await JSONSchemaCheck.run(schema: .manifest, on: [file]).first)
        #expect(!result.errors.isEmpty, "the manifest schema accepts \(fixture.file), which snapcopy rejects")
        #expect(result.errors.contains { $0.path == fixture.schemaPath },
                "the schema should report \(fixture.file) at /\(fixture.schemaPath); it reports \(result.errors)")

        let text = try await Snapcopy.run(["validate", file.path])
        #expect(text.exitCode == 1, "snapcopy validate \(fixture.file) exits \(text.exitCode), not 1")
        #expect(text.stdout.contains(file.path), "the message does not name the file:\n\(text.stdout)\(text.stderr)")

        let json = try await Snapcopy.run(["validate", "--format", "json", file.path])
        let report = try JSONDecoder().decode(ValidationDocument.self, from: Data(json.stdout.utf8))
        #expect(!report.valid)
        #expect(report.diagnostics.map(\.rule) == [fixture.rule],
                "each fixture breaks exactly one rule: \(report.diagnostics.map(\.description))")
        #expect(report.diagnostics.allSatisfy { $0.location.file == file.path })
    }

    @Test("the fixture table lists every file in Fixtures/invalid")
    func fixtureTableIsComplete() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.invalidFixtures.path).filter { $0.hasSuffix(".json") }
        #expect(Set(files) == Set(InvalidManifest.all.map(\.file)))
        #expect(files.count >= 15)
    }

    @Test("the lock and plan schemas reject documents snapcopy would not write")
    func lockAndPlanSchemasReject() async throws {
        let lock = try Repository.jsonObject("examples/snapcopy.lock")
        let planRun = try await Snapcopy.run(Self.examplePlanArguments(manifests: ["examples/manifests"]))
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(planRun.stdout.utf8)) as? [String: Any])

        let lockCases: [(name: String, path: String, document: [String: Any])] = [
            ("unknown-status", "records/0/status", Self.editing(lock, "records", 0) { $0["status"] = "done" }),
            ("negative-serial", "serial", lock.merging(["serial": -1]) { $1 }),
            ("unknown-key", "", lock.merging(["note": "hand-edited"]) { $1 }),
            ("bad-lineage", "lineage", lock.merging(["lineage": "not-a-uuid"]) { $1 }),
            ("no-entry-digest", "records/1", Self.editing(lock, "records", 1) { $0["entryDigest"] = nil }),
            ("progress-over-100", "records/2/percentProgress", Self.editing(lock, "records", 2) { $0["percentProgress"] = 101 }),
        ]
        let planCases: [(name: String, path: String, document: [String: Any])] = [
            ("unknown-action", "changes/0/action", Self.editing(plan, "changes", 0) { $0["action"] = "destroy" }),
            ("null-before", "changes/0/before", Self.editing(plan, "changes", 0) { $0["before"] = NSNull() }),
            ("no-summary", "", plan.filter { $0.key != "summary" }),
            ("format-version-2", "formatVersion", plan.merging(["formatVersion": 2]) { $1 }),
        ]
        for (schema, cases) in [(Schema.lock, lockCases), (Schema.plan, planCases)] {
            try await withTemporaryDirectory(prefix: "snapcopy-schema") { directory in
                var files: [URL] = []
                for item in cases {
                    let data = try JSONSerialization.data(withJSONObject: item.document)
                    files.append(try directory.write(String(decoding: data, as: UTF8.self), to: "\(item.name).json"))
                }
                let results = try await JSONSchemaCheck.run(schema: schema, on: files)
                for (item, result) in zip(cases, results) {
                    #expect(result.errors.contains { $0.path == item.path },
                            "the \(schema.rawValue) schema should reject \(item.name) at /\(item.path); it reports \(result.errors)")
                }
            }
        }
    }

    // MARK: - The schemas themselves

    @Test("every schema is draft 2020-12 with an $id, and titles and descriptions on every property", arguments: Schema.allCases)
    func schemaIsDocumented(_ schema: Schema) throws {
        let root = try Repository.jsonObject(schema.path)
        #expect(root["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect((root["$id"] as? String)?.isEmpty == false)
        #expect((root["description"] as? String)?.isEmpty == false)
        var undocumented: [String] = []
        Self.collectUndocumented(root, at: "", into: &undocumented)
        #expect(undocumented.isEmpty, "properties without a title and description in \(schema.path): \(undocumented)")
    }

    @Test("the manifest schema allows exactly the keys the Swift reader allows")
    func manifestSchemaKeys() throws {
        let root = try Repository.jsonObject(Schema.manifest.path)
        func keys(_ object: Any?) -> Set<String> {
            Set(((object as? [String: Any])?["properties"] as? [String: Any]).map { Array($0.keys) } ?? [])
        }
        let definitions = root["$defs"] as? [String: Any]
        #expect(keys(root) == Set(ManifestReader.rootKeys))
        #expect(keys((root["properties"] as? [String: Any])?["defaults"]) == Set(ManifestReader.defaultsKeys))
        #expect(keys(definitions?["copy"]) == Set(ManifestReader.entryKeys))
        let rule = definitions?["rule"] as? [String: Any]
        #expect(keys(rule) == Set(ManifestReader.ruleKeys))
        #expect(keys((rule?["properties"] as? [String: Any])?["select"]) == Set(ManifestReader.selectKeys))
        #expect(keys((rule?["properties"] as? [String: Any])?["copy"]) == Set(ManifestReader.ruleCopyKeys))
        #expect(keys((rule?["properties"] as? [String: Any])?["retain"]) == Set(ManifestReader.retainKeys))
        let policies = (definitions?["deletionPolicy"] as? [String: Any])?["enum"] as? [String]
        #expect(policies.map(Set.init) == Set(DeletionPolicy.allCases.map(\.rawValue)))
    }

    @Test("the plan schema lists exactly the planner's actions")
    func planSchemaActions() throws {
        let root = try Repository.jsonObject(Schema.plan.path)
        let change = ((root["$defs"] as? [String: Any])?["change"] as? [String: Any])?["properties"] as? [String: Any]
        let actions = (change?["action"] as? [String: Any])?["enum"] as? [String]
        #expect(actions.map(Set.init) == Set(Action.allCases.map(\.rawValue)))
    }
}

// MARK: - Fixtures

extension SchemaTests {
    /// A manifest under `Fixtures/invalid/` that breaks exactly one rule.
    struct InvalidManifest: Sendable, CustomTestStringConvertible {
        /// The file name.
        var file: String
        /// The rule `snapcopy validate` reports.
        var rule: String
        /// Where the schema validator reports it: a JSON pointer without its leading slash.
        var schemaPath: String

        var testDescription: String { file }

        static let all: [InvalidManifest] = [
            .init(file: "unknown-key-kmsKeyID.json", rule: "unknown-key", schemaPath: "copies/0"),
            .init(file: "copy-tags-wrong-type.json", rule: "wrong-type", schemaPath: "copies/0/copyTags"),
            .init(file: "missing-target.json", rule: "missing-field", schemaPath: "copies/0"),
            .init(file: "missing-source.json", rule: "missing-field", schemaPath: "copies/0"),
            .init(file: "missing-version.json", rule: "missing-field", schemaPath: ""),
            .init(file: "version-2.json", rule: "unsupported-version", schemaPath: "version"),
            .init(file: "copies-not-an-array.json", rule: "wrong-type", schemaPath: "copies"),
            .init(file: "target-starts-with-digit.json", rule: "target-identifier", schemaPath: "copies/0/target"),
            .init(file: "target-trailing-hyphen.json", rule: "target-identifier", schemaPath: "copies/0/target"),
            .init(file: "target-double-hyphen.json", rule: "target-identifier", schemaPath: "copies/0/target"),
            .init(file: "target-64-characters.json", rule: "target-identifier", schemaPath: "copies/0/target"),
            .init(file: "target-underscore.json", rule: "target-identifier", schemaPath: "copies/0/target"),
            .init(file: "source-arn-wrong-service.json", rule: "source-arn", schemaPath: "copies/0/source"),
            .init(file: "source-arn-instance-snapshot.json", rule: "source-arn", schemaPath: "copies/0/source"),
            .init(file: "source-identifier-underscore.json", rule: "source-identifier", schemaPath: "copies/0/source"),
            .init(file: "region-upper-case.json", rule: "region-name", schemaPath: "copies/0/region"),
            .init(file: "tag-reserved-aws-prefix.json", rule: "tag-reserved-prefix", schemaPath: "copies/0/tags"),
            .init(file: "defaults-tag-reserved-snapcopy-prefix.json", rule: "tag-reserved-prefix", schemaPath: "defaults/tags"),
            .init(file: "tag-key-129-characters.json", rule: "tag-key-length", schemaPath: "copies/0/tags"),
            .init(file: "tag-value-257-characters.json", rule: "tag-value-length", schemaPath: "copies/0/tags"),
            .init(file: "tag-value-not-string.json", rule: "wrong-type", schemaPath: "copies/0/tags"),
            .init(file: "tag-list-missing-key.json", rule: "missing-field", schemaPath: "copies/0/tags"),
            .init(file: "defaults-deletion-policy-unknown.json", rule: "deletion-policy", schemaPath: "defaults/deletionPolicy"),
            .init(file: "defaults-ignore-tag-keys-not-a-list.json", rule: "wrong-type", schemaPath: "defaults/ignoreTagKeys"),
            .init(file: "defaults-unknown-key.json", rule: "unknown-key", schemaPath: "defaults"),
            .init(file: "kms-key-not-a-key.json", rule: "kms-key", schemaPath: "copies/0/kmsKeyId"),
            .init(file: "role-arn-not-a-role.json", rule: "role-arn", schemaPath: "copies/0/roleArn"),
        ]
    }

    /// The schemas in `schemas/`.
    enum Schema: String, Sendable, CaseIterable, CustomTestStringConvertible {
        case manifest, plan, lock, drift, error
        case applyResult = "apply-result"

        var path: String { "schemas/\(rawValue).schema.json" }
        var testDescription: String { path }
    }
}

extension SchemaTests {
    /// Valid at every boundary the schema draws: the longest target, tag key and value, 49 tags,
    /// list-form tags without a value, every form of KMS key, another partition, a role with a path.
    static let manifestAtTheLimits = """
        {
          "$schema": "../schemas/manifest.schema.json",
          "version": 1,
          "defaults": {"ignoreTagKeys": [], "copyTags": true, "deletionPolicy": "delete"},
          "copies": [
            {"source": "rds:prod-cluster-2026-11-20-04-00", "target": "A\(String(repeating: "b1-", count: 20))xy",
             "region": "us-east-1", "kmsKeyId": "mrk-0123456789abcdef0123456789ABCDEF",
             "tags": {"\(String(repeating: "k", count: 128))": "\(String(repeating: "v", count: 256))", "awsome": "", "rds-team": "x"}},
            {"source": "arn:aws-us-gov:rds:us-gov-west-1:123456789012:cluster-snapshot:prod:2026", "target": "b",
             "region": "us-gov-west-1", "kmsKeyId": "1234ABCD-12ab-34cd-56ef-1234567890ab",
             "roleArn": "arn:aws-us-gov:iam::123456789012:role/ops/snapcopy", "copyTags": false,
             "tags": [{"Key": "env"}, {"Key": "team", "Value": "graph"}]},
            {"source": "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:prod", "target": "c",
             "region": "eu-west-1", "kmsKeyId": "arn:aws:kms:eu-west-1:123456789012:alias/dr/neptune", "deletionPolicy": "retain",
             "tags": {\((1...49).map { "\"tag-\($0)\": \"\($0)\"" }.joined(separator: ", "))}},
            {"source": "prod-2026-11-20", "target": "d", "region": "eu-west-1", "kmsKeyId": "alias/neptune_dr-2"}
          ]
        }
        """

    /// Two copies, each the other's source: the planner reports both as problems.
    static let cyclicManifest = """
        {"version": 1, "defaults": {"region": "us-east-1"}, "copies": [
          {"source": "cycle-a", "target": "cycle-b"},
          {"source": "cycle-b", "target": "cycle-a"}
        ]}
        """

    static func examplePlanArguments(manifests: [String]) -> [String] {
        ["plan"] + manifests + [
            "--live-state", "examples/live-state/us-east-1.json", "--live-state", "examples/live-state/us-west-2.json",
            "--lock-file", "examples/snapcopy.lock", "--format", "json",
        ]
    }

    /// `document` with `edit` applied to element `index` of its array `key`.
    static func editing(_ document: [String: Any], _ key: String, _ index: Int, _ edit: (inout [String: Any]) -> Void) -> [String: Any] {
        var document = document
        var elements = document[key] as? [[String: Any]] ?? []
        if elements.indices.contains(index) { edit(&elements[index]) }
        document[key] = elements
        return document
    }

    /// Appends the path of every property (under any `properties`) that lacks a title or a description.
    static func collectUndocumented(_ node: Any, at path: String, into undocumented: inout [String]) {
        if let object = node as? [String: Any] {
            if let properties = object["properties"] as? [String: Any] {
                for (name, schema) in properties {
                    let schema = schema as? [String: Any] ?? [:]
                    if (schema["title"] as? String)?.isEmpty != false || (schema["description"] as? String)?.isEmpty != false {
                        undocumented.append("\(path)/properties/\(name)")
                    }
                }
            }
            // Subschemas that only constrain (oneOf, if/then, not, ...) restate documented properties.
            let constraints: Set<String> = ["oneOf", "anyOf", "allOf", "if", "then", "else", "not"]
            for (key, value) in object where !constraints.contains(key) { collectUndocumented(value, at: "\(path)/\(key)", into: &undocumented) }
        } else if let array = node as? [Any] {
            for (index, value) in array.enumerated() { collectUndocumented(value, at: "\(path)/\(index)", into: &undocumented) }
        }
    }
}

// MARK: - Helpers

/// Paths in this repository, found from this file's location.
enum Repository {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent() // SnapcopyCLITests
        .deletingLastPathComponent() // Tests
        .deletingLastPathComponent()

    static let invalidFixtures = root.appendingPathComponent("Tests/SnapcopyCLITests/Fixtures/invalid")

    static func exampleManifests() throws -> [URL] {
        try ["examples/manifests", "examples/rules/manifests", "examples/gitops/manifests"].flatMap { folder in
            let directory = root.appendingPathComponent(folder)
            return try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasSuffix(".json") }.sorted()
                .map { directory.appendingPathComponent($0) }
        }
    }

    static func jsonObject(_ url: URL) throws -> [String: Any] {
        try jsonObject(String(url.path.dropFirst(root.path.count + 1)))
    }

    static func jsonObject(_ relativePath: String) throws -> [String: Any] {
        let data = try Data(contentsOf: root.appendingPathComponent(relativePath))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(relativePath) is not a JSON object")
    }
}

/// The process environment for the tools the tests run, without AWS settings that would change what they do.
private let toolEnvironment: [String: String] = ProcessInfo.processInfo.environment
    .filter { !$0.key.hasPrefix("AWS_") }
    .merging(["NO_COLOR": "1"]) { $1 }

/// The built `snapcopy` binary, run from the repository root.
private enum Snapcopy {
    static func run(_ arguments: [String]) async throws -> ProcessResult {
        try await runProcess(executable: try snapcopyBinary(), arguments: arguments,
                             environment: toolEnvironment, currentDirectory: Repository.root)
    }
}

/// What `snapcopy validate --format json` prints.
private struct ValidationDocument: Decodable {
    var valid: Bool
    var diagnostics: [Diagnostic]
}

/// One file's result from the Python validator.
struct SchemaResult: Decodable, Sendable, CustomStringConvertible {
    struct Failure: Decodable, Sendable, Equatable {
        /// A JSON pointer without its leading slash.
        var path: String
        var message: String
    }

    var file: String
    var errors: [Failure]

    var description: String { "\(file): " + errors.map { "/\($0.path): \($0.message.prefix(160))" }.joined(separator: "; ") }
}

/// python3 or its jsonschema package is missing: the tests fail rather than skip.
struct SchemaToolMissing: Error, CustomStringConvertible {
    var detail: String
    var description: String {
        "The schema tests need python3 and its jsonschema package, which check schemas/ independently of snapcopy, "
            + "and one of them is missing: run scripts/test, which installs them. (\(detail))"
    }
}

/// Validates documents against a schema with Python's `jsonschema` (Draft202012Validator with format checking).
enum JSONSchemaCheck {
    static func run(schema: SchemaTests.Schema, on files: [URL]) async throws -> [SchemaResult] {
        let run: ProcessResult
        do {
            run = try await runProcess(
                executable: URL(fileURLWithPath: "/usr/bin/env"),
                arguments: ["python3", "-c", script, Repository.root.appendingPathComponent(schema.path).path] + files.map(\.path),
                environment: toolEnvironment)
        } catch let timedOut as ProcessTimeoutError {
            throw timedOut  // it started, so nothing is missing: say what happened
        } catch {
            throw SchemaToolMissing(detail: "running python3 failed: \(error)")
        }
        switch run.exitCode {
        case 0:
            let results = try JSONDecoder().decode([SchemaResult].self, from: Data(run.stdout.utf8))
            try #require(results.count == files.count, "the validator reported \(results.count) of \(files.count) files")
            return results
        case 3, 127:
            throw SchemaToolMissing(detail: run.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        default:
            throw SchemaCheckFailed(schema: schema.path, output: run.stderr + run.stdout)
        }
    }

    struct SchemaCheckFailed: Error, CustomStringConvertible {
        var schema: String
        var output: String
        var description: String { "checking against \(schema) failed:\n\(output)" }
    }

    /// Arguments: the schema, then the documents. Prints one result per document as JSON;
    /// exits 2 when the schema itself is invalid, 3 when jsonschema is missing.
    static let script = #"""
        import json, sys
        try:
            import jsonschema
            Validator = jsonschema.Draft202012Validator
        except (ImportError, AttributeError) as error:
            print(f"python3 has no usable jsonschema package: {error}", file=sys.stderr)
            sys.exit(3)
        with open(sys.argv[1], encoding="utf-8") as f:
            schema = json.load(f)
        try:
            Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as error:
            where = "/".join(str(part) for part in error.absolute_path)
            print(f"{sys.argv[1]} is not a valid draft 2020-12 schema at /{where}: {error.message}", file=sys.stderr)
            sys.exit(2)
        validator = Validator(schema, format_checker=Validator.FORMAT_CHECKER)
        results = []
        for path in sys.argv[2:]:
            with open(path, encoding="utf-8") as f:
                document = json.load(f)
            errors = [{"path": "/".join(str(part) for part in error.absolute_path), "message": error.message}
                      for error in validator.iter_errors(document)]
            results.append({"file": path, "errors": errors})
        json.dump(results, sys.stdout)
        """#
}
