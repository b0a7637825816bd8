extension IgnoreRules {
    /// Reads a `.snapcopyignore` file.
    ///
    /// One rule per line: `[!][KIND] REGION/TARGET`.
    /// - `REGION/TARGET` holds exactly one `/`; each side is a glob on the whole name: `*` any run
    ///   of characters (never crossing the `/`), `?` one character, `[abc]`, `[a-z]`, `[!a-z]`.
    ///   Both sides compare case-insensitively (identities are lower-cased). `*/tmp-*` matches
    ///   `tmp-` copies in every region, `us-west-2/*` every copy in us-west-2.
    /// - `KIND`, when given, is a finding kind (`missing`, `tags-changed`, `replaced`, `unapplied`,
    ///   `stuck`, `failed`, `unmanaged`, `source-gone`), and the rule names only findings of it.
    /// - A leading `!` re-includes; the last rule that matches a finding decides.
    /// - Blank lines are skipped; `#` starts a comment, on its own line or after the rule.
    ///
    /// - Throws: ``IgnoreRulesError`` for the first line that is not a rule, naming `file` and
    ///   the line, with a fix: an unknown kind (with the closest one), a `[` without `]`, an empty
    ///   pattern, a pattern without a region or with more than one `/`, or extra fields.
    public static func parse(_ text: String, file: String) throws(IgnoreRulesError) -> IgnoreRules {
        var rules = IgnoreRules()
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (index, line) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if let rule = try parseLine(String(line), file: file, line: index + 1) { rules.rules.append(rule) }
        }
        return rules
    }

    /// The rule of one line, or nil for a blank or comment line.
    static func parseLine(_ text: String, file: String, line: Int?) throws(IgnoreRulesError) -> Rule? {
        func failure(_ rule: String, _ message: String, fix: String) -> IgnoreRulesError {
            IgnoreRulesError(file: file, line: line, text: text, rule: rule, message: message, fix: fix)
        }
        var fields = text.split(whereSeparator: \.isWhitespace).map(String.init)
        if let comment = fields.firstIndex(where: { $0.hasPrefix("#") }) { fields.removeSubrange(comment...) }
        guard !fields.isEmpty else { return nil }

        var negated = false
        if fields[0].hasPrefix("!") {
            negated = true
            fields[0].removeFirst()
            if fields[0].isEmpty { fields.removeFirst() }
        }
        let example = "tags-changed us-west-2/tmp-*"
        switch fields.count {
        case 0:
            throw failure("empty-pattern", "\"!\" is not followed by a pattern",
                          fix: "write the rule to re-include after the !, as in \"!us-west-2/keep-me\", or delete the line")
        case 1, 2:
            break
        default:
            throw failure("extra-fields",
                          "the line has \(fields.count) fields; a rule is [KIND] REGION/TARGET, one per line",
                          fix: "put each pattern on its own line, as in \"\(example)\"; start a comment with #")
        }
        var kind: DriftKind?
        if fields.count == 2 {
            if fields[0].contains("/") {
                throw failure("extra-fields", "the line holds two patterns (\(fields[0]) and \(fields[1])); a rule has one",
                              fix: "put each pattern on its own line")
            }
            guard let named = DriftKind(name: fields[0]) else {
                let names = DriftKind.allCases.map(\.rawValue)
                let suggestion = ManifestReader.closest(to: fields[0], in: names)
                throw failure("unknown-kind",
                              "unknown finding kind \(CanonicalJSON.quote(fields[0]))" + (suggestion.map { "; did you mean \"\($0)\"?" } ?? ""),
                              fix: suggestion.map { "write \"\($0) \(fields[1])\"" }
                                  ?? "use one of \(names.joined(separator: ", ")), or leave the kind out to ignore every kind")
            }
            kind = named
        }
        guard let pattern = fields.last else { return nil }
        if pattern.hasPrefix("!") {
            throw failure("misplaced-negation", "\"!\" belongs at the start of the line, before the kind",
                          fix: "write \"!\(kind.map { "\($0.rawValue) " } ?? "")\(pattern.dropFirst())\"")
        }
        if kind == nil, let named = DriftKind(name: pattern) {
            throw failure("missing-pattern", "\(CanonicalJSON.quote(pattern)) is a finding kind, but no REGION/TARGET pattern follows it",
                          fix: "write \"\(named.rawValue) */*\" to ignore every \(named.rawValue) finding")
        }
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            throw failure("no-region", "the pattern \(CanonicalJSON.quote(pattern)) names no region; patterns match REGION/TARGET",
                          fix: "write \"\(prefix(kind, negated))*/\(pattern)\" to match it in every region")
        case 2:
            break
        default:
            throw failure("too-many-slashes", "the pattern \(CanonicalJSON.quote(pattern)) has \(parts.count - 1) \"/\"; a pattern is REGION/TARGET with exactly one",
                          fix: "write REGION/TARGET, as in \"us-west-2/tmp-*\"; targets never contain \"/\"")
        }
        if parts[0].isEmpty {
            throw failure("empty-region", "the pattern \(CanonicalJSON.quote(pattern)) has nothing before the \"/\"",
                          fix: "write \"\(prefix(kind, negated))*/\(parts[1])\" to match in every region")
        }
        if parts[1].isEmpty {
            throw failure("empty-target", "the pattern \(CanonicalJSON.quote(pattern)) has nothing after the \"/\"",
                          fix: "write \"\(prefix(kind, negated))\(parts[0])/*\" to match every target in \(parts[0])")
        }
        let region: GlobPattern
        let target: GlobPattern
        do {
            region = try GlobPattern(parts[0])
            target = try GlobPattern(parts[1])
        } catch {
            throw failure(error.rule, "the pattern \(CanonicalJSON.quote(pattern)) \(error.explanation)", fix: error.fix)
        }
        return Rule(kind: kind, pattern: pattern, isNegated: negated,
                    origin: line.map { "\(file):\($0)" } ?? file, region: region, target: target)
    }

    private static func prefix(_ kind: DriftKind?, _ negated: Bool) -> String {
        (negated ? "!" : "") + (kind.map { "\($0.rawValue) " } ?? "")
    }
}

extension GlobPattern.SyntaxError {
    var rule: String {
        switch problem {
        case .unclosedBracket: "unclosed-bracket"
        case .strayBracket: "stray-bracket"
        case .reversedRange: "reversed-range"
        }
    }

    var explanation: String {
        switch problem {
        case .unclosedBracket: "has a \"[\" with no closing \"]\""
        case .strayBracket: "has a \"]\" with no opening \"[\""
        case .reversedRange(let range): "has the range \(range), whose first character sorts after its last"
        }
    }

    var fix: String {
        switch problem {
        case .unclosedBracket: "close the set, as in \"tmp-[0-9]*\", or remove the \"[\""
        case .strayBracket: "remove the \"]\", or open the set with \"[\""
        case .reversedRange(let range): "write the range low to high (\(String(range.reversed())))"
        }
    }
}
