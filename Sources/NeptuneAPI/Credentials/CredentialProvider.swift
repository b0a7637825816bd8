import Foundation

/// A source of credentials.
///
/// A provider describes itself by its kind and location (``name``), never by its keys.
/// When it simply has nothing to offer it throws ``CredentialsError`` of kind `notFound`
/// naming where it looked, so a ``CredentialProviderChain`` can move on; any other error
/// (broken configuration, failed STS call) stops the chain.
public protocol CredentialProvider: Sendable {
    /// What this provider is, e.g. `environment` or `profile dev`.
    var name: String { get }
    /// Returns credentials, fetching or refreshing them if needed.
    func credentials() async throws -> Credentials
}

/// Fixed credentials.
public struct StaticCredentialProvider: CredentialProvider {
    private let value: Credentials

    /// Wraps fixed credentials.
    public init(_ credentials: Credentials) {
        value = credentials
    }

    /// `static`.
    public var name: String { "static" }

    /// The fixed credentials.
    public func credentials() async throws -> Credentials { value }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
/// (or the legacy `AWS_SECURITY_TOKEN`) of an injected environment.
public struct EnvironmentCredentialProvider: CredentialProvider {
    private let environment: AWSEnvironment

    /// Reads from `environment`.
    public init(environment: AWSEnvironment) {
        self.environment = environment
    }

    /// `environment`.
    public var name: String { "environment" }

    /// The environment's keys.
    /// - Throws: `notFound` when neither key is set; `invalidConfiguration` when only one is.
    public func credentials() async throws -> Credentials {
        let accessKey = environment["AWS_ACCESS_KEY_ID"]
        let secret = environment["AWS_SECRET_ACCESS_KEY"]
        switch (accessKey, secret) {
        case let (accessKey?, secret?):
            return Credentials(
                accessKeyID: accessKey,
                secretAccessKey: secret,
                sessionToken: environment["AWS_SESSION_TOKEN"] ?? environment["AWS_SECURITY_TOKEN"],
                expiration: environment["AWS_CREDENTIAL_EXPIRATION"].flatMap(AWSTimestamp.parse),
                source: name
            )
        case (nil, nil):
            throw CredentialsError.notFound("environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (not set)")
        case (.some, nil):
            throw CredentialsError(kind: .invalidConfiguration, message: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both, or unset both to use a profile.")
        case (nil, .some):
            throw CredentialsError(kind: .invalidConfiguration, message: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not: set both, or unset both to use a profile.")
        }
    }
}

/// Tries providers in order and returns the first credentials found.
///
/// Providers that find nothing (`notFound`) are skipped; when all do, one
/// ``CredentialsError`` of kind `noCredentials` names every place tried.
public struct CredentialProviderChain: CredentialProvider {
    /// The providers, in the order they are tried.
    public let providers: [any CredentialProvider]

    /// Creates a chain.
    public init(_ providers: [any CredentialProvider]) {
        self.providers = providers
    }

    /// `chain(environment, web-identity, profile default)`.
    public var name: String { "chain(\(providers.map(\.name).joined(separator: ", ")))" }

    /// The first provider's credentials that has some.
    public func credentials() async throws -> Credentials {
        var tried: [String] = []
        for provider in providers {
            do {
                return try await provider.credentials()
            } catch let error as CredentialsError where error.kind == .notFound {
                tried += error.placesTried
            }
        }
        let places = tried.enumerated().map { "(\($0.offset + 1)) \($0.element)" }.joined(separator: "; ")
        throw CredentialsError(
            kind: .noCredentials,
            message: "No AWS credentials found. snapcopy looked in: \(places). Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, configure a profile (aws configure, or aws configure sso and aws sso login), or pass --profile NAME.",
            placesTried: tried
        )
    }
}
