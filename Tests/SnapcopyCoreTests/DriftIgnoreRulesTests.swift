import Foundation
import Testing
@testable import SnapcopyCore

/// A finding of `kind` for `region/target`, for matching rules against.
private func finding(_ kind: DriftKind, _ region: String, _ target: String) -> DriftFinding {
    DriftFinding(region: region, target: target, kind: kind, expected: "e", live: "l", message: "m")
}

/// A rule set, a finding, and whether the rules ignore it.
struct IgnoreCase: CustomTestStringConvertible, Sendable {
    var rules: String
    var kind: DriftKind = .missing
    var region: String = "us-west-2"
    var target: String
    var ignored: Bool

    var testDescription: String { "\(rules.replacingOccurrences(of: "\n", with: " ⏎ ")) vs \(kind.rawValue) \(region)/\(target) → \(ignored)" }
}

/// A malformed line and the error it must give.
struct MalformedLine: CustomTestStringConvertible, Sendable {
    var line: String
    var rule: String
    var message: String
    var fix: String

    var testDescription: String { line }
}

@Suite struct DriftIgnoreRulesTests {
    static let matching: [IgnoreCase] = [
        IgnoreCase(rules: "us-west-2/tmp-*", target: "tmp-1", ignored: true),
        IgnoreCase(rules: "us-west-2/tmp-*", target: "tmp-", ignored: true),
        IgnoreCase(rules: "us-west-2/tmp-*", target: "prod-dr", ignored: false),
        IgnoreCase(rules: "us-west-2/tmp-*", region: "us-east-1", target: "tmp-1", ignored: false),
        IgnoreCase(rules: "*/tmp-*", region: "eu-west-1", target: "tmp-1", ignored: true),
        IgnoreCase(rules: "us-*-2/*", target: "anything", ignored: true),
        IgnoreCase(rules: "*/dr", target: "prod-dr", ignored: false),
        IgnoreCase(rules: "*/*dr", target: "prod-dr", ignored: true),
        IgnoreCase(rules: "*/prod-*-dr", target: "prod-a-b-dr", ignored: true),
        IgnoreCase(rules: "us-west-2/db-?", target: "db-1", ignored: true),
        IgnoreCase(rules: "us-west-2/db-?", target: "db-10", ignored: false),
        IgnoreCase(rules: "us-west-2/db-[0-9]", target: "db-5", ignored: true),
        IgnoreCase(rules: "us-west-2/db-[0-9]", target: "db-a", ignored: false),
        IgnoreCase(rules: "us-west-2/db-[!0-9]", target: "db-a", ignored: true),
        IgnoreCase(rules: "us-west-2/db-[^0-9]", target: "db-5", ignored: false),
        IgnoreCase(rules: "us-west-2/db-[]x]", target: "db-]", ignored: true),
        IgnoreCase(rules: "us-west-2/db-[ab-]", target: "db--", ignored: true),
        // Case-insensitive: identities are lower-cased, patterns and targets may not be.
        IgnoreCase(rules: "US-WEST-2/TMP-*", target: "tmp-1", ignored: true),
        IgnoreCase(rules: "us-west-2/tmp-*", target: "Tmp-1", ignored: true),
        IgnoreCase(rules: "us-west-2/db-[A-C]", target: "db-b", ignored: true),
        // Kinds.
        IgnoreCase(rules: "tags-changed us-west-2/tmp-*", kind: .tagsChanged, target: "tmp-1", ignored: true),
        IgnoreCase(rules: "tags-changed us-west-2/tmp-*", kind: .missing, target: "tmp-1", ignored: false),
        IgnoreCase(rules: "Source-Gone */*", kind: .sourceGone, target: "x", ignored: true),
        // Re-including: the last matching line wins.
        IgnoreCase(rules: "us-west-2/*\n!us-west-2/keep-*", target: "keep-1", ignored: false),
        IgnoreCase(rules: "us-west-2/*\n!us-west-2/keep-*", target: "tmp-1", ignored: true),
        IgnoreCase(rules: "!us-west-2/keep-*\nus-west-2/*", target: "keep-1", ignored: true),
        IgnoreCase(rules: "*/*\n!stuck us-west-2/*", kind: .stuck, target: "a", ignored: false),
        IgnoreCase(rules: "*/*\n!stuck us-west-2/*", kind: .missing, target: "a", ignored: true),
        IgnoreCase(rules: "!us-west-2/a", target: "a", ignored: false),
        // Comments and blank lines.
        IgnoreCase(rules: "# us-west-2/a\n\n   \n", target: "a", ignored: false),
        IgnoreCase(rules: "us-west-2/a   # the DR test copy", target: "a", ignored: true),
        IgnoreCase(rules: "\u{FEFF}us-west-2/a\r\n", target: "a", ignored: true),
    ]

    @Test(arguments: matching)
    func matches(_ test: IgnoreCase) throws {
        let rules = try IgnoreRules.parse(test.rules, file: ".snapcopyignore")
        #expect(rules.ignores(finding(test.kind, test.region, test.target)) == test.ignored)
    }

    @Test func parsesAFileWithCommentsKindsAndNegations() throws {
        let text = """
            # Copies other teams manage
            us-west-2/tmp-*

            tags-changed */scratch-?   # tags are edited by hand there
            !tags-changed us-west-2/scratch-1\r
              !  us-east-1/keep
            """
        let rules = try IgnoreRules.parse(text, file: "ops/.snapcopyignore")
        #expect(rules.rules.map(\.description) == ["us-west-2/tmp-*", "tags-changed */scratch-?", "!tags-changed us-west-2/scratch-1", "!us-east-1/keep"])
        #expect(rules.rules.map(\.origin) == ["ops/.snapcopyignore:2", "ops/.snapcopyignore:4", "ops/.snapcopyignore:5", "ops/.snapcopyignore:6"])
        #expect(rules.rules.map(\.kind) == [nil, .tagsChanged, .tagsChanged, nil])
        #expect(rules.rules.map(\.isNegated) == [false, false, true, true])
        #expect(try IgnoreRules.parse("", file: "x").isEmpty)
        #expect(try IgnoreRules.parse("# only a comment\n", file: "x").isEmpty)
    }

    static let malformed: [MalformedLine] = [
        MalformedLine(line: "tag-changed us-west-2/tmp-*", rule: "unknown-kind",
                      message: #"unknown finding kind "tag-changed"; did you mean "tags-changed"?"#, fix: #"write "tags-changed us-west-2/tmp-*""#),
        MalformedLine(line: "sourcegone us-west-2/tmp-*", rule: "unknown-kind",
                      message: #"did you mean "source-gone"?"#, fix: #"write "source-gone us-west-2/tmp-*""#),
        MalformedLine(line: "whatever us-west-2/tmp-*", rule: "unknown-kind",
                      message: #"unknown finding kind "whatever""#, fix: "use one of missing, tags-changed, replaced, unapplied, stuck, failed, unmanaged, rpo-violated, source-gone"),
        MalformedLine(line: "us-west-2/tmp-[0-9", rule: "unclosed-bracket",
                      message: #"the pattern "us-west-2/tmp-[0-9" has a "[" with no closing "]""#, fix: "close the set"),
        MalformedLine(line: "us-west-[2/tmp", rule: "unclosed-bracket", message: #"has a "[" with no closing "]""#, fix: "close the set"),
        MalformedLine(line: "us-west-2/tmp-]", rule: "stray-bracket", message: #"has a "]" with no opening "[""#, fix: #"remove the "]""#),
        MalformedLine(line: "us-west-2/db-[z-a]", rule: "reversed-range", message: "has the range z-a", fix: "(a-z)"),
        MalformedLine(line: "!", rule: "empty-pattern", message: #""!" is not followed by a pattern"#, fix: "!us-west-2/keep-me"),
        MalformedLine(line: "  !   # nothing", rule: "empty-pattern", message: "is not followed by a pattern", fix: "delete the line"),
        MalformedLine(line: "missing us-west-2/a extra", rule: "extra-fields", message: "the line has 3 fields", fix: "put each pattern on its own line"),
        MalformedLine(line: "us-west-2/a us-west-2/b", rule: "extra-fields", message: "the line holds two patterns", fix: "its own line"),
        MalformedLine(line: "tmp-*", rule: "no-region", message: "names no region", fix: #"write "*/tmp-*" to match it in every region"#),
        MalformedLine(line: "!stuck tmp-*", rule: "no-region", message: "names no region", fix: #"write "!stuck */tmp-*""#),
        MalformedLine(line: "us-west-2/a/b", rule: "too-many-slashes", message: #"has 2 "/""#, fix: "REGION/TARGET"),
        MalformedLine(line: "/tmp-*", rule: "empty-region", message: #"nothing before the "/""#, fix: #"write "*/tmp-*""#),
        MalformedLine(line: "failed us-west-2/", rule: "empty-target", message: #"nothing after the "/""#, fix: #"write "failed us-west-2/*""#),
        MalformedLine(line: "stuck", rule: "missing-pattern", message: "is a finding kind, but no REGION/TARGET pattern follows it", fix: #"write "stuck */*""#),
        MalformedLine(line: "missing !us-west-2/a", rule: "misplaced-negation", message: #""!" belongs at the start of the line"#, fix: #"write "!missing us-west-2/a""#),
    ]

    @Test(arguments: malformed)
    func malformedLineNamesFileLineAndFix(_ test: MalformedLine) {
        let text = "# header\n\nus-west-2/fine-*\n" + test.line + "\nus-west-2/after\n"
        let error = #expect(throws: IgnoreRulesError.self) {
            try IgnoreRules.parse(text, file: "repo/.snapcopyignore")
        }
        #expect(error?.file == "repo/.snapcopyignore")
        #expect(error?.line == 4)
        #expect(error?.text == test.line)
        #expect(error?.rule == test.rule)
        #expect(error?.message.contains(test.message) == true, "\(error?.message ?? "")")
        #expect(error?.fix.contains(test.fix) == true, "\(error?.fix ?? "")")
        #expect(error?.description.hasPrefix("repo/.snapcopyignore:4: \(error?.message ?? "")\n  fix: ") == true)
    }

    @Test func ignoreFlagErrorsNameTheFlag() {
        let error = #expect(throws: IgnoreRulesError.self) {
            try IgnoreRules().adding(pattern: "tag-changed us-west-2/x")
        }
        #expect(error?.file == "--ignore")
        #expect(error?.line == nil)
        #expect(error?.rule == "unknown-kind")
        #expect(error?.description.hasPrefix(#"--ignore "tag-changed us-west-2/x": unknown finding kind"#) == true)
    }

    @Test func ignoreFlagsComeAfterTheFile() throws {
        let file = try IgnoreRules.parse("!us-west-2/keep\n", file: ".snapcopyignore")
        let rules = try file.adding(pattern: "us-west-2/*")
        #expect(rules.rules.map(\.origin) == [".snapcopyignore:1", "--ignore"])
        #expect(rules.ignores(finding(.missing, "us-west-2", "keep")), "the --ignore pattern is the last rule that matches")
        #expect(try IgnoreRules().adding(pattern: "# just a comment").isEmpty)
        let flagged = try IgnoreRules().adding(pattern: "us-west-2/*").adding(pattern: "!us-west-2/keep")
        #expect(!flagged.ignores(finding(.missing, "us-west-2", "keep")))
        #expect(flagged.appending(file).rules.count == 3)
    }

    @Test func applyingRemovesExactlyWhatTheRulesNameAndCountsIt() throws {
        let findings = [
            finding(.missing, "us-west-2", "tmp-1"), finding(.tagsChanged, "us-west-2", "tmp-2"),
            finding(.tagsChanged, "us-west-2", "prod-dr"), finding(.sourceGone, "us-east-1", "tmp-3"),
        ]
        let report = DriftReport(generatedAt: "2026-11-21T12:00:00Z", findings: findings,
                                 checked: findings.map(\.identity), thresholds: DriftDetector(now: DriftFixture.now).thresholds)
        let rules = try IgnoreRules.parse("tags-changed us-west-2/*\n!tags-changed us-west-2/prod-*\n*/tmp-3\n", file: ".snapcopyignore")
        let applied = report.applying(rules)
        #expect(applied.kindsAndTargets == ["tags-changed prod-dr", "missing tmp-1"])
        #expect(applied.ignored == 2)
        #expect(applied.summary.ignored == 2)
        #expect(applied.checked == report.checked, "ignored findings' copies are still checked")
        #expect(applied.summary.line == "Drift: 2 findings (1 missing, 1 tags-changed); 4 copies checked; 2 findings ignored.")
        #expect(applied.applying(try IgnoreRules().adding(pattern: "*/tmp-1")).ignored == 3, "counts add up across applications")
        #expect(report.applying(IgnoreRules()) == report)
    }
}
