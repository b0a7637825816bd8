import Foundation

/// Hands out ``NeptuneClient``s for (region, optional role) pairs, caching role sessions.
///
/// Every client shares one ``ClientConfiguration`` (transport, limiter, counter). For a role
/// ARN, the role is assumed with the base credentials through STS once per run; the session
/// is cached by role ARN and refreshed shortly before it expires.
public actor NeptuneClientFactory {
    private let baseCredentials: any CredentialProvider
    private let endpoint: URL?
    private let stsEndpoint: URL?
    private let stsRegion: String
    private let sessionName: String
    private let externalID: String?
    private let refreshWindow: TimeInterval
    /// The configuration every client shares.
    public nonisolated let configuration: ClientConfiguration
    private var roleSessions: [String: CachingCredentialProvider] = [:]

    /// Creates a factory.
    /// - Parameters:
    ///   - baseCredentials: The run's own identity (usually from ``AWSEnvironment/makeCredentialProvider(profile:region:stsEndpoint:configuration:)``).
    ///   - endpoint: The Neptune endpoint override, `nil` for AWS.
    ///   - stsEndpoint: The STS endpoint override, `nil` for regional AWS STS.
    ///   - stsRegion: The region whose STS assumes roles.
    ///   - sessionName: The role session name; defaults to `snapcopy-<unix seconds>`.
    ///   - externalID: An external ID sent with every `AssumeRole`.
    ///   - refreshWindow: Seconds before expiry at which a role session is renewed.
    ///   - configuration: Shared transport, policies, log, limiter and counter.
    public init(baseCredentials: any CredentialProvider, endpoint: URL? = nil, stsEndpoint: URL? = nil, stsRegion: String, sessionName: String? = nil, externalID: String? = nil, refreshWindow: TimeInterval = 600, configuration: ClientConfiguration) {
        self.baseCredentials = baseCredentials
        self.endpoint = endpoint
        self.stsEndpoint = stsEndpoint
        self.stsRegion = stsRegion
        self.sessionName = sessionName ?? AssumeRoleCredentialProvider.defaultSessionName(at: configuration.now())
        self.externalID = externalID
        self.refreshWindow = refreshWindow
        self.configuration = configuration
    }

    /// A client for `region`, acting as `roleARN` when given, else as the base identity.
    public func client(region: String, roleARN: String? = nil) -> NeptuneClient {
        NeptuneClient(region: region, endpoint: endpoint, credentials: credentials(roleARN: roleARN), configuration: configuration)
    }

    /// The credential provider for a role (cached per role ARN), or the base one.
    public func credentials(roleARN: String?) -> any CredentialProvider {
        guard let roleARN, !roleARN.isEmpty else { return baseCredentials }
        if let cached = roleSessions[roleARN] { return cached }
        let sts = STSClient(region: stsRegion, endpoint: stsEndpoint, credentials: baseCredentials, configuration: configuration)
        let provider = CachingCredentialProvider(
            AssumeRoleCredentialProvider(roleARN: roleARN, sessionName: sessionName, externalID: externalID, sts: sts),
            refreshWindow: refreshWindow,
            now: configuration.now
        )
        roleSessions[roleARN] = provider
        return provider
    }

    /// The role ARNs with a cached session provider.
    public var cachedRoleARNs: [String] { roleSessions.keys.sorted() }
}
