import Foundation

/// AWS credentials: access key ID, secret access key, optional session token and expiry.
///
/// Credentials never print their secrets: ``description``, ``debugDescription`` and the
/// reflection mirror show the source and a masked access key ID (`AKIA****MPLE`) only.
public struct Credentials: Sendable, Equatable {
    /// The access key ID (not secret, but shown masked).
    public var accessKeyID: String
    /// The secret access key. Never printed.
    public var secretAccessKey: String
    /// The session token of temporary credentials. Never printed.
    public var sessionToken: String?
    /// When temporary credentials expire; `nil` for long-term keys.
    public var expiration: Date?
    /// Where the credentials came from, e.g. `environment` or `profile dev`.
    public var source: String

    /// Creates credentials.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil, source: String = "static") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    /// The access key ID with its middle masked: `AKIA****MPLE`; `****` when short.
    public var maskedAccessKeyID: String {
        Self.mask(accessKeyID)
    }

    /// Masks all but the first and last four characters of an identifier.
    static func mask(_ value: String) -> String {
        guard value.count >= 8 else { return "****" }
        return "\(value.prefix(4))****\(value.suffix(4))"
    }

    /// Whether the credentials expire within `interval` seconds of `now`.
    public func expires(within interval: TimeInterval, of now: Date) -> Bool {
        guard let expiration else { return false }
        return expiration.timeIntervalSince(now) <= interval
    }
}

extension Credentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `Credentials(source: environment, accessKeyID: AKIA****MPLE, sessionToken: <redacted>)`.
    public var description: String {
        var text = "Credentials(source: \(source), accessKeyID: \(maskedAccessKeyID)"
        if sessionToken != nil { text += ", sessionToken: <redacted>" }
        if let expiration { text += ", expiration: \(AWSTimestamp.format(expiration))" }
        return text + ")"
    }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without secrets, so `dump` and string interpolation stay safe.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "source": source,
            "accessKeyID": maskedAccessKeyID,
            "secretAccessKey": "<redacted>",
            "sessionToken": sessionToken == nil ? "none" : "<redacted>",
            "expiration": expiration.map(AWSTimestamp.format) ?? "none",
        ])
    }
}
