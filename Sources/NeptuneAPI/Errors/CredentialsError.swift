import Foundation

/// Credentials or configuration could not be resolved.
///
/// One error, with one sentence, names everything that was tried and how to fix it.
public struct CredentialsError: Error, Sendable, Equatable {
    /// What kind of problem this is.
    public struct Kind: Hashable, Sendable {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A provider found nothing to use (the chain moves on to the next one).
        public static let notFound = Kind("notFound")
        /// No provider in the chain found credentials.
        public static let noCredentials = Kind("noCredentials")
        /// A named profile does not exist.
        public static let profileNotFound = Kind("profileNotFound")
        /// Configuration exists but is incomplete or invalid.
        public static let invalidConfiguration = Kind("invalidConfiguration")
        /// A `credential_process` failed or printed something unusable.
        public static let credentialProcessFailed = Kind("credentialProcessFailed")
        /// Reading a file (e.g. a web identity token) failed.
        public static let unreadableFile = Kind("unreadableFile")
        /// No region is configured.
        public static let noRegion = Kind("noRegion")
        /// An endpoint URL is not a usable URL.
        public static let invalidEndpoint = Kind("invalidEndpoint")
    }

    /// The kind of problem.
    public var kind: Kind
    /// The sentence shown to users.
    public var message: String
    /// For `notFound` / `noCredentials`: the places looked at, in order.
    public var placesTried: [String]

    /// Creates an error.
    public init(kind: Kind, message: String, placesTried: [String] = []) {
        self.kind = kind
        self.message = message
        self.placesTried = placesTried
    }

    /// A provider found nothing at `place`.
    static func notFound(_ place: String) -> CredentialsError {
        CredentialsError(kind: .notFound, message: "No credentials in \(place).", placesTried: [place])
    }
}

extension CredentialsError: CustomStringConvertible {
    /// The message.
    public var description: String { message }
}

extension CredentialsError: LocalizedError {
    /// The message.
    public var errorDescription: String? { message }
}
