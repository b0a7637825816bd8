/// The status of a DB cluster snapshot, parsed once where the API's (or a capture's) text is read.
///
/// Everything in the core asks the status a question (`isAvailable`, `isInProgress`, `hasFailed`)
/// instead of comparing strings, so "in progress" has exactly one definition.
public enum SnapshotStatus: Sendable, Hashable, CustomStringConvertible {
    case available
    /// A copy is being made (it may sit at 0 % in a queue for a long time).
    case copying
    /// A snapshot is being taken.
    case creating
    case deleting
    case failed
    /// `incompatible-restore`, `incompatible-parameters`, ...: the snapshot cannot be used; the text is kept.
    case incompatible(String)
    /// A status this build does not know, kept as the API wrote it.
    case other(String)

    /// Parses the API's text (case-insensitively).
    public init(_ text: String) {
        switch text.lowercasedCheaply {
        case "available": self = .available
        case "copying": self = .copying
        case "creating": self = .creating
        case "deleting": self = .deleting
        case "failed", "error": self = .failed
        case let lower where lower.hasPrefix("incompatible"): self = .incompatible(lower)
        default: self = .other(text)
        }
    }

    /// The text the API uses for this status.
    public var rawValue: String {
        switch self {
        case .available: "available"
        case .copying: "copying"
        case .creating: "creating"
        case .deleting: "deleting"
        case .failed: "failed"
        case .incompatible(let text), .other(let text): text
        }
    }

    public var description: String { rawValue }

    public var isAvailable: Bool { self == .available }

    /// Whether the snapshot is still being made (`creating` or `copying`): it may become available.
    public var isInProgress: Bool {
        switch self {
        case .copying, .creating: true
        case .available, .deleting, .failed, .incompatible, .other: false
        }
    }

    /// Whether the snapshot ended in a state it cannot leave (`failed`, `incompatible-*`).
    public var hasFailed: Bool {
        switch self {
        case .failed, .incompatible: true
        case .available, .copying, .creating, .deleting, .other: false
        }
    }
}

extension SnapshotStatus: Codable {
    public init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// How a snapshot came to be, from the API's `SnapshotType` (and the identifier, for AWS Backup).
public enum SnapshotType: Sendable, Hashable, CustomStringConvertible {
    /// Taken by the cluster's backup window; deleted at the end of its retention.
    case automated
    case manual
    /// Another account's manual snapshot shared with this one.
    case shared
    /// A snapshot shared with every account.
    case `public`
    /// Made by AWS Backup (identifier `awsbackup:...`).
    case awsBackup
    /// A type this build does not know, kept as the API wrote it.
    case other(String)

    /// The prefix of AWS Backup snapshot identifiers.
    public static let awsBackupPrefix = "awsbackup:"

    /// Parses the API's `SnapshotType`; an `awsbackup:` identifier makes an AWS Backup snapshot whatever the type says.
    /// A missing type reads as `manual`, as captured files written by hand usually mean.
    public init(_ text: String?, identifier: String) {
        if identifier.lowercasedCheaply.hasPrefix(Self.awsBackupPrefix) {
            self = .awsBackup
            return
        }
        switch text?.lowercasedCheaply {
        case nil, "manual": self = .manual
        case "automated": self = .automated
        case "shared": self = .shared
        case "public": self = .public
        case "awsbackup": self = .awsBackup
        case .some: self = .other(text ?? "")
        }
    }

    public var rawValue: String {
        switch self {
        case .automated: "automated"
        case .manual: "manual"
        case .shared: "shared"
        case .public: "public"
        case .awsBackup: "awsbackup"
        case .other(let text): text
        }
    }

    public var description: String { rawValue }

    /// Whether the snapshot belongs to another account (shared with this one, or public).
    public var isForeign: Bool {
        switch self {
        case .shared, .public: true
        case .automated, .manual, .awsBackup, .other: false
        }
    }
}
