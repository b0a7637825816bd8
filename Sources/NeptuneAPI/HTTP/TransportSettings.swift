import Foundation

/// How the real transport connects: timeouts, pool size, response bound, proxies and the
/// CA bundle. A pure value; ``AWSEnvironment/transportSettings(profile:parallelism:)`` reads it
/// from an environment dictionary and the shared config file.
public struct TransportSettings: Sendable, Equatable {
    /// A private CA bundle (`AWS_CA_BUNDLE` or a profile's `ca_bundle`) that replaces the
    /// system trust store, as in the AWS CLI.
    public struct CABundle: Sendable, Equatable {
        /// The PEM file.
        public var path: String
        /// Where the setting came from, e.g. `AWS_CA_BUNDLE`, for messages.
        public var source: String

        /// Creates a value.
        public init(path: String, source: String) {
            self.path = path
            self.source = source
        }
    }

    /// The longest a TCP connect may take.
    public var connectTimeout: Duration
    /// The longest the connection may stay silent while a response is awaited.
    public var readTimeout: Duration
    /// The longest a whole request may take (a request's own ``HTTPRequest/timeout`` wins).
    public var requestTimeout: Duration
    /// How long an unused pooled connection is kept open.
    public var idleTimeout: Duration
    /// Connections kept per host (keep-alive pool size).
    public var maximumConnectionsPerHost: Int
    /// The largest response body accepted, in bytes: 8 MiB by default. A describe page of 100
    /// snapshots is about 100 KB, and about 2.5 MB with 50 tags of the longest size on each;
    /// a larger body is refused as soon as it passes the limit (or at once when its
    /// `Content-Length` says so), without reading the rest.
    public var maximumResponseBytes: Int
    /// Proxies by scheme, and `NO_PROXY`.
    public var proxies: ProxySettings
    /// A private CA bundle, or `nil` for the system trust store.
    public var caBundle: CABundle?

    /// Creates settings; the defaults suit the AWS APIs snapcopy calls.
    public init(
        connectTimeout: Duration = .seconds(10),
        readTimeout: Duration = .seconds(60),
        requestTimeout: Duration = .seconds(120),
        idleTimeout: Duration = .seconds(50),
        maximumConnectionsPerHost: Int = 16,
        maximumResponseBytes: Int = TransportSettings.defaultMaximumResponseBytes,
        proxies: ProxySettings = .none,
        caBundle: CABundle? = nil
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.requestTimeout = requestTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnectionsPerHost = max(1, maximumConnectionsPerHost)
        self.maximumResponseBytes = max(1, maximumResponseBytes)
        self.proxies = proxies
        self.caBundle = caBundle
    }

    /// The default bound on a response body: 8 MiB.
    public static let defaultMaximumResponseBytes = 8 * 1024 * 1024

    /// The sentence naming the trust settings, for TLS errors.
    var trustHint: String {
        if let caBundle {
            return "Check that the CA bundle \(caBundle.path) (from \(caBundle.source)) holds the CA that signed this server's certificate, and that the endpoint URL names the right host."
        }
        return "The server's certificate is not trusted by the system trust store: for a private CA or a TLS-inspecting proxy, set AWS_CA_BUNDLE (or ca_bundle in the profile) to a PEM file of its CA certificates; also check the endpoint URL."
    }
}

extension AWSEnvironment {
    /// The transport settings of this environment and profile.
    ///
    /// Proxies: `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (either case, see ``ProxySettings``).
    /// CA bundle: `AWS_CA_BUNDLE`, then the profile's `ca_bundle` (`~` expanded).
    /// - Parameters:
    ///   - profile: The `--profile` value, if given.
    ///   - parallelism: Concurrent calls, which sizes the per-host connection pool.
    /// - Throws: ``CredentialsError`` for an unusable proxy URL or unreadable config file.
    public func transportSettings(profile explicitProfile: String?, parallelism: Int = 16) throws -> TransportSettings {
        var settings = TransportSettings(maximumConnectionsPerHost: parallelism, proxies: try ProxySettings(environment: variables))
        if let path = self["AWS_CA_BUNDLE"] {
            settings.caBundle = .init(path: expandingTilde(path) ?? path, source: "AWS_CA_BUNDLE")
        } else {
            let shared = try loadSharedConfiguration()
            let profile = profileName(explicit: explicitProfile)
            if let path = shared.configSection(profile)?["ca_bundle"] {
                settings.caBundle = .init(path: expandingTilde(path) ?? path, source: "ca_bundle of profile \"\(profile)\" in \(shared.configPath ?? "the config file")")
            }
        }
        return settings
    }
}
