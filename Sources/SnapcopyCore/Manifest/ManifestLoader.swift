/// A manifest file's path and bytes, read by the caller.
public struct ManifestSource: Sendable {
    public var path: String
    public var contents: [UInt8]

    public init(path: String, contents: [UInt8]) {
        self.path = path
        self.contents = contents
    }

    public init(path: String, text: String) {
        self.init(path: path, contents: Array(text.utf8))
    }
}

/// The desired copies of a set of manifests, or everything wrong with them.
public struct ManifestSet: Sendable {
    /// The copies in identity order.
    public var copies: [DesiredCopy]
    /// The rules, in name order.
    public var rules: [CopyRule]
    /// Every problem found, in file order.
    public var diagnostics: [Diagnostic]
    /// One digest over every copy's digest: changes when any entry changes.
    public var digest: String

    public var isValid: Bool { diagnostics.isEmpty }

    public init(copies: [DesiredCopy], rules: [CopyRule] = [], diagnostics: [Diagnostic], digest: String) {
        self.copies = copies
        self.rules = rules
        self.diagnostics = diagnostics
        self.digest = digest
    }
}

/// Reads version-1 manifests and checks them against the format and the API's own rules.
public struct ManifestLoader: Sendable {
    /// The manifest format version this build reads.
    public static let supportedVersion = 1

    /// The region used when neither an entry nor its file's `defaults` name one (from `--region` or the AWS configuration).
    public var fallbackRegion: String?

    public init(fallbackRegion: String? = nil) {
        self.fallbackRegion = fallbackRegion
    }

    /// Loads every source, reporting all problems at once rather than stopping at the first.
    public func load(_ sources: [ManifestSource]) -> ManifestSet {
        var diagnostics: [Diagnostic] = []
        var copies: [DesiredCopy] = []
        var rules: [CopyRule] = []
        for source in sources {
            var reader = ManifestReader(file: source.path, fallbackRegion: fallbackRegion)
            let node: JSONNode
            do {
                node = try JSONParser.parse(source.contents)
            } catch {
                diagnostics.append(Diagnostic(
                    ManifestLocation(file: source.path, path: "", position: error.position),
                    rule: "json-syntax", "invalid JSON at line \(error.position.line), column \(error.position.column): \(error.message)",
                    fix: "correct the JSON syntax at line \(error.position.line), column \(error.position.column)"))
                continue
            }
            copies += reader.read(node)
            rules += reader.rules
            diagnostics += reader.diagnostics
        }
        diagnostics += Self.duplicateIdentities(in: copies)
        diagnostics += Self.duplicateRuleNames(in: rules)
        copies.sort { $0.identity < $1.identity }
        rules.sort { $0.name < $1.name }
        let digest = Digest.sha256((copies.map(\.digest) + rules.map(\.digest)).joined(separator: "\n"))
        return ManifestSet(copies: copies, rules: rules, diagnostics: diagnostics, digest: digest)
    }

    private static func duplicateRuleNames(in rules: [CopyRule]) -> [Diagnostic] {
        var first: [String: CopyRule] = [:]
        var diagnostics: [Diagnostic] = []
        for rule in rules {
            if let earlier = first[rule.name] {
                diagnostics.append(Diagnostic(
                    ManifestLocation(file: rule.location.file, path: rule.location.path + ".name", position: rule.location.position),
                    rule: "duplicate-rule", "the rule \"\(rule.name)\" is declared twice: here and at \(earlier.location)",
                    fix: "give one of the rules another name (rule names are unique across the manifests)"))
            } else {
                first[rule.name] = rule
            }
        }
        return diagnostics
    }

    private static func duplicateIdentities(in copies: [DesiredCopy]) -> [Diagnostic] {
        // Positions, not copies: storing 100,000 whole entries in the table dominated loading.
        var first: [CopyIdentity: Int] = [:]
        first.reserveCapacity(copies.count)
        var diagnostics: [Diagnostic] = []
        for index in copies.indices {
            if let earlierIndex = first[copies[index].identity] {
                let copy = copies[index]
                let earlier = copies[earlierIndex]
                diagnostics.append(Diagnostic(
                    ManifestLocation(file: copy.location.file, path: copy.location.path + ".target", position: copy.location.position),
                    rule: "duplicate-copy",
                    "the copy \"\(copy.identity.target)\" in \(copy.region) is declared twice: here and at \(earlier.location)",
                    fix: "keep one of the two entries, or give one of them another target identifier"))
            } else {
                first[copies[index].identity] = index
            }
        }
        return diagnostics
    }
}
