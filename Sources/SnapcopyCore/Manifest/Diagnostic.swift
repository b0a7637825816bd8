/// Where something was declared: a file and a JSON path inside it, with the line and column when known.
public struct ManifestLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var file: String
    /// A JSON path such as `copies[3].target`; empty for the whole document.
    public var path: String
    public var position: SourcePosition?

    public init(file: String, path: String, position: SourcePosition? = nil) {
        self.file = file
        self.path = path
        self.position = position
    }

    /// `file:line:column` (or just `file`), followed by the JSON path.
    public var description: String {
        var text = file
        if let position { text += ":\(position.line):\(position.column)" }
        if !path.isEmpty { text += " \(path)" }
        return text
    }
}

/// One problem found in the manifests: what is wrong, where, and how to fix it.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    public var location: ManifestLocation
    /// A short, stable name of the rule that failed, such as `target-identifier` or `unknown-key`.
    public var rule: String
    public var message: String
    public var fix: String

    public init(_ location: ManifestLocation, rule: String, _ message: String, fix: String) {
        self.location = location
        self.rule = rule
        self.message = message
        self.fix = fix
    }

    /// `file:line:col path: message [rule]` followed by `  fix: …` on the next line.
    public var description: String {
        "\(location): \(message) [\(rule)]\n  fix: \(fix)"
    }
}
