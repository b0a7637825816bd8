/// A line of a `.snapcopyignore` file (or an `--ignore` pattern) that is not a rule: where it is,
/// what is wrong, and how to fix it.
public struct IgnoreRulesError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path, or `--ignore` for a pattern given on the command line.
    public var file: String
    /// The line, from 1; nil for an `--ignore` pattern.
    public var line: Int?
    /// The line as written.
    public var text: String
    /// A short, stable name of the problem: `unknown-kind`, `unclosed-bracket`, `stray-bracket`,
    /// `reversed-range`, `empty-pattern`, `missing-pattern`, `extra-fields`, `no-region`,
    /// `too-many-slashes`, `empty-region`, `empty-target`, `misplaced-negation`.
    public var rule: String
    public var message: String
    public var fix: String

    public init(file: String, line: Int?, text: String, rule: String, message: String, fix: String) {
        self.file = file
        self.line = line
        self.text = text
        self.rule = rule
        self.message = message
        self.fix = fix
    }

    /// `.snapcopyignore:3: message` or `--ignore "PATTERN": message`, then the fix.
    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? "\(file) \(CanonicalJSON.quote(text))"
        return "\(place): \(message)\n  fix: \(fix)"
    }
}
