import Foundation
import Testing
@testable import SnapcopyCore

/// The byte-level fast paths of checks that read text character by character give the same
/// answers as the character-by-character reading they skip, including on text beyond ASCII.
@Suite struct ASCIIFastPathTests {
    static let texts: [String] = [
        "", "a", "prod-1", "Prod-2026-11-01-dr", "a-", "-a", "1a", "a--b", "a b", "a_b", "a.b", "é", "e\u{301}", "a\r\nb", "a\nb",
        "\u{212A}elvin", String(repeating: "a", count: 63), String(repeating: "a", count: 64), String(repeating: "é", count: 63),
        "owner", "aws:x", "snapcopy:source", "Cost Center", "a/b=c+d-e@f:g", "tab\there", "quote\"", "back\\slash", "\u{7F}", "emoji 😀",
        "ünïcödé", "\u{0}", "x\u{1F}", "rds:y", "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:a",
    ]

    static let arns: [String] = [
        "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-1",
        "arn:aws-cn:rds:cn-north-1:123456789012:cluster-snapshot:rds:prod-1",
        "arn:aws-us-gov:rds:us-gov-west-1:123456789012:cluster-snapshot:a:b:c",
        "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:", "arn:aws:rds:us-east-1:123456789012:cluster-snapshot",
        "arn:aws:rds:us-east-1:12345678901:cluster-snapshot:a", "arn:aws:rds:us-east-1:12345678901x:cluster-snapshot:a",
        "arn:aws:s3:us-east-1:123456789012:cluster-snapshot:a", "arn:aws:rds:us-east-1:123456789012:snapshot:a",
        "arn:aws:rds:US-EAST-1:123456789012:cluster-snapshot:a", "arn:nope:rds:us-east-1:123456789012:cluster-snapshot:a",
        "ARN:aws:rds:us-east-1:123456789012:cluster-snapshot:a", "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:é",
        "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:\u{301}a", "arn:aws:rds:us-east-1\u{301}:123456789012:cluster-snapshot:a",
        "arn:aws:rds:us-east-1:123456789012:cluster-snapshot:a\r\nb", "arn\r:aws:rds:us-east-1:123456789012:cluster-snapshot:a",
        "", ":", "::::::", "arn:aws:rds::123456789012:cluster-snapshot:a",
    ]

    @Test(arguments: arns + texts)
    func snapshotARNsParseAsByCharacters(text: String) {
        let parsed = SnapshotARN.parse(text)
        #expect(parsed == SnapshotARN.parseCharacters(text))
        if let fast = SnapshotARN.parseASCII(text) {
            #expect(SnapshotARN.parseCharacters(text) == .success(fast))
        }
    }

    @Test(arguments: texts + arns)
    func identifierProblemsAreTheCharacterChecks(text: String) {
        #expect(SnapshotIdentifier.problems(text) == SnapshotIdentifier.characterProblems(text))
        if SnapshotIdentifier.isPlainlyValid(text) { #expect(SnapshotIdentifier.characterProblems(text).isEmpty) }
    }

    @Test(arguments: texts + arns)
    func tagCharactersAreTheScalarChecks(text: String) {
        #expect(TagRules.firstDisallowedCharacter(in: text) == TagRules.firstDisallowedScalar(in: text))
        if TagRules.isPlainASCII(text) {
            #expect(TagRules.firstDisallowedScalar(in: text) == nil)
            #expect(text.count == text.utf8.count)
        }
    }

    @Test(arguments: texts + arns)
    func quotingIsTheScalarQuoting(text: String) {
        var slow = ""
        CanonicalJSON.appendQuotedByScalars(text, to: &slow)
        #expect(CanonicalJSON.quote(text) == slow)
    }

    /// The digest as it was first written: the fields joined by line breaks, hashed as a string.
    static func referenceDigest(_ copy: DesiredCopy) -> String {
        var fields: [String] = [
            "region=\(copy.region)", "target=\(copy.identity.target)", "source=\(copy.source)",
            "kmsKeyId=\(copy.kmsKeyID ?? "")", "copyTags=\(copy.copyTags)", "deletionPolicy=\(copy.deletionPolicy.rawValue)",
            "roleArn=\(copy.roleARN ?? "")", "ignoreTagKeys=\(copy.ignoreTagKeys.sorted().joined(separator: ","))",
        ]
        fields += copy.tags.sorted.map { "tag:\($0.key)=\($0.value)" }
        if let rule = copy.rule { fields.append("rule=\(rule)") }
        return Digest.sha256(fields.joined(separator: "\n"))
    }

    @Test func entryDigestsAreUnchanged() throws {
        let arn = try #require(SnapshotARN("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-1"))
        var copies = [
            DesiredCopy(target: "prod-1-dr", source: .arn(arn), region: "us-west-2"),
            DesiredCopy(target: "Prod-1-DR", source: .identifier("prod-1"), region: "us-east-1", kmsKeyID: "alias/x", copyTags: true,
                        tags: ["env": "prod", "é": "ü\n", "a": ""], ignoreTagKeys: ["z", "b"], deletionPolicy: .delete,
                        roleARN: "arn:aws:iam::123456789012:role/r"),
        ]
        var ruled = copies[0]
        ruled.rule = "nightly"
        copies.append(ruled)
        for copy in copies { #expect(copy.digest == Self.referenceDigest(copy)) }
        #expect(Digest.sha256(bytes: Array("é\nx".utf8)) == Digest.sha256("é\nx"))
        #expect(Digest.sha256("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    /// Large objects index their keys instead of searching them: the error is the same.
    @Test(arguments: [3, 15, 16, 17, 40])
    func duplicateKeysInLargeObjectsReportTheFirst(members: Int) {
        let keys = (0..<members).map { "\"k\($0)\": \($0)" }.joined(separator: ",\n")
        let text = "{\n\(keys),\n\"k1\": 0}"
        #expect {
            _ = try JSONParser.parse(text)
        } throws: { error in
            guard let error = error as? JSONSyntaxError else { return false }
            return error.position == SourcePosition(line: members + 2, column: 1)
                && error.message == "duplicate key \"k1\" (first defined at line 3, column 1); keep only one"
        }
    }

    @Test func canonicallyEquivalentKeysAreDuplicates() {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("{\"é\": 1, \"e\u{301}\": 2}") }
        let many = (0..<20).map { "\"k\($0)\": 1" }.joined(separator: ", ")
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse("{\(many), \"é\": 1, \"e\u{301}\": 2}") }
    }

    @Test func snapshotsOfOneNameInTwoAccountsKeepTheirOrder() throws {
        let first = LiveSnapshot(identifier: "a", arn: try #require(SnapshotARN("arn:aws:rds:us-east-1:111111111111:cluster-snapshot:a")))
        let second = LiveSnapshot(identifier: "A", arn: try #require(SnapshotARN("arn:aws:rds:us-east-1:222222222222:cluster-snapshot:A")))
        let state = LiveState([first, second])
        #expect(state.snapshots(region: "us-east-1", identifier: "a").map(\.account) == ["111111111111", "222222222222"])
        #expect(state.snapshot(arn: try #require(SnapshotARN("arn:aws:rds:us-east-1:222222222222:cluster-snapshot:a")))?.identifier == "A")
        #expect(state.snapshots(region: "us-west-2", identifier: "a").isEmpty)
    }
}

/// `Timestamp.format` writes digits straight into bytes for years 0 to 9999; the text is the one
/// the original formatting by padded strings gives.
@Suite struct TimestampFormatTests {
    static func reference(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let whole = Int((milliseconds / 1000).rounded(.down))
        let millis = Int(milliseconds - Double(whole) * 1000)
        var days = whole / 86400
        var rest = whole % 86400
        if rest < 0 { rest += 86400; days -= 1 }
        let (y, m, d) = Timestamp.civilFromDays(days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rest / 3600, 2)):\(pad(rest % 3600 / 60, 2)):\(pad(rest % 60, 2))"
        if millis > 0 && millis < 1000 { text += ".\(pad(millis, 3))" }
        return text + "Z"
    }

    @Test func formatsAsThePaddedStringsDid() {
        var seconds: [Double] = [0, -1, -0.0004, 0.0004, 0.9996, 1.5, 59.999, 86_399.9995, 1_793_502_000.512, -62_167_219_200, -62_167_219_200.5,
                                 253_402_300_799.999, 253_402_300_800, 951_782_400, 4_102_444_800.001]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            seconds.append(Double(Int64(bitPattern: state) % 400_000_000_000) / 1000)
        }
        for value in seconds {
            let date = Date(timeIntervalSince1970: value)
            #expect(Timestamp.format(date) == Self.reference(date), "\(value)")
        }
    }
}

/// The one-pass region check and the ARN text written in place agree with their first forms.
@Suite struct RegionAndARNTextTests {
    @Test(arguments: ["us-east-1", "us-gov-west-1", "cn-north-1", "ap-southeast-2", "eu-isoe-west-1", "us-east-", "us--1", "-us-east-1",
                      "us-east-1-", "us-east1", "us1-east-1", "US-east-1", "us-east-1a", "use-1", "a-b-0", "a-b-c", "1-2-3", "", "-", "--", "a-b-",
                      "us-east-é", "us-éast-1", "us_east-1", "us-east-12345678901234567890", "a-b-c-d-e-1"])
    func regionsAreCheckedAsBySplitting(name: String) {
        #expect(Region.isWellFormed(name) == Region.isWellFormedBySplitting(name))
    }

    @Test func arnTextIsTheInterpolatedOne() {
        for arn in [SnapshotARN(region: "us-east-1", account: "123456789012", identifier: "prod-1"),
                    SnapshotARN(partition: "aws-cn", region: "cn-north-1", account: "123456789012", identifier: "rds:a:b"),
                    SnapshotARN(partition: "", region: "", account: "", identifier: ""),
                    SnapshotARN(region: "us-east-1", account: "123456789012", identifier: "é😀 e\u{301}")] {
            #expect(arn.description == "arn:\(arn.partition):rds:\(arn.region):\(arn.account):cluster-snapshot:\(arn.identifier)")
        }
    }
}

/// The stored digest follows every field it covers, whichever is changed after the copy is made.
@Suite struct DesiredCopyDigestTests {
    @Test func followsEveryField() throws {
        let arn = try #require(SnapshotARN("arn:aws:rds:us-east-1:123456789012:cluster-snapshot:prod-1"))
        let base = DesiredCopy(target: "prod-1-dr", source: .arn(arn), region: "us-west-2", tags: ["env": "prod"])
        let edits: [(String, (inout DesiredCopy) -> Void)] = [
            ("identity", { $0.identity = CopyIdentity(region: "eu-west-1", target: "other") }),
            ("source", { $0.source = .identifier("prod-2") }),
            ("region", { $0.region = "eu-west-1" }),
            ("kmsKeyID", { $0.kmsKeyID = "alias/k" }),
            ("copyTags", { $0.copyTags = true }),
            ("tags", { $0.tags["team"] = "graph" }),
            ("ignoreTagKeys", { $0.ignoreTagKeys.append("owner") }),
            ("deletionPolicy", { $0.deletionPolicy = .delete }),
            ("roleARN", { $0.roleARN = "arn:aws:iam::123456789012:role/r" }),
            ("rule", { $0.rule = "nightly" }),
        ]
        for (name, edit) in edits {
            var copy = base
            edit(&copy)
            #expect(copy.digest == ASCIIFastPathTests.referenceDigest(copy), "after changing \(name)")
            #expect(copy.digest != base.digest, "after changing \(name)")
        }
        var moved = base
        moved.location = ManifestLocation(file: "elsewhere.json", path: "copies[9]")
        moved.target = "PROD-1-DR"
        moved.sourceCluster = "c"
        #expect(moved.digest == base.digest)
    }
}
