/// A set of resource tags: keys are unique, order is irrelevant, output is always sorted by key.
public struct Tags: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral, Sequence {
    public private(set) var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.values = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// The tags as `(key, value)` pairs sorted by key.
    public var sorted: [(key: String, value: String)] {
        values.sorted { $0.key < $1.key }
    }

    public func makeIterator() -> IndexingIterator<[(key: String, value: String)]> {
        sorted.makeIterator()
    }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    public var keys: [String] { values.keys.sorted() }

    public subscript(key: String) -> String? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// Overlays `other` onto these tags; on a shared key, `other` wins.
    public mutating func merge(_ other: Tags) {
        // Key by key: for a handful of tags, cheaper than the generic `Dictionary.merge`.
        for (key, value) in other.values { values[key] = value }
    }

    /// These tags overlaid by `other`; on a shared key, `other` wins.
    public func merging(_ other: Tags) -> Tags {
        var copy = self
        copy.merge(other)
        return copy
    }

    /// The tags whose keys satisfy `isIncluded`.
    public func filter(keys isIncluded: (String) -> Bool) -> Tags {
        Tags(values.filter { isIncluded($0.key) })
    }

    /// These tags without the keys AWS reserves (`aws:` and `rds:` prefixes).
    public var withoutReservedKeys: Tags {
        values.keys.contains(where: TagRules.isReserved) ? filter(keys: { !TagRules.isReserved($0) }) : self
    }

    /// The key-by-key changes that turn `self` into `desired`, sorted by key.
    public func changes(to desired: Tags) -> [TagChange] {
        var allKeys = Array(values.keys)
        for key in desired.values.keys where values[key] == nil { allKeys.append(key) }
        allKeys.sort()
        return allKeys.compactMap { key in
            let before = values[key]
            let after = desired.values[key]
            return before == after ? nil : TagChange(key: key, before: before, after: after)
        }
    }
}

/// One tag's change: added (no `before`), removed (no `after`) or changed.
public struct TagChange: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable {
        case add, change, remove
    }

    public var key: String
    public var before: String?
    public var after: String?

    public init(key: String, before: String?, after: String?) {
        self.key = key
        self.before = before
        self.after = after
    }

    public var kind: Kind {
        switch (before, after) {
        case (nil, _): .add
        case (_, nil): .remove
        default: .change
        }
    }
}

/// The tag rules of the RDS API, shared by validation and the planner.
public enum TagRules {
    /// The key snapcopy puts on every copy it makes: its value is the source snapshot's ARN.
    public static let ownershipKey = "snapcopy:source"
    /// At most this many tags on one snapshot.
    public static let maximumCount = 50
    public static let maximumKeyLength = 128
    public static let maximumValueLength = 256

    /// Whether AWS reserves the key (`aws:` or `rds:` prefix, in any case).
    public static func isReserved(_ key: String) -> Bool {
        let lower = key.lowercasedCheaply
        return lower.hasPrefix("aws:") || lower.hasPrefix("rds:")
    }

    /// Whether every character is one RDS accepts in tag keys and values.
    public static func hasOnlyAllowedCharacters(_ text: String) -> Bool {
        firstDisallowedCharacter(in: text) == nil
    }

    /// The first character RDS does not accept in tag keys and values, whose pattern is
    /// `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`: Unicode letters, separators (spaces, not tabs or line
    /// breaks, which are control characters) and numbers, and `_ . : / = + - @`.
    public static func firstDisallowedCharacter(in text: String) -> Unicode.Scalar? {
        isPlainASCII(text) ? nil : firstDisallowedScalar(in: text)
    }

    /// `firstDisallowedCharacter(in:)` decided scalar by scalar, for every text.
    static func firstDisallowedScalar(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            switch scalar.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
                 .spaceSeparator, .lineSeparator, .paragraphSeparator,
                 .decimalNumber, .letterNumber, .otherNumber:
                false
            default:
                !"_.:/=+-@".unicodeScalars.contains(scalar)
            }
        }
    }

    /// Whether every byte of `text` is an ASCII letter, digit, space or one of `_ . : / = + - @`:
    /// allowed characters, each one byte and one `Character`, so a tag's length is its byte count.
    static func isPlainASCII(_ text: String) -> Bool {
        text.allBytes { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: " "), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"),
                 UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"):
                true
            default:
                false
            }
        }
    }
}
