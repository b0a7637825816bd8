import Foundation

/// A rule's name for its copies: literal text and placeholders, `{cluster}-{date}-dr`.
///
/// `{cluster}` is the source's cluster, `{date}` its creation date (UTC, `YYYY-MM-DD`), `{time}`
/// its creation time (`HHMM`), `{source}` its identifier without the `rds:` prefix of automated
/// snapshots. An expansion is made a valid identifier: a character that is not a letter, digit or
/// hyphen becomes a hyphen, runs of hyphens become one, hyphens at either end go, and one that
/// does not start with a letter is prefixed `snap-`. What is still invalid (too long) is the
/// planner's to report.
public struct TargetTemplate: Sendable, Hashable, CustomStringConvertible {
    public enum Placeholder: String, Sendable, Hashable, CaseIterable {
        case cluster, date, time, source
    }

    public enum Part: Sendable, Hashable {
        case literal(String)
        case placeholder(Placeholder)
    }

    public var parts: [Part]
    /// As written.
    public var text: String

    public var description: String { text }

    /// Parses `text`, or lists everything wrong with it that can be known offline.
    public static func parse(_ text: String) -> Result<TargetTemplate, IdentifierError> {
        var parts: [Part] = []
        var problems: [String] = []
        var literal = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "{" {
                guard let close = text[index...].firstIndex(of: "}") else {
                    problems.append("the { at position \(text.distance(from: text.startIndex, to: index) + 1) is not closed")
                    break
                }
                let name = String(text[text.index(after: index)..<close])
                if let placeholder = Placeholder(rawValue: name) {
                    if !literal.isEmpty { parts.append(.literal(literal)); literal = "" }
                    parts.append(.placeholder(placeholder))
                } else {
                    problems.append("{\(name)} is not a placeholder (use {cluster}, {date}, {time} or {source})")
                }
                index = text.index(after: close)
                continue
            }
            if character == "}" {
                problems.append("a } without its {")
            } else if !(character.isASCII && (character.isLetter || character.isNumber || character == "-")) {
                problems.append("the literal character '\(character)' is not allowed in a snapshot identifier (letters, digits and hyphens only)")
            }
            literal.append(character)
            index = text.index(after: index)
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        if !parts.contains(where: { if case .placeholder = $0 { true } else { false } }) {
            problems.append("it has no placeholder, so every copy would get the same name; use {date}, {time} or {source}")
        }
        guard problems.isEmpty else {
            return .failure(IdentifierError("the target template \"\(text)\" is not valid: " + problems.joined(separator: "; ")))
        }
        return .success(TargetTemplate(parts: parts, text: text))
    }

    /// The identifier for a copy of `source`, sanitised.
    public func expand(cluster: String, createTime: Date, sourceIdentifier: String) -> String {
        let components = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: createTime)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var raw = ""
        for part in parts {
            switch part {
            case .literal(let text): raw += text
            case .placeholder(.cluster): raw += cluster
            case .placeholder(.date): raw += "\(pad(components.year, 4))-\(pad(components.month, 2))-\(pad(components.day, 2))"
            case .placeholder(.time): raw += "\(pad(components.hour, 2))\(pad(components.minute, 2))"
            case .placeholder(.source):
                raw += sourceIdentifier.lowercased().hasPrefix("rds:") ? String(sourceIdentifier.dropFirst(4)) : sourceIdentifier
            }
        }
        return Self.sanitized(raw)
    }

    /// `raw` as a valid identifier as far as characters go (its length is not changed).
    public static func sanitized(_ raw: String) -> String {
        var out = ""
        for character in raw {
            let allowed = character.isASCII && (character.isLetter || character.isNumber)
            if allowed {
                out.append(character)
            } else if !out.hasSuffix("-") {
                out.append("-")
            }
        }
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        if let first = out.first, !(first.isASCII && first.isLetter) { out = "snap-" + out }
        if out.isEmpty { out = "snap" }
        return out
    }

    /// The longest expansion for a cluster named `cluster` literally (an automated source's
    /// identifier is `rds:CLUSTER-YYYY-MM-DD-HH-MM`), before sanitising.
    public func longestLength(forCluster cluster: String) -> Int {
        parts.reduce(0) { length, part in
            switch part {
            case .literal(let text): length + text.count
            case .placeholder(.cluster): length + cluster.count
            case .placeholder(.date): length + 10
            case .placeholder(.time): length + 4
            case .placeholder(.source): length + cluster.count + 17
            }
        }
    }
}
