/// A DB cluster snapshot ARN: `arn:PARTITION:rds:REGION:ACCOUNT:cluster-snapshot:ID`.
public struct SnapshotARN: Sendable, Hashable, Codable, CustomStringConvertible {
    public var partition: String
    public var region: String
    public var account: String
    public var identifier: String

    public init(partition: String = "aws", region: String, account: String, identifier: String) {
        self.partition = partition
        self.region = region
        self.account = account
        self.identifier = identifier
    }

    /// Parses a cluster snapshot ARN, or returns nil with no explanation; see `parseError(_:)` for one.
    public init?(_ text: String) {
        guard case .success(let arn) = Self.parse(text) else { return nil }
        self = arn
    }

    /// Parses a cluster snapshot ARN, explaining what is wrong when it is not one.
    public static func parse(_ text: String) -> Result<SnapshotARN, IdentifierError> {
        if let arn = parseASCII(text) { return .success(arn) }
        return parseCharacters(text)
    }

    /// `parse` by characters: every text, and the explanation of what is wrong.
    static func parseCharacters(_ text: String) -> Result<SnapshotARN, IdentifierError> {
        let parts = text.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 7, parts[0] == "arn" else {
            return .failure(IdentifierError("\"\(text)\" is not an ARN of the form arn:PARTITION:rds:REGION:ACCOUNT:cluster-snapshot:ID"))
        }
        guard Partition.all.contains(parts[1]) else {
            return .failure(IdentifierError("\"\(parts[1])\" is not an AWS partition (aws, aws-cn, aws-us-gov, ...)"))
        }
        guard parts[2] == "rds" else {
            return .failure(IdentifierError("the ARN's service is \"\(parts[2])\"; a Neptune cluster snapshot ARN has service \"rds\""))
        }
        guard Region.isWellFormed(parts[3]) else {
            return .failure(IdentifierError("\"\(parts[3])\" in the ARN is not a well-formed region name such as us-east-1"))
        }
        guard parts[4].utf8.count == 12, parts[4].utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            return .failure(IdentifierError("the account \"\(parts[4])\" in the ARN is not a 12-digit account id"))
        }
        guard parts[5] == "cluster-snapshot" else {
            return .failure(IdentifierError("the ARN names a \"\(parts[5])\"; a copy's source must be a \"cluster-snapshot\""))
        }
        guard !parts[6].isEmpty else {
            return .failure(IdentifierError("the ARN has no snapshot identifier after \"cluster-snapshot:\""))
        }
        return .success(SnapshotARN(partition: parts[1], region: parts[3], account: parts[4], identifier: parts[6]))
    }

    /// A well-formed ARN of ASCII text, read from its bytes; nil for anything else, which `parse`
    /// then reads (and explains) by its characters. For ASCII text bytes and characters split alike.
    static func parseASCII(_ text: String) -> SnapshotARN? {
        text.utf8.withContiguousStorageIfAvailable { bytes -> SnapshotARN? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            var cursor = 0
            /// The bytes up to the next colon, stepping past it.
            func field() -> UnsafeBufferPointer<UInt8>? {
                guard let colon = bytes[cursor...].firstIndex(of: UInt8(ascii: ":")) else { return nil }
                defer { cursor = colon + 1 }
                return UnsafeBufferPointer(rebasing: bytes[cursor..<colon])
            }
            guard let scheme = field(), let partitionBytes = field(), let service = field(), let regionBytes = field(),
                  let account = field(), let resource = field()
            else { return nil }
            let identifier = UnsafeBufferPointer(rebasing: bytes[cursor...])
            guard scheme.elementsEqual("arn".utf8), service.elementsEqual("rds".utf8), resource.elementsEqual("cluster-snapshot".utf8),
                  !identifier.isEmpty, account.count == 12, account.allSatisfy({ (0x30...0x39).contains($0) })
            else { return nil }
            let partition = String(decoding: partitionBytes, as: UTF8.self)
            let region = String(decoding: regionBytes, as: UTF8.self)
            guard partition == "aws" || Partition.all.contains(partition), Region.isWellFormed(region) else { return nil }
            return SnapshotARN(partition: partition, region: region, account: String(decoding: account, as: UTF8.self),
                               identifier: String(decoding: identifier, as: UTF8.self))
        } ?? nil
    }

    public var description: String {
        // Written into one allocation of the exact length: every live snapshot is indexed by its
        // ARN's text, and every plan change records it.
        let length = Self.fixedLength + partition.utf8.count + region.utf8.count + account.utf8.count + identifier.utf8.count
        return String(unsafeUninitializedCapacity: length) { buffer in
            var count = 0
            func append(_ bytes: String.UTF8View) {
                count += UnsafeMutableBufferPointer(rebasing: buffer[count...]).initialize(from: bytes).1
            }
            append("arn:".utf8)
            append(partition.utf8)
            append(":rds:".utf8)
            append(region.utf8)
            append(":".utf8)
            append(account.utf8)
            append(":cluster-snapshot:".utf8)
            append(identifier.utf8)
            return count
        }
    }

    /// The bytes of `arn:`, `:rds:`, `:` and `:cluster-snapshot:`.
    private static let fixedLength = 4 + 5 + 1 + 18

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch Self.parse(text) {
        case .success(let arn): self = arn
        case .failure(let error):
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Why an identifier, ARN or region is not well formed.
public struct IdentifierError: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// How a manifest names the snapshot to copy.
public enum SnapshotReference: Sendable, Hashable, CustomStringConvertible {
    /// A full ARN: required for a source in another region or account.
    case arn(SnapshotARN)
    /// A plain identifier of a snapshot in the destination region and account.
    case identifier(String)

    public var description: String {
        switch self {
        case .arn(let arn): arn.description
        case .identifier(let id): id
        }
    }

    /// The snapshot identifier, whichever way it was given.
    public var identifier: String {
        switch self {
        case .arn(let arn): arn.identifier
        case .identifier(let id): id
        }
    }
}

/// AWS partitions, the second field of every ARN.
public enum Partition {
    public static let all: Set<String> = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"]
}

/// Region names.
public enum Region {
    /// Whether `name` looks like an AWS region (`us-east-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-2`).
    public static func isWellFormed(_ name: String) -> Bool {
        // Bytes, not Characters, in one pass: this runs for every ARN of a capture. Parts are
        // separated by hyphens: at least two of lower-case letters, then one of digits.
        var parts = 1
        var length = 0
        var letters = true
        var digits = true
        for byte in name.utf8 {
            if byte == UInt8(ascii: "-") {
                // Every part before the last: letters, and not empty.
                guard length > 0, letters else { return false }
                parts += 1
                length = 0
                letters = true
                digits = true
                continue
            }
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            let isLetter = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            guard isDigit || isLetter else { return false }
            letters = letters && isLetter
            digits = digits && isDigit
            length += 1
        }
        // The last part: digits, and not empty.
        return parts >= 3 && length > 0 && digits
    }

    /// `isWellFormed` as first written, by splitting: the reference the one-pass check is tested against.
    static func isWellFormedBySplitting(_ name: String) -> Bool {
        let parts = name.utf8.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.allSatisfy({ (0x30...0x39).contains($0) }) else { return false }
        return parts.dropLast().allSatisfy { part in
            !part.isEmpty && part.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }
        }
    }
}

/// The rules the API applies to a new snapshot's identifier.
public enum SnapshotIdentifier {
    public static let maximumLength = 63

    /// Every rule `identifier` breaks, as sentences; empty when it is valid.
    public static func problems(_ identifier: String) -> [String] {
        isPlainlyValid(identifier) ? [] : characterProblems(identifier)
    }

    /// `problems` decided character by character, for every identifier.
    static func characterProblems(_ identifier: String) -> [String] {
        var problems: [String] = []
        if identifier.isEmpty { return ["it is empty; it must have 1 to 63 characters"] }
        if identifier.count > maximumLength {
            problems.append("it has \(identifier.count) characters; at most 63 are allowed")
        }
        if let bad = identifier.first(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-")) }) {
            problems.append("it contains '\(bad)'; only letters, digits and hyphens are allowed")
        }
        if let first = identifier.first, !(first.isASCII && first.isLetter) {
            problems.append("it starts with '\(first)'; the first character must be a letter")
        }
        if identifier.hasSuffix("-") { problems.append("it ends with a hyphen") }
        if identifier.contains("--") { problems.append("it contains two consecutive hyphens") }
        return problems
    }

    /// Whether `identifier` breaks no rule, decided on its bytes: 1 to 63 ASCII letters, digits and
    /// single hyphens, starting with a letter and not ending with a hyphen. False sends it to
    /// `problems`' character-by-character checks, which say what is wrong.
    static func isPlainlyValid(_ identifier: String) -> Bool {
        let utf8 = identifier.utf8
        guard let first = utf8.first, utf8.count <= maximumLength, isASCIILetter(first), utf8.last != UInt8(ascii: "-") else { return false }
        var previous = first
        for byte in utf8 {
            let hyphen = byte == UInt8(ascii: "-")
            guard hyphen || isASCIILetter(byte) || (0x30...0x39).contains(byte), !(hyphen && previous == byte) else { return false }
            previous = byte
        }
        return true
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }
}

/// The identity of a desired copy: destination region and target identifier, lower-cased
/// as the API compares identifiers case-insensitively.
public struct CopyIdentity: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var region: String
    public var target: String

    public init(region: String, target: String) {
        self.region = region
        self.target = target.lowercasedCheaply
    }

    public static func < (lhs: CopyIdentity, rhs: CopyIdentity) -> Bool {
        (lhs.region, lhs.target) < (rhs.region, rhs.target)
    }

    public var description: String { "\(target) (\(region))" }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    /// `lowercased()`, which is this string itself (its storage shared, nothing allocated) when
    /// it is ASCII without capitals, as identifiers, regions and tag keys nearly always are.
    var lowercasedCheaply: String {
        allBytes({ $0 < 0x80 && !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) ? self : lowercased()
    }

    /// Whether every UTF-8 byte satisfies `predicate`, read as one buffer (stepping through the
    /// UTF-8 view byte by byte costs several times more).
    func allBytes(_ predicate: (UInt8) -> Bool) -> Bool {
        utf8.withContiguousStorageIfAvailable { $0.allSatisfy(predicate) } ?? utf8.allSatisfy(predicate)
    }
}

/// KMS key references: ARN, key id, alias name or alias ARN.
public enum KMSKeyReference {
    /// The region of a key or alias ARN, or nil for a key id or alias name (which resolve in the destination region).
    public static func region(of reference: String) -> String? {
        guard reference.hasPrefix("arn:") else { return nil }
        let parts = reference.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return parts.count == 6 ? String(parts[3]) : nil
    }

    /// Why `reference` is not a KMS key reference, or nil when it is well formed.
    public static func problem(_ reference: String) -> String? {
        if reference.hasPrefix("arn:") {
            let parts = reference.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
            let resource = parts.count == 6 ? parts[5] : ""
            guard parts.count == 6, Partition.all.contains(parts[1]), parts[2] == "kms", Region.isWellFormed(parts[3]),
                  parts[4].count == 12, parts[4].allSatisfy(\.isASCIIDigit),
                  (resource.hasPrefix("key/") && resource.count > 4) || (resource.hasPrefix("alias/") && resource.count > 6)
            else {
                return "\"\(reference)\" is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID) or alias ARN (arn:aws:kms:REGION:ACCOUNT:alias/NAME)"
            }
            return nil
        }
        if reference.hasPrefix("alias/") {
            let name = reference.dropFirst("alias/".count)
            if name.isEmpty || !name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "/_-".contains($0)) }) {
                return "\"\(reference)\" is not a valid alias name (alias/ followed by letters, digits, '/', '_' or '-')"
            }
            return nil
        }
        if isKeyID(reference) { return nil }
        return "\"\(reference)\" is not a KMS key id (a UUID or mrk-…), an alias (alias/NAME), or an ARN"
    }

    /// Whether `text` is a bare key id: a UUID, or a multi-Region key id `mrk-` followed by 32 hex digits.
    public static func isKeyID(_ text: String) -> Bool {
        let hex = Set("0123456789abcdefABCDEF")
        if text.hasPrefix("mrk-") {
            let rest = text.dropFirst(4)
            return rest.count == 32 && rest.allSatisfy { hex.contains($0) }
        }
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        return groups.map(\.count) == [8, 4, 4, 4, 12] && groups.allSatisfy { $0.allSatisfy { hex.contains($0) } }
    }

    /// Whether the live key ARN `live` is the key `desired` names, as far as can be told offline:
    /// `true` or `false` when it can be decided, nil when `desired` is an alias.
    public static func matches(desired: String, live: String) -> Bool? {
        if desired.hasPrefix("alias/") || desired.contains(":alias/") { return nil }
        if desired.hasPrefix("arn:") { return desired == live }
        return live == desired || live.hasSuffix(":key/\(desired)")
    }
}
