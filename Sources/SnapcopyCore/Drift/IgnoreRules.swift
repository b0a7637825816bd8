/// Which drift findings to leave out of a report: the rules of a `.snapcopyignore` file and of
/// `--ignore` patterns, in order.
///
/// A rule is `[KIND] REGION/TARGET`: a glob on the region, a `/`, a glob on the target (see
/// ``parse(_:file:)`` for the syntax), optionally preceded by a finding kind (`tags-changed
/// us-west-2/tmp-*`) to ignore only findings of that kind. A rule starting with `!` re-includes
/// what an earlier rule ignored. As in `.gitignore`, the last rule that matches a finding decides.
public struct IgnoreRules: Sendable, Hashable {
    /// One rule.
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        /// The kind of finding the rule is about; nil for every kind.
        public var kind: DriftKind?
        /// The `REGION/TARGET` pattern as written.
        public var pattern: String
        /// Whether the rule re-includes (`!`) instead of ignoring.
        public var isNegated: Bool
        /// Where the rule was written: `FILE:LINE`, or `--ignore`.
        public var origin: String
        let region: GlobPattern
        let target: GlobPattern

        /// Whether the rule names `finding`: its kind (if any), region and target (case-insensitively) match.
        public func matches(_ finding: DriftFinding) -> Bool {
            (kind == nil || kind == finding.kind) && region.matches(finding.region) && target.matches(finding.target)
        }

        /// The rule as a line of a `.snapcopyignore` file.
        public var description: String {
            (isNegated ? "!" : "") + (kind.map { "\($0.rawValue) " } ?? "") + pattern
        }
    }

    /// The rules in the order they apply; later ones win.
    public internal(set) var rules: [Rule] = []

    /// No rules: nothing is ignored.
    public init() {}

    public var isEmpty: Bool { rules.isEmpty }

    /// Whether the rules leave `finding` out: the last rule that matches it is not a `!` rule.
    public func ignores(_ finding: DriftFinding) -> Bool {
        var ignored = false
        for rule in rules where rule.matches(finding) { ignored = !rule.isNegated }
        return ignored
    }

    /// These rules followed by `other`'s (which win where both match).
    public func appending(_ other: IgnoreRules) -> IgnoreRules {
        var copy = self
        copy.rules += other.rules
        return copy
    }

    /// Adds one rule given as `--ignore PATTERN` (the same syntax as a line of the file; a comment
    /// or blank adds nothing); its errors name `--ignore`. It comes after every earlier rule.
    public mutating func add(pattern: String) throws(IgnoreRulesError) {
        if let rule = try Self.parseLine(pattern, file: "--ignore", line: nil) { rules.append(rule) }
    }

    /// These rules with `--ignore PATTERN` added after them.
    public func adding(pattern: String) throws(IgnoreRulesError) -> IgnoreRules {
        var copy = self
        try copy.add(pattern: pattern)
        return copy
    }
}

extension DriftReport {
    /// This report without the findings `rules` ignore; ``ignored`` counts them (with any ignored before).
    /// Checked copies, unchecked regions and notes stay.
    public func applying(_ rules: IgnoreRules) -> DriftReport {
        guard !rules.isEmpty else { return self }
        var report = self
        report.findings = findings.filter { !rules.ignores($0) }
        report.ignored += findings.count - report.findings.count
        return report
    }
}
