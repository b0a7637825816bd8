import Crypto
import Foundation

/// Role credentials of an IAM Identity Center (SSO) profile, from the token `aws sso login` cached.
///
/// The profile names `sso_account_id` and `sso_role_name`, and either `sso_session = NAME`
/// (with `sso_start_url` and `sso_region` in `[sso-session NAME]`) or, in the legacy form,
/// `sso_start_url` and `sso_region` itself. The token is read from
/// `~/.aws/sso/cache/SHA1.json`, where SHA1 is the hex SHA-1 of the session name (or, legacy, of
/// the start URL), as botocore names it; then `GetRoleCredentials` is called on the portal
/// (`AWS_ENDPOINT_URL_SSO`, else `https://portal.sso.REGION.amazonaws.com`). A missing or
/// expired token is an error telling to run `aws sso login --profile NAME`; logging in stays
/// the AWS CLI's job. The token is never printed.
public struct SSOCredentialProvider: CredentialProvider {
    /// The resolved SSO settings of a profile.
    public struct Configuration: Sendable, Equatable {
        /// The profile, for messages and the login hint.
        public var profile: String
        /// The `sso_session` name, `nil` for the legacy form.
        public var session: String?
        /// The portal start URL.
        public var startURL: String
        /// The region of the portal.
        public var region: String
        /// The account whose role is used.
        public var accountID: String
        /// The permission set (role) name.
        public var roleName: String

        /// The name of the token cache file: SHA-1 hex of the session name, or of the start URL.
        public var cacheKey: String {
            let input = session ?? startURL
            return Insecure.SHA1.hash(data: Data(input.utf8)).map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
        }
    }

    /// The settings.
    public let configuration: Configuration
    private let environment: AWSEnvironment
    private let endpoint: URL
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Date

    /// Creates a provider.
    /// - Parameter endpoint: The portal endpoint override, `nil` for AWS's.
    public init(configuration: Configuration, environment: AWSEnvironment, endpoint: URL?, options: EndpointOptions = EndpointOptions(), transport: any HTTPTransport, now: @escaping @Sendable () -> Date) {
        self.configuration = configuration
        self.environment = environment
        self.endpoint = endpoint ?? AWSEndpoint.sso(region: configuration.region, options: options)
        self.transport = transport
        self.now = now
    }

    /// `sso (profile NAME)`.
    public var name: String { "sso (profile \(configuration.profile))" }

    private var loginHint: String { "run aws sso login --profile \(configuration.profile)" }

    /// Where the cached token is.
    public var tokenPath: String? {
        environment.homeDirectory.map { "\($0)/.aws/sso/cache/\(configuration.cacheKey).json" }
    }

    /// Reads the cached token and exchanges it for the role's credentials.
    public func credentials() async throws -> Credentials {
        let token = try cachedToken()
        var components = URLComponents(url: endpoint, resolvingAgainstBaseURL: false)
        let basePath = components?.percentEncodedPath ?? ""
        components?.percentEncodedPath = (basePath.hasSuffix("/") ? String(basePath.dropLast()) : basePath) + "/federation/credentials"
        components?.queryItems = [URLQueryItem(name: "account_id", value: configuration.accountID), URLQueryItem(name: "role_name", value: configuration.roleName)]
        guard let url = components?.url else {
            throw CredentialsError(kind: .invalidEndpoint, message: "The SSO portal endpoint \(hostAndPort(endpoint)) cannot be used: check AWS_ENDPOINT_URL_SSO.")
        }
        let request = HTTPRequest(method: "GET", url: url, headers: ["x-amz-sso_bearer_token": token, "accept": "application/json"])
        let portal = "the SSO portal \(hostAndPort(endpoint))"
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch var error as TransportError {
            error.action = "GetRoleCredentials"
            error.region = configuration.region
            throw error
        }
        switch response.status {
        case 200:
            return try decode(response.body, portal: portal)
        case 401, 403:
            throw CredentialsError(kind: .invalidConfiguration, message: "The SSO session of profile \"\(configuration.profile)\" is no longer valid (\(portal) answered HTTP \(response.status) to GetRoleCredentials for role \(configuration.roleName) in account \(configuration.accountID)): \(loginHint), and check that the role is assigned to you.")
        default:
            throw CredentialsError(kind: .invalidConfiguration, message: "GetRoleCredentials for profile \"\(configuration.profile)\" failed: \(portal) answered HTTP \(response.status). Check AWS_ENDPOINT_URL_SSO and sso_region, then try again.")
        }
    }

    private struct CachedToken: Decodable {
        let accessToken: String?
        let expiresAt: String?
    }

    /// The cached access token, checked for expiry.
    func cachedToken() throws -> String {
        guard let path = tokenPath else {
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(configuration.profile)\" uses SSO, but HOME is not set, so the token cache ~/.aws/sso/cache cannot be found.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(configuration.profile)\" uses SSO, but there is no cached SSO token at \(path): \(loginHint).")
        }
        guard let cached = try? JSONDecoder().decode(CachedToken.self, from: data), let token = cached.accessToken, !token.isEmpty,
              let expiresText = cached.expiresAt, let expiresAt = AWSTimestamp.parse(expiresText)
        else {
            throw CredentialsError(kind: .invalidConfiguration, message: "The cached SSO token \(path) of profile \"\(configuration.profile)\" is not the JSON aws sso login writes (accessToken, expiresAt): \(loginHint).")
        }
        guard expiresAt > now() else {
            throw CredentialsError(kind: .invalidConfiguration, message: "The SSO token of profile \"\(configuration.profile)\" expired at \(AWSTimestamp.format(expiresAt)): \(loginHint).")
        }
        return token
    }

    private struct RoleCredentialsResponse: Decodable {
        struct RoleCredentials: Decodable {
            let accessKeyId: String?
            let secretAccessKey: String?
            let sessionToken: String?
            let expiration: Double?
        }
        let roleCredentials: RoleCredentials?
    }

    private func decode(_ body: Data, portal: String) throws -> Credentials {
        guard let document = try? JSONDecoder().decode(RoleCredentialsResponse.self, from: body), let role = document.roleCredentials,
              let accessKey = role.accessKeyId, !accessKey.isEmpty, let secret = role.secretAccessKey, !secret.isEmpty
        else {
            throw CredentialsError(kind: .invalidConfiguration, message: "GetRoleCredentials: \(portal) did not answer with roleCredentials (accessKeyId, secretAccessKey, sessionToken, expiration).")
        }
        return Credentials(
            accessKeyID: accessKey, secretAccessKey: secret, sessionToken: role.sessionToken,
            expiration: role.expiration.map { Date(timeIntervalSince1970: $0 / 1000) },
            source: "profile \(configuration.profile) (sso)")
    }
}

extension SSOCredentialProvider.Configuration {
    /// The SSO settings of `profile`, `nil` when it names neither `sso_account_id` nor
    /// `sso_role_name` (botocore's trigger).
    /// - Throws: ``CredentialsError`` naming every missing setting, or a missing `[sso-session]`.
    static func resolve(profile: String, shared: AWSSharedConfiguration) throws -> Self? {
        let section = shared.configSection(profile)
        guard let section, section["sso_account_id"] != nil || section["sso_role_name"] != nil else { return nil }
        let file = shared.configPath ?? "~/.aws/config"
        var startURL = section["sso_start_url"]
        var region = section["sso_region"]
        let sessionName = section["sso_session"]
        if let sessionName {
            guard let session = shared.configFile?.sections["sso-session \(sessionName)"] else {
                throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" names sso_session = \(sessionName), but \(file) has no [sso-session \(sessionName)] section: add it with sso_start_url and sso_region (aws configure sso-session).")
            }
            startURL = session["sso_start_url"] ?? startURL
            region = session["sso_region"] ?? region
        }
        let values: [(String, String?)] = [
            ("sso_start_url", startURL), ("sso_region", region),
            ("sso_account_id", section["sso_account_id"]), ("sso_role_name", section["sso_role_name"]),
        ]
        let missing = values.filter { $0.1 == nil }.map(\.0)
        guard missing.isEmpty, let startURL, let region, let accountID = section["sso_account_id"], let roleName = section["sso_role_name"] else {
            let place = sessionName.map { "profile \"\(profile)\" or [sso-session \($0)]" } ?? "profile \"\(profile)\""
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" is configured for SSO but \(place) in \(file) lacks \(missing.joined(separator: ", ")): add them (aws configure sso --profile \(profile)).")
        }
        return Self(profile: profile, session: sessionName, startURL: startURL, region: region, accountID: accountID, roleName: roleName)
    }
}
