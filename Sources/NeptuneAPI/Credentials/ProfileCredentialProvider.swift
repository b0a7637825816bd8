import Foundation

/// Credentials of a named profile in the shared credentials and config files.
///
/// Within a profile the sources are tried in botocore's order: `role_arn` (with
/// `web_identity_token_file`, `source_profile` or `credential_source = Environment |
/// Ec2InstanceMetadata | EcsContainer`; plus `role_session_name`, `external_id`,
/// `duration_seconds`; `mfa_serial` is refused, as there is no prompt), then IAM Identity
/// Center (`sso_session` or legacy `sso_start_url`, see ``SSOCredentialProvider``), then
/// `aws_access_key_id` / `aws_secret_access_key` / `aws_session_token` in the credentials
/// file, then `credential_process`, then keys in the config file. `source_profile` chains are followed
/// with cycle detection; a profile may name itself as its source to use its own keys.
public struct ProfileCredentialProvider: CredentialProvider {
    /// The profile name.
    public let profile: String
    private let environment: AWSEnvironment
    private let region: String
    private let stsEndpoint: URL?
    private let configuration: ClientConfiguration
    private let mustExist: Bool

    /// Creates a provider.
    /// - Parameters:
    ///   - profile: The profile name.
    ///   - environment: Supplies file locations and the credential process environment.
    ///   - region: The region for STS calls.
    ///   - stsEndpoint: An STS endpoint override (e.g. moto), `nil` for regional AWS STS.
    ///   - configuration: Transport and policies for STS calls.
    ///   - mustExist: When `true` a missing profile is an error, not a reason to try the next provider.
    public init(profile: String, environment: AWSEnvironment, region: String, stsEndpoint: URL?, configuration: ClientConfiguration, mustExist: Bool) {
        self.profile = profile
        self.environment = environment
        self.region = region
        self.stsEndpoint = stsEndpoint
        self.configuration = configuration
        self.mustExist = mustExist
    }

    /// `profile NAME`.
    public var name: String { "profile \(profile)" }

    /// Resolves the profile's credentials.
    public func credentials() async throws -> Credentials {
        let shared = try environment.loadSharedConfiguration()
        do {
            return try await resolve(profile, shared: shared, visited: [])
        } catch var error as CredentialsError where error.kind != .notFound {
            // Say where the profile is read from, unless the message already does.
            let files = [shared.configFile?.path, shared.credentialsFile?.path].compactMap { $0 }
            if !files.isEmpty, !files.contains(where: { error.message.contains($0) }) {
                error.message += " (profiles are read from \(files.joined(separator: " and ")))"
            }
            throw error
        }
    }

    private func resolve(_ profile: String, shared: AWSSharedConfiguration, visited: [String]) async throws -> Credentials {
        guard shared.hasProfile(profile) else {
            if mustExist || !visited.isEmpty { throw Self.profileNotFound(profile, shared: shared, referencedBy: visited.last) }
            throw CredentialsError(kind: .notFound, message: "No profile \"\(profile)\".", placesTried: Self.places(profile, shared: shared))
        }
        if let roleARN = shared.setting("role_arn", profile: profile) {
            return try await assumeRole(roleARN, profile: profile, shared: shared, visited: visited)
        }
        if let sso = try SSOCredentialProvider.Configuration.resolve(profile: profile, shared: shared) {
            let provider = SSOCredentialProvider(
                configuration: sso, environment: environment, endpoint: try environment.resolveSSOEndpoint(profile: self.profile),
                options: configuration.endpointOptions, transport: configuration.transport, now: configuration.now)
            return try await provider.credentials()
        }
        if let keys = try Self.staticKeys(shared.credentialsSection(profile), profile: profile, file: shared.credentialsPath) {
            return keys
        }
        if let command = shared.setting("credential_process", profile: profile) {
            return try await CredentialProcessProvider(command: command, profile: profile, environment: environment.variables).credentials()
        }
        if let keys = try Self.staticKeys(shared.configSection(profile), profile: profile, file: shared.configPath) {
            return keys
        }
        if !visited.isEmpty {
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\", the source_profile of \"\(visited.last ?? "")\", has no credentials: give it aws_access_key_id and aws_secret_access_key, credential_process or role_arn.")
        }
        throw CredentialsError(
            kind: .notFound,
            message: "Profile \"\(profile)\" has no credentials.",
            placesTried: Self.places(profile, shared: shared).map { "\($0) (no aws_access_key_id, role_arn or credential_process)" }
        )
    }

    private func assumeRole(_ roleARN: String, profile: String, shared: AWSSharedConfiguration, visited: [String]) async throws -> Credentials {
        if shared.setting("mfa_serial", profile: profile) != nil {
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" sets mfa_serial: snapcopy cannot prompt for an MFA code (it runs without a terminal). Get session credentials first (aws sts get-session-token or a credential_process) and use them in another profile, or remove mfa_serial.")
        }
        let duration = try Self.durationSeconds(shared.setting("duration_seconds", profile: profile), profile: profile)
        let sessionName = shared.setting("role_session_name", profile: profile) ?? AssumeRoleCredentialProvider.defaultSessionName(at: configuration.now())
        if let tokenFile = shared.setting("web_identity_token_file", profile: profile) {
            let sts = STSClient(region: region, endpoint: stsEndpoint, credentials: nil, configuration: configuration)
            var credentials = try await WebIdentityCredentialProvider(roleARN: roleARN, tokenFile: tokenFile, sessionName: sessionName, sts: sts).credentials()
            credentials.source = "profile \(profile) (web identity)"
            return credentials
        }
        let source: Credentials
        if shared.setting("source_profile", profile: profile) != nil, let credentialSource = shared.setting("credential_source", profile: profile) {
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" sets both source_profile and credential_source = \(credentialSource): keep one of them.")
        }
        if let sourceProfile = shared.setting("source_profile", profile: profile) {
            if sourceProfile == profile {
                guard let keys = try Self.staticKeys(shared.credentialsSection(profile), profile: profile, file: shared.credentialsPath)
                    ?? Self.staticKeys(shared.configSection(profile), profile: profile, file: shared.configPath)
                else {
                    throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" is its own source_profile but has no aws_access_key_id and aws_secret_access_key.")
                }
                source = keys
            } else if visited.contains(sourceProfile) || sourceProfile == profile {
                let cycle = (visited + [profile, sourceProfile]).map { "\"\($0)\"" }.joined(separator: " -> ")
                throw CredentialsError(kind: .invalidConfiguration, message: "The source_profile settings form a cycle: \(cycle). Make one of them use keys or credential_process.")
            } else {
                source = try await resolve(sourceProfile, shared: shared, visited: visited + [profile])
            }
        } else if let credentialSource = shared.setting("credential_source", profile: profile) {
            source = try await credentials(fromSource: credentialSource, profile: profile)
        } else {
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" has role_arn but neither source_profile nor credential_source: add source_profile = NAME.")
        }
        let sts = STSClient(region: region, endpoint: stsEndpoint, credentials: StaticCredentialProvider(source), configuration: configuration)
        let result = try await sts.assumeRole(
            roleARN: roleARN,
            sessionName: sessionName,
            externalID: shared.setting("external_id", profile: profile),
            durationSeconds: duration
        )
        var credentials = result.credentials
        credentials.source = "profile \(profile) (assume-role)"
        return credentials
    }

    /// The source credentials named by `credential_source`.
    private func credentials(fromSource credentialSource: String, profile: String) async throws -> Credentials {
        let provider: any CredentialProvider
        let needs: String
        switch credentialSource {
        case "Environment":
            provider = EnvironmentCredentialProvider(environment: environment)
            needs = "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
        case "Ec2InstanceMetadata":
            provider = InstanceMetadataCredentialProvider(environment: environment, profile: self.profile, transport: configuration.transport)
            needs = "the EC2 instance metadata service gave none"
        case "EcsContainer":
            provider = ContainerCredentialProvider(environment: environment, transport: Self.directTransport(configuration.transport))
            needs = "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set"
        default:
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" has credential_source = \(credentialSource): use Environment, Ec2InstanceMetadata or EcsContainer (the names are case-sensitive), or source_profile.")
        }
        do {
            return try await provider.credentials()
        } catch let error as CredentialsError where error.kind == .notFound {
            let detail = error.placesTried.first.map { " (\($0))" } ?? ""
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" uses credential_source = \(credentialSource), but \(needs)\(detail).")
        }
    }

    /// The transport without proxies, for container endpoints.
    static func directTransport(_ transport: any HTTPTransport) -> any HTTPTransport {
        (transport as? AsyncHTTPTransport)?.bypassingProxies() ?? transport
    }

    /// `duration_seconds` as a number of seconds, checked against STS's range.
    static func durationSeconds(_ text: String?, profile: String) throws -> Int? {
        guard let text else { return nil }
        guard let seconds = Int(text), (900...43_200).contains(seconds) else {
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" has duration_seconds = \(text): give a whole number of seconds from 900 to 43200.")
        }
        return seconds
    }

    /// Long-term or session keys of one section; `nil` when it has none.
    static func staticKeys(_ section: AWSConfigFile.Section?, profile: String, file: String?) throws -> Credentials? {
        guard let section else { return nil }
        let accessKey = section["aws_access_key_id"]
        let secret = section["aws_secret_access_key"]
        switch (accessKey, secret) {
        case let (accessKey?, secret?):
            return Credentials(accessKeyID: accessKey, secretAccessKey: secret, sessionToken: section["aws_session_token"] ?? section["aws_security_token"], source: "profile \(profile)")
        case (nil, nil):
            return nil
        default:
            let missing = accessKey == nil ? "aws_access_key_id" : "aws_secret_access_key"
            throw CredentialsError(kind: .invalidConfiguration, message: "Profile \"\(profile)\" in \(file ?? "the AWS files") is missing \(missing): set both aws_access_key_id and aws_secret_access_key.")
        }
    }

    static func places(_ profile: String, shared: AWSSharedConfiguration) -> [String] {
        func place(_ kind: String, _ path: String?, _ file: AWSConfigFile?, has: Bool) -> String {
            let where_ = path ?? "(no HOME, so no default location)"
            let state = file == nil ? "file not found" : (has ? "found" : "no such profile")
            return "profile \"\(profile)\" in the \(kind) \(where_) (\(state))"
        }
        return [
            place("shared credentials file", shared.credentialsPath, shared.credentialsFile, has: shared.credentialsSection(profile) != nil),
            place("config file", shared.configPath, shared.configFile, has: shared.configSection(profile) != nil),
        ]
    }

    static func profileNotFound(_ profile: String, shared: AWSSharedConfiguration, referencedBy: String?) -> CredentialsError {
        let origin = referencedBy.map { " (the source_profile of \"\($0)\")" } ?? ""
        let places = Self.places(profile, shared: shared)
        return CredentialsError(
            kind: .profileNotFound,
            message: "The AWS profile \"\(profile)\"\(origin) does not exist. snapcopy looked for [\(profile)] in \(shared.credentialsPath ?? "the credentials file") and [profile \(profile)] in \(shared.configPath ?? "the config file"). Check the name, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE.",
            placesTried: places
        )
    }
}
