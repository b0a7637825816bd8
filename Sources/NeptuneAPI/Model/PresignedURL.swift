/// A pre-signed URL: a bearer secret that authorises a request until it expires.
///
/// It redacts itself everywhere it could be printed (`description`, `debugDescription`,
/// reflection). Read ``unredactedValue`` only to put it on the wire.
public struct PresignedURL: Sendable, Equatable, Hashable {
    /// The full URL with its signature. Never log or print this.
    public let unredactedValue: String

    /// Wraps a pre-signed URL string.
    public init(unredacted value: String) {
        unredactedValue = value
    }
}

extension PresignedURL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `PresignedURL(<redacted>)`.
    public var debugDescription: String { "PresignedURL(<redacted>)" }
    /// A mirror without the URL.
    public var customMirror: Mirror { Mirror(self, children: ["value": "<redacted>"]) }
}
