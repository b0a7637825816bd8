import Foundation

/// A parsed AWS shared config or credentials file (INI format, as botocore reads it).
///
/// `[section]` headers; `key = value` (or `key: value`) lines with keys lower-cased; lines
/// starting with `#` or `;` are comments; a key with an empty value followed by indented
/// `sub = value` lines is a nested block (used by `[services x]` sections).
public struct AWSConfigFile: Sendable, Equatable {
    /// One `[section]`.
    public struct Section: Sendable, Equatable {
        /// Plain `key = value` settings.
        public var values: [String: String] = [:]
        /// Nested blocks: `neptune =` followed by indented `endpoint_url = ...`.
        public var nested: [String: [String: String]] = [:]

        /// Creates a section.
        public init(values: [String: String] = [:], nested: [String: [String: String]] = [:]) {
            self.values = values
            self.nested = nested
        }

        /// A non-empty value.
        public subscript(key: String) -> String? {
            guard let value = values[key], !value.isEmpty else { return nil }
            return value
        }
    }

    /// Sections by their header text (trimmed, inner whitespace collapsed).
    public var sections: [String: Section]
    /// The file the text came from, for messages.
    public var path: String?
    /// Lines the parser could not read, as `LINE: what is wrong` (botocore refuses such files).
    public private(set) var problems: [String] = []

    /// Parses INI text.
    public init(parsing text: String, path: String? = nil) {
        self.path = path
        sections = [:]
        var current: String?
        var lastKey: String?
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }).enumerated() {
            let line = String(rawLine)
            let trimmed = line.trimmingXMLWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"
            if !indented, trimmed.hasPrefix("["), !trimmed.hasSuffix("]") {
                problems.append("\(index + 1): the section header \(trimmed) has no closing ]")
                current = nil
                continue
            }
            if !indented, current == nil, !trimmed.hasPrefix("[") {
                problems.append("\(index + 1): \(Self.shown(trimmed)) comes before any [section] header")
                continue
            }
            if !indented, !trimmed.hasPrefix("["), Self.keyValue(trimmed) == nil {
                problems.append("\(index + 1): \(Self.shown(trimmed)) is not a key = value line")
                continue
            }
            if !indented, trimmed.hasPrefix("["), trimmed.hasSuffix("]") {
                let name = trimmed.dropFirst().dropLast().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
                current = name
                lastKey = nil
                if sections[name] == nil { sections[name] = Section() }
                continue
            }
            guard let section = current, let (key, value) = Self.keyValue(trimmed) else { continue }
            if indented, let parent = lastKey, sections[section]?.values[parent]?.isEmpty == true {
                sections[section]?.nested[parent, default: [:]][key] = value
            } else if !indented {
                sections[section]?.values[key] = value
                lastKey = key
            }
        }
    }

    /// Reads and parses a file; `nil` when it does not exist.
    public static func load(path: String) throws -> AWSConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CredentialsError(kind: .unreadableFile, message: "Cannot read \(path): check its permissions.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CredentialsError(kind: .unreadableFile, message: "\(path) is not UTF-8 text.")
        }
        let file = AWSConfigFile(parsing: text, path: path)
        if let problem = file.problems.first {
            throw CredentialsError(kind: .invalidConfiguration,
                                   message: "\(path):\(problem). Fix the line (sections are [profile NAME], settings key = value), as the AWS CLI would refuse the file too.")
        }
        return file
    }

    /// The start of a line for a message, without what follows `=` (it may be a secret).
    private static func shown(_ line: String) -> String {
        let key = line.split(separator: "=", maxSplits: 1).first.map(String.init) ?? line
        return "\"\(String(key.prefix(40)).trimmingXMLWhitespace())\""
    }

    private static func keyValue(_ line: String) -> (String, String)? {
        guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else { return nil }
        let key = String(line[..<separator]).trimmingXMLWhitespace().lowercased()
        let value = String(line[line.index(after: separator)...]).trimmingXMLWhitespace()
        return key.isEmpty ? nil : (key, value)
    }
}

/// The shared credentials file and config file, loaded together.
public struct AWSSharedConfiguration: Sendable, Equatable {
    /// The credentials file (`[name]` sections), `nil` when absent.
    public var credentialsFile: AWSConfigFile?
    /// The config file (`[default]`, `[profile name]`, `[services name]`), `nil` when absent.
    public var configFile: AWSConfigFile?
    /// Where the credentials file was looked for.
    public var credentialsPath: String?
    /// Where the config file was looked for.
    public var configPath: String?

    /// Creates a value from already-parsed files.
    public init(credentialsFile: AWSConfigFile?, configFile: AWSConfigFile?, credentialsPath: String?, configPath: String?) {
        self.credentialsFile = credentialsFile
        self.configFile = configFile
        self.credentialsPath = credentialsPath
        self.configPath = configPath
    }

    /// The `[name]` section of the credentials file.
    public func credentialsSection(_ profile: String) -> AWSConfigFile.Section? {
        credentialsFile?.sections[profile]
    }

    /// The profile's section of the config file: `[profile name]`, or for `default` also `[default]`.
    public func configSection(_ profile: String) -> AWSConfigFile.Section? {
        if let section = configFile?.sections["profile \(profile)"] { return section }
        if profile == "default" { return configFile?.sections["default"] }
        return nil
    }

    /// A `[services name]` section of the config file.
    public func servicesSection(_ name: String) -> AWSConfigFile.Section? {
        configFile?.sections["services \(name)"]
    }

    /// Whether either file defines the profile.
    public func hasProfile(_ profile: String) -> Bool {
        credentialsSection(profile) != nil || configSection(profile) != nil
    }

    /// A setting of the profile: the credentials file wins over the config file, as in botocore.
    public func setting(_ key: String, profile: String) -> String? {
        credentialsSection(profile)?[key] ?? configSection(profile)?[key]
    }
}
