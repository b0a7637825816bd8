import Testing
@testable import SnapcopyCore

/// One invalid manifest and the diagnostic it must produce.
struct InvalidCase: CustomTestStringConvertible, Sendable {
    var name: String
    var json: String
    var rule: String
    var path: String
    var fragment: String

    var testDescription: String { name }
}

let sourceARN = "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-2026-11-01"

func manifest(_ copy: String, defaults: String = "{\"region\": \"us-west-2\"}") -> String {
    "{\"version\": 1, \"defaults\": \(defaults), \"copies\": [\(copy)]}"
}

func entry(target: String = "prod-dr", source: String = sourceARN, extra: String = "") -> String {
    "{\"source\": \"\(source)\", \"target\": \"\(target)\"\(extra.isEmpty ? "" : ", " + extra)}"
}

@Suite struct ManifestValidationTests {
    static let cases: [InvalidCase] = [
        InvalidCase(name: "syntax", json: "{\"version\": 1,\n \"copies\": [}", rule: "json-syntax", path: "", fragment: "line 2"),
        InvalidCase(name: "root not object", json: "[]", rule: "wrong-type", path: "", fragment: "must be a JSON object"),
        InvalidCase(name: "unknown root key", json: "{\"version\": 1, \"copies\": [], \"copys\": []}", rule: "unknown-key", path: "copys", fragment: "did you mean \"copies\""),
        InvalidCase(name: "typo kmsKeyID", json: manifest(entry(extra: "\"kmsKeyID\": \"alias/x\"")), rule: "unknown-key", path: "copies[0].kmsKeyID", fragment: "did you mean \"kmsKeyId\""),
        InvalidCase(name: "unknown defaults key", json: manifest(entry(), defaults: "{\"region\": \"us-west-2\", \"tag\": {}}"), rule: "unknown-key", path: "defaults.tag", fragment: "did you mean \"tags\""),
        InvalidCase(name: "missing version", json: "{\"copies\": []}", rule: "missing-field", path: "version", fragment: "\"version\" is missing"),
        InvalidCase(name: "newer version", json: "{\"version\": 2, \"copies\": []}", rule: "unsupported-version", path: "version", fragment: "version 2 is not supported"),
        InvalidCase(name: "version as string", json: "{\"version\": \"1\", \"copies\": []}", rule: "wrong-type", path: "version", fragment: "whole number"),
        InvalidCase(name: "missing copies", json: "{\"version\": 1}", rule: "missing-field", path: "copies", fragment: "\"copies\" (or \"rules\") is missing"),
        InvalidCase(name: "copies not array", json: "{\"version\": 1, \"copies\": {}}", rule: "wrong-type", path: "copies", fragment: "must be an array"),
        InvalidCase(name: "missing target", json: manifest("{\"source\": \"\(sourceARN)\"}"), rule: "missing-field", path: "copies[0].target", fragment: "\"target\" is missing"),
        InvalidCase(name: "missing source", json: manifest("{\"target\": \"x\"}"), rule: "missing-field", path: "copies[0].source", fragment: "\"source\" is missing"),
        InvalidCase(name: "copyTags as string", json: manifest(entry(extra: "\"copyTags\": \"yes\"")), rule: "wrong-type", path: "copies[0].copyTags", fragment: "true or false"),
        InvalidCase(name: "target starts with digit", json: manifest(entry(target: "1prod")), rule: "target-identifier", path: "copies[0].target", fragment: "first character must be a letter"),
        InvalidCase(name: "target trailing hyphen", json: manifest(entry(target: "prod-")), rule: "target-identifier", path: "copies[0].target", fragment: "ends with a hyphen"),
        InvalidCase(name: "target double hyphen", json: manifest(entry(target: "prod--dr")), rule: "target-identifier", path: "copies[0].target", fragment: "two consecutive hyphens"),
        InvalidCase(name: "target too long", json: manifest(entry(target: "a" + String(repeating: "b", count: 63))), rule: "target-identifier", path: "copies[0].target", fragment: "at most 63"),
        InvalidCase(name: "target underscore", json: manifest(entry(target: "prod_dr")), rule: "target-identifier", path: "copies[0].target", fragment: "only letters, digits and hyphens"),
        InvalidCase(name: "source ARN wrong service", json: manifest(entry(source: "arn:aws:ec2:us-east-1:123456789012:cluster-snapshot:x")), rule: "source-arn", path: "copies[0].source", fragment: "service \"rds\""),
        InvalidCase(name: "source instance snapshot", json: manifest(entry(source: "arn:aws:rds:us-east-1:123456789012:snapshot:x")), rule: "source-arn", path: "copies[0].source", fragment: "cluster-snapshot"),
        InvalidCase(name: "source bad account", json: manifest(entry(source: "arn:aws:rds:us-east-1:1234:cluster-snapshot:x")), rule: "source-arn", path: "copies[0].source", fragment: "12-digit"),
        InvalidCase(name: "source plain id with slash", json: manifest(entry(source: "prod/2026")), rule: "source-identifier", path: "copies[0].source", fragment: "neither"),
        InvalidCase(name: "bad region", json: manifest(entry(extra: "\"region\": \"US-East-1\"")), rule: "region-name", path: "copies[0].region", fragment: "not a well-formed region"),
        InvalidCase(name: "no region anywhere", json: manifest(entry(), defaults: "{}"), rule: "missing-region", path: "copies[0].region", fragment: "no destination region"),
        InvalidCase(name: "kms key in other region", json: manifest(entry(extra: "\"kmsKeyId\": \"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\"")), rule: "kms-key-region", path: "copies[0].kmsKeyId", fragment: "KMS keys are regional"),
        InvalidCase(name: "default kms key in other region", json: manifest(entry(), defaults: "{\"region\": \"us-west-2\", \"kmsKeyId\": \"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\"}"), rule: "kms-key-region", path: "defaults.kmsKeyId", fragment: "KMS keys are regional"),
        InvalidCase(name: "malformed kms key", json: manifest(entry(extra: "\"kmsKeyId\": \"my-key\"")), rule: "kms-key", path: "copies[0].kmsKeyId", fragment: "not a KMS key id"),
        InvalidCase(name: "reserved tag prefix aws", json: manifest(entry(extra: "\"tags\": {\"aws:owner\": \"x\"}")), rule: "tag-reserved-prefix", path: "copies[0].tags[\"aws:owner\"]", fragment: "reserves"),
        InvalidCase(name: "reserved tag prefix RDS", json: manifest(entry(extra: "\"tags\": [{\"Key\": \"RDS:x\", \"Value\": \"y\"}]")), rule: "tag-reserved-prefix", path: "copies[0].tags[0]", fragment: "reserves"),
        InvalidCase(name: "snapcopy tag prefix", json: manifest(entry(extra: "\"tags\": {\"snapcopy:source\": \"x\"}")), rule: "tag-reserved-prefix", path: "copies[0].tags[\"snapcopy:source\"]", fragment: "ownership tag"),
        InvalidCase(name: "tag key too long", json: manifest(entry(extra: "\"tags\": {\"\(String(repeating: "k", count: 129))\": \"x\"}")), rule: "tag-key-length", path: "copies[0].tags.", fragment: "1 to 128"),
        InvalidCase(name: "empty tag key", json: manifest(entry(extra: "\"tags\": {\"\": \"x\"}")), rule: "tag-key-length", path: "copies[0].tags", fragment: "1 to 128"),
        InvalidCase(name: "tag value too long", json: manifest(entry(extra: "\"tags\": {\"k\": \"\(String(repeating: "v", count: 257))\"}")), rule: "tag-value-length", path: "copies[0].tags.k", fragment: "at most 256"),
        InvalidCase(name: "tag characters", json: manifest(entry(extra: "\"tags\": {\"k\": \"a;b\"}")), rule: "tag-characters", path: "copies[0].tags.k", fragment: "has \";\" (U+3B) in its value"),
        InvalidCase(name: "a line break in a tag key", json: manifest(entry(extra: "\"tags\": {\"a\\nb\": \"v\"}")), rule: "tag-characters", path: "copies[0].tags", fragment: "the tag \"a\\nb\" has \"\\n\" (U+A) in its key"),
        InvalidCase(name: "a tab in a tag value", json: manifest(entry(extra: "\"tags\": {\"k\": \"c\\td\"}")), rule: "tag-characters", path: "copies[0].tags.k", fragment: "has \"\\t\" (U+9) in its value"),
        InvalidCase(name: "too many tags", json: manifest(entry(extra: "\"tags\": {\((0..<50).map { "\"k\($0)\": \"v\"" }.joined(separator: ", "))}")), rule: "tag-count", path: "copies[0].tags", fragment: "at most 50"),
        InvalidCase(name: "tag value not string", json: manifest(entry(extra: "\"tags\": {\"k\": 1}")), rule: "wrong-type", path: "copies[0].tags.k", fragment: "must be a string"),
        InvalidCase(name: "list tag without Key", json: manifest(entry(extra: "\"tags\": [{\"Value\": \"v\"}]")), rule: "missing-field", path: "copies[0].tags[0].Key", fragment: "\"Key\" is missing"),
        InvalidCase(name: "list tag duplicate key", json: manifest(entry(extra: "\"tags\": [{\"Key\": \"a\", \"Value\": \"1\"}, {\"Key\": \"a\", \"Value\": \"2\"}]")), rule: "duplicate-tag", path: "copies[0].tags[1]", fragment: "already given"),
        InvalidCase(name: "bad deletion policy", json: manifest(entry(extra: "\"deletionPolicy\": \"destroy\"")), rule: "deletion-policy", path: "copies[0].deletionPolicy", fragment: "not a deletion policy"),
        InvalidCase(name: "bad role arn", json: manifest(entry(extra: "\"roleArn\": \"arn:aws:iam::123:user/x\"")), rule: "role-arn", path: "copies[0].roleArn", fragment: "not an IAM role ARN"),
        InvalidCase(name: "role arn with unknown partition", json: manifest(entry(extra: "\"roleArn\": \"arn:foo:iam::123456789012:role/x\"")), rule: "role-arn", path: "copies[0].roleArn", fragment: "not an IAM role ARN"),
        InvalidCase(name: "kms key arn without a key id", json: manifest(entry(extra: "\"kmsKeyId\": \"arn:aws:kms:us-west-2:123456789012:key/\"")), rule: "kms-key", path: "copies[0].kmsKeyId", fragment: "not a KMS key ARN"),
        InvalidCase(name: "copy onto itself", json: manifest(entry(target: "prod-dr", source: "prod-dr")), rule: "self-copy", path: "copies[0].target", fragment: "its own source"),
        InvalidCase(name: "duplicate in one file", json: manifest(entry() + ", " + entry(target: "PROD-DR")), rule: "duplicate-copy", path: "copies[1].target", fragment: "declared twice"),
        InvalidCase(name: "ignoreTagKeys wrong type", json: manifest(entry(), defaults: "{\"region\": \"us-west-2\", \"ignoreTagKeys\": \"owner\"}"), rule: "wrong-type", path: "defaults.ignoreTagKeys", fragment: "array of strings"),
    ]

    @Test(arguments: cases)
    func reportsTheRuleThePathAndTheFile(_ testCase: InvalidCase) throws {
        let set = ManifestLoader().load([ManifestSource(path: "manifests/bad.json", text: testCase.json)])
        #expect(!set.isValid)
        let diagnostic = try #require(set.diagnostics.first { $0.rule == testCase.rule },
                                      "expected rule \(testCase.rule), got \(set.diagnostics.map(\.rule))")
        #expect(diagnostic.location.file == "manifests/bad.json")
        #expect(diagnostic.location.path.hasPrefix(testCase.path), "path was \(diagnostic.location.path)")
        #expect(diagnostic.message.contains(testCase.fragment), "message was: \(diagnostic.message)")
        #expect(!diagnostic.fix.isEmpty)
        #expect(diagnostic.description.contains("manifests/bad.json"))
    }

    @Test func reportsEveryProblemAtOnceWithLinesAndColumns() {
        let text = """
            {
              "version": 1,
              "defaults": {"region": "us-west-2"},
              "copies": [
                {"source": "x", "target": "1bad", "kmsKeyID": "k"},
                {"source": "arn:aws:rds:us-east-1:1:cluster-snapshot:x", "target": "ok"}
              ]
            }
            """
        let set = ManifestLoader().load([ManifestSource(path: "m.json", text: text)])
        #expect(set.diagnostics.map(\.rule).sorted() == ["source-arn", "target-identifier", "unknown-key"])
        let unknown = set.diagnostics.first { $0.rule == "unknown-key" }
        #expect(unknown?.location.position == SourcePosition(line: 5, column: 39))
        #expect(unknown?.description.hasPrefix("m.json:5:39 copies[0].kmsKeyID: unknown key") == true)
    }

    @Test func duplicateAcrossFilesNamesBothPlaces() throws {
        let a = ManifestSource(path: "a.json", text: manifest(entry()))
        let b = ManifestSource(path: "b.json", text: manifest(entry(target: "Prod-DR", source: "other")))
        let set = ManifestLoader().load([a, b])
        let diagnostic = try #require(set.diagnostics.first)
        #expect(diagnostic.rule == "duplicate-copy")
        #expect(diagnostic.location.file == "b.json")
        #expect(diagnostic.message.contains("a.json"))
    }

    @Test func appliesDefaultsAndMergesTagsWithTheEntryWinning() throws {
        let text = manifest(
            entry(extra: "\"tags\": [{\"Key\": \"env\", \"Value\": \"prod\"}], \"copyTags\": false"),
            defaults: "{\"region\": \"us-west-2\", \"kmsKeyId\": \"alias/dr\", \"copyTags\": true, \"tags\": {\"env\": \"dev\", \"team\": \"graph\"}, \"deletionPolicy\": \"delete\", \"ignoreTagKeys\": [\"owner\"]}")
        let set = ManifestLoader().load([ManifestSource(path: "m.json", text: text)])
        #expect(set.isValid)
        let copy = try #require(set.copies.first)
        #expect(copy.region == "us-west-2")
        #expect(copy.kmsKeyID == "alias/dr")
        #expect(copy.copyTags == false)
        #expect(copy.tags == ["env": "prod", "team": "graph"])
        #expect(copy.deletionPolicy == .delete)
        #expect(copy.ignoreTagKeys == ["owner"])
        #expect(copy.source == .arn(try #require(SnapshotARN(sourceARN))))
    }

    @Test func fallbackRegionComesLast() throws {
        let text = "{\"version\": 1, \"copies\": [\(entry())]}"
        let set = ManifestLoader(fallbackRegion: "eu-west-1").load([ManifestSource(path: "m.json", text: text)])
        #expect(set.copies.first?.region == "eu-west-1")
    }

    @Test func digestIgnoresLocationButNotContent() {
        let one = ManifestLoader().load([ManifestSource(path: "a.json", text: manifest(entry()))])
        let moved = ManifestLoader().load([ManifestSource(path: "b.json", text: manifest(entry()))])
        let edited = ManifestLoader().load([ManifestSource(path: "a.json", text: manifest(entry(extra: "\"tags\": {\"k\": \"v\"}")))])
        #expect(one.digest == moved.digest)
        #expect(one.digest != edited.digest)
    }

    @Test func schemaKeyIsAllowed() {
        let text = "{\"$schema\": \"../schemas/manifest.schema.json\", \"version\": 1, \"defaults\": {\"region\": \"us-west-2\"}, \"copies\": []}"
        #expect(ManifestLoader().load([ManifestSource(path: "m.json", text: text)]).isValid)
    }
}
